"""Rules over stored records hold on every write path, on both stores.

Two rules need the registry as it was, so the stores check them inside the write
transaction (``graph.stores.base.rule_problems``): a need follows its lifecycle (a delivered
need does not go back to captured), and an engagement held or reported involves at least one
public — whether it is created so, moved to held, loses its INVOLVED relationship or its
public is deleted. Each path below is tried: the store itself, the API (create, change,
relationships, delete, import), ``pathways import`` (JSON and CSV), the web forms (record,
need status, engagement, relationship removal, record deletion) and ``pathways migrate``.
Each refusal names the record and field, and leaves the registry exactly as it was.
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from graph import model, transfer
from graph.errors import InvalidRecord
from graph.stores import Change
from tests.test_api_auth import token
from tests.web import csrf, sign_in

BOTH_STORES = True

HELD_PUBLIC = "a held or reported engagement must involve at least one public"
BACKWARDS = "a delivered need cannot move to captured; record a new need instead"

DOC = {"format": "pathways-graph", "version": 1, "nodes": [
    {"id": "ons", "label": "Producer", "name": "Office for National Statistics", "kind": "department"},
    {"id": "carers", "label": "Public", "name": "Unpaid carers", "kind": "identity_group"},
    {"id": "renters", "label": "Public", "name": "Private renters", "kind": "identity_group"},
    {"id": "held", "label": "Engagement", "name": "Carers survey", "method": "survey", "start": "2025-03-01",
     "status": "held"},
    {"id": "planned", "label": "Engagement", "name": "Renters panel", "method": "panel_meeting",
     "start": "2026-06-01", "status": "planned"},
    {"id": "done", "label": "Need", "name": "Local figures", "status": "delivered",
     "statement": "As a carer, I need local figures, so that I can argue for support"},
], "edges": [
    {"type": "INVOLVED", "from": "held", "to": "carers"},
    {"type": "RAN", "from": "ons", "to": "held"},
    {"type": "OWNED_BY", "from": "done", "to": "ons"},
]}
NEW_HELD = {"id": "new-held", "label": "Engagement", "name": "Focus groups", "method": "focus_group",
            "start": "2025-05-01", "status": "reported"}


def node(node_id: str) -> dict:
    return next(dict(n) for n in DOC["nodes"] if n["id"] == node_id)


def exported(store) -> tuple:
    out = io.StringIO()
    transfer.export_json(store, out)
    return out.getvalue(), store.revision()


def messages(response, record: str, field: str) -> list[str]:
    body = response.get_json()
    assert 400 <= response.status_code < 500 and body["code"] == response.status_code, body
    return body["errors"].get(record, {}).get(field, [])


@pytest.fixture
def registry(app_store):
    transfer.import_document(app_store, transfer.document_from_data(DOC))
    return app_store


@pytest.fixture
def web(registry, client):
    return client


@pytest.fixture
def unchanged(registry):
    """Asserts, after the test's refused write, that nothing at all was written."""
    before = exported(registry)
    yield registry
    assert exported(registry) == before


# -- the store itself --------------------------------------------------------------------------

def test_the_store_refuses_a_need_moving_backwards_and_a_held_engagement_without_a_public(unchanged):
    with pytest.raises(InvalidRecord) as refused:
        unchanged.apply(Change(put_nodes=[dict(node("done"), status="captured")]))
    assert [str(p) for p in refused.value.problems] == [f"node 'done': status: {BACKWARDS}"]
    assert [str(p) for p in unchanged.check(Change(put_nodes=[dict(node("done"), status="captured")]))] == \
        [f"node 'done': status: {BACKWARDS}"]
    for change in (Change(put_nodes=[NEW_HELD]),
                   Change(put_nodes=[dict(node("planned"), status="held")]),
                   Change(delete_edges=[("INVOLVED", "held", "carers")]),
                   Change(delete_nodes=["carers"])):
        with pytest.raises(InvalidRecord) as refused:
            unchanged.apply(change)
        assert [p.field for p in refused.value.problems] == ["INVOLVED"]
        assert refused.value.problems[0].message == HELD_PUBLIC
        assert unchanged.check(change) == refused.value.problems


