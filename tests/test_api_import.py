"""POST /api/v1/import: admin only, JSON body or uploaded file, all or nothing."""
from __future__ import annotations

import io
import json

from tests.test_api_auth import DOC, snapshot, token

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j


def test_import_json_body_writes_everything_and_audits_a_summary(client, app_store):
    admin = token(app_store, "admin", "root")
    response = client.post("/api/v1/import", json=DOC, headers=admin)
    assert response.status_code == 200
    assert response.json["created"] == 3 and response.json["edges_written"] == 1
    assert app_store.count_nodes() == 3
    entry = app_store.audit_entries()[0]
    assert entry["actor"] == "token:root" and entry["action"] == "import" and entry["after"]["created"] == 3
    again = client.post("/api/v1/import", json=DOC, headers=admin)
    assert again.json["unchanged"] == 3 and again.json["created"] == 0


def test_import_uploaded_file_and_dry_run(client, app_store):
    admin = token(app_store, "admin")
    data = {"file": (io.BytesIO(json.dumps(DOC).encode()), "registry.json")}
    dry = client.post("/api/v1/import?dry_run=true", data=data, headers=admin, content_type="multipart/form-data")
    assert dry.status_code == 200 and dry.json == {"nodes": 3, "edges": 1, "dry_run": True}
    assert app_store.count_nodes() == 0
    data = {"file": (io.BytesIO(json.dumps(DOC).encode()), "registry.json")}
    done = client.post("/api/v1/import", data=data, headers=admin, content_type="multipart/form-data")
    assert done.status_code == 200 and app_store.count_nodes() == 3


def test_one_bad_record_writes_nothing_and_names_every_problem(client, app_store):
    admin = token(app_store, "admin")
    bad = {**DOC, "nodes": DOC["nodes"] + [{"id": "p", "label": "Public", "name": "P", "capacity": "lots"}],
           "edges": DOC["edges"] + [{"type": "ABOUT", "from": "census", "to": "ghost"}]}
    before = snapshot(app_store)
    response = client.post("/api/v1/import", json=bad, headers=admin)
    assert response.status_code == 400
    assert response.json["errors"] == {"node 'p'": {"capacity": ["must be a number"]},
                                       "edge ABOUT census -> ghost": {"to": ["no record with id 'ghost'"]}}
    assert snapshot(app_store) == before


def test_wrong_envelope_or_body_type_is_400(client, app_store):
    admin = token(app_store, "admin")
    wrong = client.post("/api/v1/import", json={"format": "other"}, headers=admin)
    assert wrong.status_code == 400 and wrong.json["errors"] == {"body": {"format": ['must be "pathways-graph"']}}
    text = client.post("/api/v1/import", data="nodes", content_type="text/plain", headers=admin)
    assert text.status_code == 400 and "multipart" in text.json["message"]
    broken = client.post("/api/v1/import", data=b"{nope", content_type="application/json", headers=admin)
    assert broken.status_code == 400 and "not valid JSON" in broken.json["message"]
    assert app_store.count_nodes() == 0


# -- the CSV form, as two multipart files ------------------------------------------

NODES_CSV = ("id,label,name,kind,seldom_heard,capacity,tags\n"
             "ons,Producer,Office for National Statistics,department,,,\"[\"\"ONS\"\"]\"\n"
             "census,Statistic,Census 2021,,,,\n"
             "renters,Public,\"Renters, Wales\",,true,8,\n")
EDGES_CSV = "type,from,to,strength,trust\nPRODUCES,ons,census,,\n"


def csv_files(nodes=None, edges=None):
    files = {}
    if nodes is not None:
        files["nodes"] = (io.BytesIO(nodes.encode("utf-8") if isinstance(nodes, str) else nodes), "nodes.csv")
    if edges is not None:
        files["edges"] = (io.BytesIO(edges.encode("utf-8") if isinstance(edges, str) else edges), "edges.csv")
    return files


def test_import_csv_files_writes_the_same_as_the_json_document(client, app_store):
    admin = token(app_store, "admin", "root")
    response = client.post("/api/v1/import", data=csv_files("\ufeff" + NODES_CSV, EDGES_CSV), headers=admin,
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.json
    assert response.json["created"] == 3 and response.json["edges_written"] == 1
    assert app_store.get_node("renters") == {"id": "renters", "label": "Public", "name": "Renters, Wales",
                                             "seldom_heard": True, "capacity": 8, "version": 1}
    assert app_store.get_node("ons")["tags"] == ["ONS"]
    assert [e["to"] for e in app_store.edges_of("ons", "out")] == ["census"]
    assert app_store.audit_entries()[0]["actor"] == "token:root"


def test_import_csv_either_file_alone_and_dry_run(client, app_store):
    admin = token(app_store, "admin")
    dry = client.post("/api/v1/import?dry_run=true", data=csv_files(NODES_CSV), headers=admin,
                      content_type="multipart/form-data")
    assert dry.status_code == 200 and dry.json == {"nodes": 3, "edges": 0, "dry_run": True}
    assert app_store.count_nodes() == 0
    assert client.post("/api/v1/import", data=csv_files(NODES_CSV), headers=admin,
                       content_type="multipart/form-data").json["created"] == 3
    edges_only = client.post("/api/v1/import", data=csv_files(edges="type,from,to\nPRODUCES,ons,census\n"),
                             headers=admin, content_type="multipart/form-data")
    assert edges_only.status_code == 200 and edges_only.json["edges_written"] == 1


def test_bad_csv_names_the_line_and_field_and_writes_nothing(client, app_store):
    admin = token(app_store, "admin")
    before = snapshot(app_store)
    bad_nodes = NODES_CSV + "p,Public,P,,maybe,lots,\n"
    response = client.post("/api/v1/import", data=csv_files(bad_nodes, "type,from,to\nABOUT,census,ghost\n"),
                           headers=admin, content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.json["errors"] == {
        "node 'p' (line 5)": {"seldom_heard": ["must be true or false"], "capacity": ["must be a number"]},
        "edge ABOUT census -> ghost (line 2)": {"to": ["no record with id 'ghost'"]}}
    assert snapshot(app_store) == before
    missing = client.post("/api/v1/import", data=csv_files("id,name\nx,X\n"), headers=admin,
                          content_type="multipart/form-data")
    assert missing.status_code == 400 and missing.json["errors"] == {
        "nodes.csv": {"label": ["column is missing; the first columns must be id, label, name"]}}
    latin1 = client.post("/api/v1/import", data=csv_files("id,label,name\nx,Topic,Café\n".encode("latin-1")),
                         headers=admin, content_type="multipart/form-data")
    assert latin1.status_code == 400 and latin1.json["errors"] == {"nodes.csv": {"_record": ["is not UTF-8 text"]}}
    both = client.post("/api/v1/import", data={**csv_files(NODES_CSV),
                                               "file": (io.BytesIO(json.dumps(DOC).encode()), "r.json")},
                       headers=admin, content_type="multipart/form-data")
    assert both.status_code == 400 and "not both" in both.json["message"]
    assert snapshot(app_store) == before


def test_csv_import_needs_admin(client, app_store):
    editor = token(app_store, "editor")
    response = client.post("/api/v1/import", data=csv_files(NODES_CSV), headers=editor,
                           content_type="multipart/form-data")
    assert response.status_code == 403 and app_store.count_nodes() == 0
