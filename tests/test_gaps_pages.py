"""The /gaps page's preview of each rule, and /gaps/<rule>: a page of one rule's findings at a time."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from graph import gaps

FIXTURES = Path(__file__).parent / "fixtures" / "gaps"
BOTH_STORES = True


@pytest.fixture
def loaded(app, app_store):
    from graph import transfer
    doc = json.loads((FIXTURES / "registry.json").read_text(encoding="utf-8"))
    transfer.import_document(app_store, transfer.document_from_data(doc))
    app.extensions["pathways.settings"]["gaps"].update(preview=3, page_size=10)
    return app_store


def rows(html: str, rule: str) -> list[str]:
    """The record ids the table of ``rule``'s findings links to, in order."""
    table = re.search(rf'<table class="govuk-table" data-findings="{rule}">(.*?)</table>', html, re.S).group(1)
    return re.findall(r'<th scope="row" class="govuk-table__header"><a class="govuk-link" href="/records/([^"]+)"', table)


def stale_ids(client) -> list[str]:
    return [i["id"] for i in client.get("/api/v1/gaps?rule=stale_records").get_json()["stale_records"]]


def test_gaps_page_shows_each_rules_count_and_first_findings_with_a_link_to_the_rest(client, loaded):
    counts = client.get("/api/v1/gaps").get_json()["counts"]
    html = client.get("/gaps").get_data(as_text=True)
    for rule in gaps.RULES:
        n = counts[rule.key]
        assert f'<h2 class="govuk-heading-m" id="{rule.key}">{rule.title} ({n})</h2>' in html
        link = f'<a class="govuk-link" href="/gaps/{rule.key}" data-see-all="{rule.key}">See all {n} {rule.title.lower()}</a>'
        assert (link in html) == (n > 3), rule.key
        if n:
            assert len(rows(html, rule.key)) == min(n, 3)
    assert rows(html, "stale_records") == stale_ids(client)[:3]


def test_rule_page_pages_through_every_finding_in_order(client, loaded):
    expected = stale_ids(client)
    assert len(expected) == 25
    seen = []
    for number in (1, 2, 3):
        html = client.get(f"/gaps/stale_records?page={number}").get_data(as_text=True)
        seen += rows(html, "stale_records")
        assert f"(page {number} of 3)" in html
        assert f'href="/gaps/stale_records?page={number}" aria-label="Page {number}" aria-current="page"' in html
    assert seen == expected
    first = client.get("/gaps/stale_records").get_data(as_text=True)
    assert "findings 1 to 10 (page 1 of 3)" in first and 'rel="prev"' not in first
    assert 'href="/gaps/stale_records?page=2" rel="next"' in first and 'class="govuk-pagination"' in first


@pytest.mark.parametrize("asked, shown", [("99", 3), ("0", 1), ("-2", 1), ("two", 1)])
def test_rule_page_clamps_a_page_number_out_of_range(client, loaded, asked, shown):
    response = client.get(f"/gaps/stale_records?page={asked}")
    assert response.status_code == 200 and f"(page {shown} of 3)" in response.get_data(as_text=True)


def test_rule_with_few_findings_has_one_page_and_no_pagination(client, loaded):
    html = client.get("/gaps/referral_loops").get_data(as_text=True)
    assert "govuk-pagination" not in html and rows(html, "referral_loops") == ["ping"]
    assert '<h1 class="govuk-heading-l">Referral loops</h1>' in html


def test_unknown_rule_is_a_404(client, loaded):
    assert client.get("/gaps/nonsense").status_code == 404
    assert client.get("/gaps/counts").status_code == 404


def test_rule_page_downloads_only_that_rules_findings(client, loaded):
    html = client.get("/gaps/stale_records?page=2").get_data(as_text=True)
    assert 'href="/gaps/stale_records?format=csv"' in html  # the whole rule, not the page
    csv = client.get("/gaps/stale_records?format=csv").get_data(as_text=True).splitlines()
    assert len(csv) == 26 and all(line.startswith("Records not checked recently,") for line in csv[1:])
    body = client.get("/gaps/stale_records?format=json").get_json()
    assert set(body) == {"stale_records", "counts", "as_of"} and [i["id"] for i in body["stale_records"]] == stale_ids(client)
    assert client.get("/gaps/stale_records?format=xml").status_code == 400


def test_rule_page_keeps_as_of_in_its_links_and_rejects_a_bad_one(client, loaded):
    html = client.get("/gaps/stale_records?as_of=2026-06-01&page=2").get_data(as_text=True)
    assert 'href="/gaps/stale_records?as_of=2026-06-01&amp;page=3"' in html
    assert 'href="/gaps?as_of=2026-06-01"' in html and "as of 1 June 2026" in html
    preview = client.get("/gaps?as_of=2026-06-01").get_data(as_text=True)
    assert 'href="/gaps/stale_records?as_of=2026-06-01"' in preview
    assert client.get("/gaps/stale_records?as_of=June").status_code == 400


def test_rule_page_never_renders_names_as_html(client, loaded):
    html = client.get("/gaps/publics_without_route").get_data(as_text=True)
    assert "&lt;b&gt;Unreached&lt;/b&gt; public" in html and "<b>Unreached" not in html