def test_the_store_allows_what_the_rules_allow(registry):
    registry.apply(Change(put_nodes=[NEW_HELD], put_edges=[{"type": "INVOLVED", "from": "new-held", "to": "renters"}]))
    registry.apply(Change(put_edges=[{"type": "INVOLVED", "from": "held", "to": "renters"}]))
    registry.apply(Change(delete_edges=[("INVOLVED", "held", "carers")]))  # it still involves renters
    registry.apply(Change(delete_nodes=["held"]))  # an engagement may go, with its relationships
    registry.apply(Change(put_nodes=[dict(node("planned"), status="held")],
                          put_edges=[{"type": "INVOLVED", "from": "planned", "to": "carers"}]))
    captured = {"id": "n2", "label": "Need", "name": "N", "status": "captured",
                "statement": "As a renter, I need rents, so that I can plan"}
    registry.apply(Change(put_nodes=[captured]))
    registry.apply(Change(put_nodes=[dict(captured, status="under_review")]))
    registry.apply(Change(put_nodes=[dict(node("done"), status="delivered", priority=2)]))  # same status, other change
    assert registry.get_node("n2")["status"] == "under_review"


# -- the API -------------------------------------------------------------------------------------

def test_api_patch_cannot_move_a_delivered_need_back(client, unchanged):
    response = client.patch("/api/v1/nodes/done", json={"status": "captured"},
                            headers={**token(unchanged, "editor"), "If-Match": '"1"'})
    assert response.status_code == 400 and BACKWARDS in messages(response, "node 'done'", "status")


def test_api_status_endpoint_gives_the_same_refusal(client, unchanged):
    response = client.post("/api/v1/needs/done/status", json={"status": "captured"},
                           headers={**token(unchanged, "editor"), "If-Match": '"1"'})
    assert response.status_code == 400 and BACKWARDS in messages(response, "need 'done'", "status")


def test_api_create_of_a_held_engagement_needs_a_public(client, unchanged):
    response = client.post("/api/v1/nodes", json=NEW_HELD, headers=token(unchanged, "editor"))
    assert HELD_PUBLIC in messages(response, "node 'new-held'", "INVOLVED")


def test_api_patch_to_held_needs_a_public(client, unchanged):
    response = client.patch("/api/v1/nodes/planned", json={"status": "held"},
                            headers={**token(unchanged, "editor"), "If-Match": '"1"'})
    assert HELD_PUBLIC in messages(response, "node 'planned'", "INVOLVED")


def test_api_cannot_remove_the_only_public_of_a_held_engagement(client, unchanged):
    response = client.delete("/api/v1/edges?type=INVOLVED&from=held&to=carers", headers=token(unchanged, "editor"))
    assert HELD_PUBLIC in messages(response, "node 'held'", "INVOLVED")


def test_api_cannot_delete_the_only_public_of_a_held_engagement(client, unchanged):
    response = client.delete("/api/v1/nodes/carers?confirm=true", headers={**token(unchanged, "admin"), "If-Match": '"1"'})
    assert HELD_PUBLIC in messages(response, "node 'held'", "INVOLVED")


@pytest.mark.parametrize("record, where, field, message", [
    (dict(node("done"), status="captured"), "node 'done'", "status", BACKWARDS),
    (NEW_HELD, "node 'new-held'", "INVOLVED", HELD_PUBLIC),
])
def test_api_import_applies_both_rules(client, unchanged, record, where, field, message):
    document = {"format": "pathways-graph", "version": 1, "nodes": [record]}
    admin = token(unchanged, "admin")
    for dry_run in ("?dry_run=true", ""):
        response = client.post("/api/v1/import" + dry_run, json=document, headers=admin)
        assert message in messages(response, where, field)


# -- pathways import -------------------------------------------------------------------------------

