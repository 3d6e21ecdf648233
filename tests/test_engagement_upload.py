"""Editors record many engagements at once from a CSV file: all of it, or nothing and every line's problem."""
from __future__ import annotations

import io

import pytest

from graph import engagement_upload, transfer
from graph.errors import InvalidRecord
from tests.web import csrf, sign_in

BOTH_STORES = True

DOC = {"format": "pathways-graph", "version": 1, "nodes": [
    {"id": "ons", "label": "Producer", "name": "Office for National Statistics", "kind": "department"},
    {"id": "carers", "label": "Public", "name": "Unpaid carers", "kind": "identity_group"},
    {"id": "renters", "label": "Public", "name": "Private renters", "kind": "identity_group"},
    {"id": "carers-uk", "label": "Intermediary", "name": "Carers UK", "kind": "civil_society"},
    {"id": "hbai", "label": "Statistic", "name": "Households below average income"},
]}
HEADER = "id,name,method,start,end,status,participants,remunerated,publics,via,on,producers"
GOOD = [HEADER,
        "eng.survey,Carers survey,survey,2025-03-01,2025-04-30,reported,412,false,carers,carers-uk,hbai,ons",
        "eng.panel,Renters panel,panel_meeting,2025-06-10,,held,12,true,renters;carers,,,ons"]


def csv_bytes(lines) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@pytest.fixture
def registry(app_store):
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    return app_store


def post(client, data: bytes, name="engagements.csv"):
    return client.post("/engagements/upload", data={"csrf_token": csrf(client, "/engagements/upload"),
                                                    "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def exported(store) -> str:
    out = io.StringIO()
    transfer.export_json(store, out)
    return out.getvalue()


def test_a_good_file_saves_every_engagement_with_its_links(client, registry):
    sign_in(client, registry)
    response = post(client, csv_bytes(GOOD))
    assert response.status_code == 303 and response.headers["Location"] == "/burden"
    survey = registry.get_node("eng.survey")
    assert survey["participants"] == 412 and survey["remunerated"] is False and survey["end"] == "2025-04-30"
    assert sorted(registry.involved_pairs(["eng.panel"])) == [("eng.panel", "carers"), ("eng.panel", "renters")]
    edges = {(e["type"], e["from"], e["to"]) for e in registry.edges_of("eng.survey")}
    assert edges == {("INVOLVED", "eng.survey", "carers"), ("VIA", "eng.survey", "carers-uk"),
                     ("ON", "eng.survey", "hbai"), ("RAN", "ons", "eng.survey")}
    page = client.get("/burden").get_data(as_text=True)
    assert "2 engagements from engagements.csv saved: 2 new, 0 changed, 0 unchanged" in page
    again = post(client, csv_bytes(GOOD))  # the same file twice changes nothing
    assert again.status_code == 303 and registry.get_node("eng.survey")["version"] == 1


@pytest.mark.parametrize("line, where, message", [
    ("eng.bad,Bad,survey,2025-02-30,,held,,,carers,,,ons", "line 3", "start: must be a date as YYYY-MM-DD"),
    ("eng.bad,Bad,survey,2025-02-01,,held,,,,,,ons", "line 3", "a held or reported engagement must involve"),
    ("eng.bad,Bad,survey,2025-02-01,,held,,,nobody,,,ons", "line 3", "no record with id 'nobody'"),
    ("eng.bad,Bad,survey,2025-02-01,,held,-3,,carers,,,ons", "line 3", "participants: must be at least 0"),
    ("eng.bad,Bad,séance,2025-02-01,,held,,,carers,,,ons", "line 3", "method: must be one of"),
])
def test_one_wrong_line_saves_nothing_and_is_named(client, registry, line, where, message):
    sign_in(client, registry)
    before = exported(registry)
    response = post(client, csv_bytes([GOOD[0], GOOD[1], line]))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was saved" in page
    assert where in page and message in page.replace("&#39;", "'"), page[page.find("govuk-error-summary"):][:800]
    assert exported(registry) == before


def test_files_that_are_not_an_engagement_csv_are_refused(client, registry):
    sign_in(client, registry)
    before = exported(registry)
    for data, message in ((b"\xff\xfe\x00nope", "is not UTF-8 text"),
                          (csv_bytes([HEADER]), "has no engagements"),
                          (csv_bytes(["id,name,colour", "e,E,blue"]), "colour: is not a column an engagement upload takes"),
                          (csv_bytes(["name,method", "E,survey"]), "column is missing")):
        response = post(client, data)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert client.post("/engagements/upload", data={"csrf_token": csrf(client, "/engagements/upload")}).status_code == 400
    assert exported(registry) == before


def test_signed_out_editors_are_sent_to_sign_in_and_nothing_is_read(client, registry):
    signed_out = client.get("/engagements/upload")
    assert signed_out.status_code == 302 and signed_out.headers["Location"] == "/account/sign-in?next=/engagements/upload"
    before = exported(registry)
    sent = client.post("/engagements/upload", data={"file": (io.BytesIO(csv_bytes(GOOD)), "e.csv")},
                       content_type="multipart/form-data")
    assert sent.status_code in (302, 400) and exported(registry) == before


def test_the_template_reads_back_as_one_valid_engagement(client):
    response = client.get("/engagements/upload/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    doc = engagement_upload.parse(response.get_data())
    assert [n["id"] for n in doc.nodes] == ["eng.carers-survey-2025"] and doc.nodes[0]["participants"] == 412


def test_formula_cells_are_read_as_text_not_run():
    doc = engagement_upload.parse(csv_bytes([HEADER, "e1,'=HYPERLINK(1),survey,2025-01-01,,planned,,,,,,"]))
    assert doc.nodes[0]["name"] == "=HYPERLINK(1)"
    with pytest.raises(InvalidRecord):
        engagement_upload.parse(b"")
