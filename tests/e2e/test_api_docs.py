"""The API documentation page works offline: no console errors, nothing fetched from elsewhere."""
from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e

XSS = "<img src=x onerror=alert(1)>"


def test_api_docs_page_loads_offline_and_try_it_shows_json_as_text(live, page):
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-docs-xss", "label": "Topic", "name": XSS, "description": "docs page probe"}], "edges": []})
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live.url + "/api/v1/docs")
    assert page.locator("h1").inner_text() == "The Pathways API"
    assert page.get_by_role("heading", name="Records", exact=True).is_visible()
    assert page.locator("#label-Engagement").is_visible()
    page.get_by_label("Search records, as GET /api/v1/nodes?q= would").fill("docs page probe")
    page.get_by_role("button", name="Send").click()
    answer = json.loads(page.locator("#try-answer").inner_text())
    assert [n["name"] for n in answer["items"]] == [XSS]
    assert page.locator("main img").count() == 0
    assert requests and all(u.startswith(live.url) for u in requests)
    assert page.problems == []


def test_openapi_document_is_served_as_json(live, page):
    response = page.goto(live.url + "/api/v1/openapi.json")
    spec = response.json()
    assert spec["openapi"].startswith("3.") and "/api/v1/nodes" in spec["paths"]
    assert page.problems == []
