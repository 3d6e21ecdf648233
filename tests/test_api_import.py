"""POST /api/v1/import: admin only, JSON body or uploaded file, all or nothing."""
from __future__ import annotations

import io
import json

from tests.test_api_auth import DOC, snapshot, token


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