@pytest.mark.parametrize("record, field, message", [
    (dict(node("done"), status="captured"), "status", BACKWARDS),
    (NEW_HELD, "INVOLVED", HELD_PUBLIC),
])
def test_cli_import_json_and_csv_apply_both_rules(cli, unchanged, tmp_path, record, field, message):
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"format": "pathways-graph", "version": 1, "nodes": [record]}))
    code, _out, err = cli("import", path)
    assert code == 1 and f"error: node '{record['id']}': {field}: {message}" in err, err
    folder = tmp_path / "csv"
    folder.mkdir()
    columns = list(record)
    with open(folder / "nodes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerow([model.csv_cell(record[c]) for c in columns])
    code, _out, err = cli("import", folder)
    assert code == 1 and f"error: node '{record['id']}' (line 2): {field}: {message}" in err, err


# -- the web forms -----------------------------------------------------------------------------------

def test_record_form_cannot_move_a_delivered_need_back(web, unchanged):
    sign_in(web, unchanged)
    form = {"csrf_token": csrf(web, "/records/done/edit"), "version": "1", "name": "Local figures",
            "statement": node("done")["statement"], "status": "captured"}
    response = web.post("/records/done/edit", data=form)
    assert response.status_code == 400 and "a delivered need cannot move to captured" in response.get_data(as_text=True)


def test_need_status_form_refuses_the_same_move(web, unchanged):
    sign_in(web, unchanged)
    # A delivered need's page offers no moves; a crafted post is refused all the same.
    response = web.post("/needs/done/status", data={"csrf_token": csrf(web, "/records/done/edit"),
                                                    "status": "captured", "version": "1"})
    assert response.status_code == 400 and "A delivered need cannot move to captured" in response.get_data(as_text=True)


def test_record_form_cannot_mark_an_engagement_held_without_a_public(web, unchanged):
    sign_in(web, unchanged)
    planned = node("planned")
    form = {"csrf_token": csrf(web, "/records/planned/edit"), "version": "1", "name": planned["name"],
            "method": planned["method"], "start-day": "1", "start-month": "6", "start-year": "2026", "status": "held"}
    response = web.post("/records/planned/edit", data=form)
    assert response.status_code == 400 and HELD_PUBLIC in response.get_data(as_text=True)


def test_engagement_form_names_the_publics_box(web, unchanged):
    sign_in(web, unchanged)
    form = {"csrf_token": csrf(web, "/engagements/new"), "id": "form-held", "name": "Workshop", "method": "workshop",
            "start-day": "2", "start-month": "2", "start-year": "2025", "status": "held", "producer": "ons"}
    response = web.post("/engagements/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and HELD_PUBLIC in page.lower()
    assert 'id="publics-error"' in page  # the message sits on the box for the publics


def test_removing_the_only_public_on_the_web_is_refused_with_the_reason(web, unchanged):
    sign_in(web, unchanged)
    path = "/records/held/relationships/remove?type=INVOLVED&other=carers&direction=out"
    response = web.post("/records/held/relationships/remove", data={
        "csrf_token": csrf(web, path), "type": "INVOLVED", "other": "carers", "direction": "out"})
    assert response.status_code == 400 and HELD_PUBLIC in response.get_data(as_text=True)


def test_deleting_the_only_public_on_the_web_is_refused_with_the_reason(web, unchanged):
    sign_in(web, unchanged, "admin")
    response = web.post("/records/carers/delete", data={"csrf_token": csrf(web, "/records/carers/delete"),
                                                        "version": "1"})
    assert response.status_code == 400 and HELD_PUBLIC in response.get_data(as_text=True)


# -- pathways migrate ------------------------------------------------------------------------------------

def test_migrate_copies_held_engagements_with_their_publics(registry, tmp_path, monkeypatch):
    """A store-to-store copy in small batches: every batch must pass the rules on its own."""
    from click.testing import CliRunner

    from registry.cli import main
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    source = registry.url
    result = CliRunner().invoke(main, ["migrate", "--from", source, "--to", target, "--batch", "2"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    from graph.stores import open_store
    copy = open_store(target)
    try:
        assert copy.counts() == registry.counts()
        assert ("held", "carers") in copy.involved_pairs(["held"])
    finally:
        copy.close()
