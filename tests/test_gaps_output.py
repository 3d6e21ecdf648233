"""The gap report's outputs stay byte for byte what they were before they were streamed.

``tests/fixtures/gaps/registry.json`` is a small registry with findings under most rules;
``api_body.json``, ``download.json`` and ``download.csv`` are what ``GET /api/v1/gaps`` and the
``/gaps`` page's downloads gave for it when each was still built as one string (``AS_OF``
standing for the day the report is judged as of: the fixture's dates are all long past, so
nothing else in it depends on the day).
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "gaps"

BOTH_STORES = True


def expected(name: str, day: dt.date | None = None) -> bytes:
    return (FIXTURES / name).read_bytes().replace(b"AS_OF", (day or dt.date.today()).isoformat().encode())


@pytest.fixture
def loaded(app_store):
    from graph import transfer
    doc = json.loads((FIXTURES / "registry.json").read_text(encoding="utf-8"))
    transfer.import_document(app_store, transfer.document_from_data(doc))
    return app_store


def test_api_body_is_what_it_was(client, loaded):
    response = client.get("/api/v1/gaps")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_data() == expected("api_body.json")


def test_api_body_for_a_date_names_that_date(client, loaded):
    day = dt.date(2030, 1, 2)
    assert client.get("/api/v1/gaps?as_of=2030-01-02").get_data() == expected("api_body.json", day)


def test_downloads_are_what_they_were(client, loaded):
    csv = client.get("/gaps?format=csv")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv.headers["Content-Disposition"].startswith('attachment; filename="pathways-gaps-')
    assert csv.get_data() == expected("download.csv")
    assert client.get("/gaps?format=json").get_data() == expected("download.json")


def test_api_rule_offset_and_limit_page_through_one_rule(client, loaded):
    whole = json.loads(expected("api_body.json"))
    body = client.get("/api/v1/gaps?rule=stale_records&offset=3&limit=5").get_json()
    assert set(body) == {"as_of", "counts", "stale_records"}
    assert body["counts"] == {"stale_records": whole["counts"]["stale_records"]}
    assert body["stale_records"] == whole["stale_records"][3:8]
    paged = client.get("/api/v1/gaps?limit=1&offset=1").get_json()
    assert paged["counts"] == whole["counts"]  # the totals, whatever the page leaves out
    assert {k: v for k, v in paged.items() if k not in ("counts", "as_of")} == {
        k: v[1:2] for k, v in whole.items() if k not in ("counts", "as_of")}
    assert client.get("/api/v1/gaps?rule=brokers&offset=1000").get_json()["brokers"] == []


@pytest.mark.parametrize("query, field", [("rule=nonsense", "rule"), ("limit=ten", "limit"), ("limit=0", "limit"),
                                          ("offset=-1", "offset"), ("offset=1.5", "offset")])
def test_api_bad_argument_is_a_400_naming_the_field(client, loaded, query, field):
    response = client.get(f"/api/v1/gaps?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == 400 and list(body["errors"]["query"]) == [field] and field in body["message"]


def test_openapi_documents_the_arguments(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/gaps"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["rule"]["in"] == "query" and "stale_records" in params["rule"]["schema"]["enum"]
    assert params["offset"]["schema"] == {"type": "integer", "default": 0, "minimum": 0}
    assert params["limit"]["schema"]["minimum"] == 1
