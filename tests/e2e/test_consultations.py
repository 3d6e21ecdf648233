"""A harvested consultation's proposed publics, as a person reads them on the record pages."""
from __future__ import annotations

import pytest

from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.e2e


def test_proposed_publics_are_plainly_not_confirmed(live, page):
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-con-ofqual", "label": "Producer", "name": "Ofqual e2e", "kind": "department"},
        {"id": "e2e-con-pupils", "label": "Public", "name": "Pupils of e2e schools"},
        {"id": "e2e-con-staff", "label": "Public", "name": "Staff of e2e schools"},
        {"id": "e2e-con-gcse", "label": "Engagement", "name": "E2e GCSE grading consultation",
         "method": "consultation", "start": "2016-04-22", "end": "2016-06-17", "status": "reported",
         "feedback_published": "2016-09-07"}], "edges": [
        {"type": "RAN", "from": "e2e-con-ofqual", "to": "e2e-con-gcse"},
        {"type": "INVOLVED", "from": "e2e-con-gcse", "to": "e2e-con-pupils", "confirmed": False},
        {"type": "INVOLVED", "from": "e2e-con-gcse", "to": "e2e-con-staff", "confirmed": True}]})
    page.goto(live.url + "/records/e2e-con-gcse")
    pupils = page.locator("li", has_text="Pupils of e2e schools")
    assert "Proposed, not confirmed" in pupils.inner_text()
    assert "Proposed, not confirmed" not in page.locator("li", has_text="Staff of e2e schools").inner_text()
    assert page.get_by_text("does not count towards the burden on that public").is_visible()
    assert_accessible(page, "engagement with a proposed public")
    page.get_by_role("link", name="Pupils of e2e schools").click()
    row = page.locator("tr", has_text="E2e GCSE grading consultation")
    assert "Proposed, not confirmed" in row.inner_text()
    assert_accessible(page, "public with a proposed engagement")
    assert page.problems == []
