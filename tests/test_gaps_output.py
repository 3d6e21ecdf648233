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
