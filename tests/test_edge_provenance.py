"""Provenance on relationships (issue 21, item 1), on every write path and both stores.

A REACHES, PARTNERS_WITH or REFERS_TO must say where it comes from (``source``) and when that
source was recorded (``verified``), and a hand-set ``strength`` or ``trust`` on a REACHES is an
editor's judgement that needs them. The rule is the model's (``graph.model``) and the stores check
it inside their transaction, so the store, the API, ``pathways import`` (JSON and CSV) and the
relationship form all refuse the same way, naming the relationship and the field, and write
nothing. What is written comes back out: JSON and CSV exports, the API, the record page (the
source a link only when it is an http(s) address, escaped) and the HSDS export.
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from graph import hsds, model, transfer
from graph.errors import InvalidRecord
from graph.stores import Change, open_store
from tests.test_api_auth import token
from tests.web import csrf, sign_in

BOTH_STORES = True

SOURCE = "https://www.carersuk.org/about-us/"
DOC = {"format": "pathways-graph", "version": 1, "nodes": [
    {"id": "ons", "label": "Producer", "name": "Office for National Statistics", "kind": "department"},
    {"id": "desk", "label": "Producer", "name": "ONS statistics enquiries", "kind": "team",
     "contact": {"email": "info@ons.gov.uk"}},
    {"id": "carers-uk", "label": "Intermediary", "name": "Carers UK", "kind": "civil_society",
     "contact": {"url": "https://www.carersuk.org/"}},
    {"id": "carers", "label": "Public", "name": "Unpaid carers", "kind": "identity_group"},
], "edges": [
    {"type": "REACHES", "from": "carers-uk", "to": "carers", "role": "represents", "source": SOURCE,
     "verified": "2026-11-01"},
]}
WHERE = "edge REACHES carers-uk -> carers"
JUDGEMENT = model.JUDGEMENT_NEEDS_SOURCE


def exported(store) -> tuple:
    out = io.StringIO()
    transfer.export_json(store, out)
    return out.getvalue(), store.revision()


@pytest.fixture
def registry(app_store):
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    return app_store


@pytest.fixture
def unchanged(registry):
    before = exported(registry)
    yield registry
    assert exported(registry) == before


def fields_of(problems, where: str) -> set[str]:
    return {p.field for p in problems if p.record == where}


# -- the model and the store ---------------------------------------------------------------------

@pytest.mark.parametrize("edge", [
    {"type": "REACHES", "from": "carers-uk", "to": "carers"},
    {"type": "PARTNERS_WITH", "from": "ons", "to": "carers-uk", "since": "2020-01-01"},
    {"type": "REFERS_TO", "from": "ons", "to": "desk", "note": "Handled by the desk"},
])
def test_the_three_claims_need_a_source_and_its_date_in_the_store(unchanged, edge):
    where = model.edge_where(edge)
    with pytest.raises(InvalidRecord) as refused:
        unchanged.apply(Change(put_edges=[edge]))
    assert {(p.field, p.message) for p in refused.value.problems if p.record == where} == \
        {("source", "is required"), ("verified", "is required")}
    assert unchanged.check(Change(put_edges=[edge])) == refused.value.problems


def test_a_strength_or_trust_without_a_source_is_refused_on_its_own_field(unchanged):
    edge = {"type": "REACHES", "from": "carers-uk", "to": "carers", "strength": 0.9, "trust": "high"}
    with pytest.raises(InvalidRecord) as refused:
        unchanged.apply(Change(put_edges=[edge]))
    by_field = {p.field: p.message for p in refused.value.problems}
    assert by_field["strength"] == JUDGEMENT and by_field["trust"] == JUDGEMENT
    # a source without its date is not enough either
    with pytest.raises(InvalidRecord) as refused:
        unchanged.apply(Change(put_edges=[dict(edge, source=SOURCE)]))
    assert {p.field for p in refused.value.problems} == {"verified", "strength", "trust"}


def test_other_relationships_may_leave_their_source_out(registry):
    registry.apply(Change(put_edges=[{"type": "PART_OF", "from": "desk", "to": "ons"}]))
    assert registry.edges_of("desk", "out", ["PART_OF"]) == [{"type": "PART_OF", "from": "desk", "to": "ons"}]


def test_a_sourced_judgement_is_kept_and_read_back_exactly(registry):
    judged = {"type": "REACHES", "from": "carers-uk", "to": "carers", "strength": 0.7, "trust": "high",
              "role": "represents", "source": "Toolkit, Case study 4", "verified": "2026-11-01"}
    registry.apply(Change(put_edges=[judged]))
    assert registry.edges_of("carers-uk", "out", ["REACHES"]) == [judged]
    assert registry.graph().edges["carers-uk", "carers", "REACHES"]["source"] == "Toolkit, Case study 4"


# -- the API ---------------------------------------------------------------------------------------

def test_api_edges_refuses_without_a_source_naming_the_field(client, unchanged):
    response = client.post("/api/v1/edges", json={"type": "REACHES", "from": "carers-uk", "to": "carers",
                                                  "strength": 0.6}, headers=token(unchanged, "editor"))
    body = response.get_json()
    assert response.status_code == 400 and body["code"] == 400
    assert body["errors"][WHERE] == {"source": ["is required"], "verified": ["is required"],
                                     "strength": [JUDGEMENT]}


def test_api_edges_writes_and_returns_the_source(client, registry):
    edge = {"type": "PARTNERS_WITH", "from": "ons", "to": "carers-uk", "since": "2020-01-01",
            "source": "https://www.ons.gov.uk/aboutus", "verified": "2025-03-01"}
    response = client.post("/api/v1/edges", json=edge, headers=token(registry, "editor"))
    assert response.status_code == 201 and response.get_json() == edge
    assert registry.edges_of("ons", "out", ["PARTNERS_WITH"]) == [edge]


def test_openapi_says_source_and_verified_are_required_on_the_three_types(client):
    edge = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Edge"]["properties"]
    for key in ("source", "verified"):
        assert "Required on REACHES, PARTNERS_WITH, REFERS_TO" in edge[key]["description"], edge[key]
    assert edge["verified"]["format"] == "date" and edge["source"]["maxLength"] == model.MAX_LINE


def test_api_import_refuses_an_unsourced_reach(client, unchanged):
    document = {"format": "pathways-graph", "version": 1,
                "edges": [{"type": "REACHES", "from": "carers-uk", "to": "carers", "trust": "high"}]}
    admin = token(unchanged, "admin")
    for dry_run in ("?dry_run=true", ""):
        response = client.post("/api/v1/import" + dry_run, json=document, headers=admin)
        assert response.status_code == 400
        assert response.get_json()["errors"][WHERE]["trust"] == [JUDGEMENT]


# -- pathways import, export: JSON and CSV ----------------------------------------------------------

def test_cli_import_json_and_csv_name_the_relationship_and_field(cli, unchanged, tmp_path):
    edge = {"type": "REFERS_TO", "from": "ons", "to": "desk", "note": "Handled by the desk"}
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"format": "pathways-graph", "version": 1, "edges": [edge]}))
    code, _out, err = cli("import", path)
    assert code == 1 and "error: edge REFERS_TO ons -> desk: source: is required" in err, err
    folder = tmp_path / "csv"
    folder.mkdir()
    with open(folder / "edges.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["type", "from", "to", "note", "verified"])
        writer.writerow(["REFERS_TO", "ons", "desk", "Handled by the desk", "2025-01-01"])
    code, _out, err = cli("import", folder)
    assert code == 1 and "error: edge REFERS_TO ons -> desk (line 2): source: is required" in err, err
    assert "verified" not in err


def test_json_and_csv_exports_carry_the_source_and_import_it_back(registry, tmp_path):
    out = io.StringIO()
    transfer.export_json(registry, out)
    written = json.loads(out.getvalue())
    assert {"type": "REACHES", "from": "carers-uk", "to": "carers", "role": "represents", "source": SOURCE,
            "verified": "2026-11-01"} in written["edges"]
    transfer.export_csv(registry, tmp_path / "csv")
    with open(tmp_path / "csv" / "edges.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["type"], r["source"], r["verified"]) for r in rows] == [("REACHES", SOURCE, "2026-11-01")]
    store = open_store(f"sqlite:///{tmp_path / 'back.db'}")  # a second registry (the app's may be Neo4j)
    transfer.import_document(store, transfer.parse_csv_folder(tmp_path / "csv"))
    assert store.edges_of("carers-uk", "out", ["REACHES"]) == registry.edges_of("carers-uk", "out", ["REACHES"])


def test_a_formula_in_a_source_is_neutralised_in_csv_and_restored_on_import(registry, tmp_path):
    hostile = {"type": "REACHES", "from": "carers-uk", "to": "carers", "source": "=HYPERLINK(\"x\")",
               "verified": "2026-11-01"}
    registry.apply(Change(put_edges=[hostile]))
    transfer.export_csv(registry, tmp_path / "csv")
    text = (tmp_path / "csv" / "edges.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text
    store = open_store(f"sqlite:///{tmp_path / 'back.db'}")  # a second registry (the app's may be Neo4j)
    transfer.import_document(store, transfer.parse_csv_folder(tmp_path / "csv"))
    assert store.edges_of("carers-uk", "out", ["REACHES"]) == [hostile]


# -- the pages ---------------------------------------------------------------------------------------

def test_the_record_page_shows_each_relationships_source_and_date(client, registry):
    page = client.get("/records/carers").get_data(as_text=True)
    assert f'<a class="govuk-link" href="{SOURCE}" rel="noopener noreferrer">{SOURCE}</a>' in page
    assert "checked 1 November 2026" in page
    page = client.get("/records/carers-uk").get_data(as_text=True)
    assert f'href="{SOURCE}"' in page


@pytest.mark.parametrize("source", ["javascript:alert(1)", "<script>alert(1)</script>",
                                    "https://example.org/a page with words", "Toolkit, Case study 1"])
def test_a_source_that_is_not_one_web_address_is_text_escaped(client, registry, source):
    registry.apply(Change(put_edges=[dict(DOC["edges"][0], source=source)]))
    page = client.get("/records/carers").get_data(as_text=True)
    assert f'href="{source}"' not in page and "<script>alert(1)" not in page
    assert source.replace("<", "&lt;").replace(">", "&gt;") in page


def test_the_relationship_form_asks_for_the_source_and_date(client, registry):
    sign_in(client, registry)
    path = "/records/carers/relationships/new?kind=REACHES-in"
    page = client.get(path).get_data(as_text=True)
    assert '<label class="govuk-label govuk-label--s" for="source">Source</label>' in page
    assert '<label class="govuk-label govuk-label--s" for="verified">Date of the source</label>' in page
    assert "Strength (optional)" in page
    form = {"csrf_token": csrf(client, path), "kind": "REACHES-in", "other": "carers-uk", "strength": "0.8"}
    refused = client.post("/records/carers/relationships/new", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'id="source-error"' in text and "Source is required" in text
    assert 'id="verified-error"' in text and "Date of the source is required" in text
    assert 'id="strength-error"' in text
    saved = client.post("/records/carers/relationships/new",
                        data=dict(form, source="Toolkit, Case study 4", verified="2026-11-01"))
    assert saved.status_code == 302
    assert registry.edges_of("carers-uk", "out", ["REACHES"]) == [
        {"type": "REACHES", "from": "carers-uk", "to": "carers", "strength": 0.8,
         "source": "Toolkit, Case study 4", "verified": "2026-11-01"}]
    section = client.get("/records/carers").get_data(as_text=True)
    assert "Source: Toolkit, Case study 4 (checked 1 November 2026)" in section


# -- HSDS -----------------------------------------------------------------------------------------------

def test_the_hsds_reach_service_says_where_each_reach_comes_from(registry):
    ds = hsds.build(registry.graph())
    reach = next(s for s in ds.services.values() if s["name"].startswith("Reach the publics Carers UK"))
    assert f"Unpaid carers (represents them; source: {SOURCE}, checked 2026-11-01)" in reach["description"]
    assert hsds.validate(ds) == []
