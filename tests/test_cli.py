"""The CLI: exit codes, one-line reasons, located problems, and the data commands."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.test_transfer import RICH, doc

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j


def write(path, data):
    path.write_text(json.dumps(data))
    return path


def test_import_then_export_json(cli, tmp_path):
    code, out, err = cli("import", write(tmp_path / "r.json", RICH))
    assert code == 0, err
    assert "5 created, 0 updated, 0 unchanged, 5 relationships written" in out
    code, out, _ = cli("import", tmp_path / "r.json")
    assert "0 created, 0 updated, 5 unchanged, 0 relationships written" in out
    code, out, err = cli("export", "--format", "json")
    assert code == 0 and "exported 5 records and 5 relationships" in err
    assert len(json.loads(out)["nodes"]) == 5


def test_ten_bad_records_ten_messages_nonzero_exit_store_unchanged(cli, tmp_path):
    cli("import", write(tmp_path / "good.json", RICH))
    bad = [{"id": f"bad{i}", "label": "Statistic", "name": f"Bad {i}", "status": "great"} for i in range(10)]
    code, out, err = cli("import", write(tmp_path / "bad.json", doc(bad)))
    lines = err.strip().splitlines()
    assert code == 1
    assert lines[:10] == [f"error: node 'bad{i}': status: must be one of: accredited_official, official, "
                          "in_development, management_information, other" for i in range(10)]
    assert lines[10] == "pathways: 10 problems found; nothing was written"
    code, out, _ = cli("export")
    assert len(json.loads(out)["nodes"]) == 5


def test_dry_run(cli, tmp_path):
    code, out, _ = cli("import", "--dry-run", write(tmp_path / "r.json", RICH))
    assert code == 0 and "nothing written" in out
    assert json.loads(cli("export")[1])["nodes"] == []


def test_csv_and_graphml_export(cli, tmp_path):
    cli("import", write(tmp_path / "r.json", RICH))
    code, _, err = cli("export", "--format", "csv")
    assert code == 2 and err.strip() == "pathways: csv export writes nodes.csv and edges.csv: give a folder"
    assert cli("export", "--format", "csv", tmp_path / "out")[0] == 0
    assert (tmp_path / "out" / "nodes.csv").read_text().startswith("id,label,name,")
    assert cli("export", "--format", "graphml", tmp_path / "r.graphml")[0] == 0
    assert "<graphml" in (tmp_path / "r.graphml").read_text()


def test_missing_file_is_a_usage_error(cli, tmp_path):
    code, _, err = cli("import", tmp_path / "nope.json")
    assert code == 2 and "does not exist" in err


def test_bad_store_url_is_one_line(cli, tmp_path):
    code, _, err = cli("--store", "mysql://x", "export")
    assert code == 2
    assert err.strip().splitlines() == ["pathways: unsupported store URL 'mysql://x': use sqlite:///path or "
                                        "neo4j://host:port"]


def test_tokens(cli):
    code, out, err = cli("token", "create", "--role", "editor", "--name", "alice")
    assert code == 0 and out.strip().startswith("pw_") and "not shown again" in err
    code, _, err = cli("token", "create", "--role", "editor", "--name", "alice")
    assert code == 1 and "already exists" in err
    code, out, _ = cli("token", "list", "--json")
    assert [t["name"] for t in json.loads(out)] == ["alice"] and "pw_" not in out
    assert cli("token", "revoke", "alice")[0] == 0
    assert cli("token", "revoke", "alice")[0] == 1


def test_audit(cli, tmp_path):
    cli("import", write(tmp_path / "r.json", RICH))
    code, out, _ = cli("audit", "--json")
    entries = json.loads(out)
    assert entries[0]["actor"] == "cli" and entries[0]["after"]["created"] == 5


def test_migrate_copies_and_verifies(cli, tmp_path):
    cli("import", write(tmp_path / "r.json", RICH))
    source = os.environ["REGISTRY_STORE"]
    target = f"sqlite:///{tmp_path / 'copy.db'}"
    code, out, err = cli("migrate", "--from", source, "--to", target, "--batch", "2")
    assert code == 0, err
    assert "copied 5 records and 5 relationships; counts match" in out
    code, _, err = cli("migrate", "--from", source, "--to", target)
    assert code == 1 and "already holds 5 records" in err
    assert json.loads(cli("--store", target, "export")[1])["nodes"] == json.loads(cli("export")[1])["nodes"]


def test_python_dash_m_entry_point(tmp_path):
    env = {**os.environ, "REGISTRY_STORE": f"sqlite:///{tmp_path / 'm.db'}"}
    proc = subprocess.run([sys.executable, "-m", "registry", "import", str(tmp_path / "none.json")],
                          capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_records_of_the_wrong_shape_are_located_problems(cli, tmp_path):
    code, _, err = cli("import", write(tmp_path / "odd.json", doc([{"id": "x", "label": ["Topic"], "name": "X"}],
                                                                  [{"type": ["ABOUT"], "from": "x", "to": "y"}])))
    assert code == 1 and "error: node 'x': label: must be one of" in err and "nothing was written" in err


def test_serve_builds_the_shared_answers_before_it_answers(cli, tmp_path, monkeypatch):
    """``pathways serve`` loads the registry and builds both search indexes, the joined-up needs and
    today's feedback owed before it listens (registry.cache.warm), so no first request keeps every
    other waiting; the search it then answers uses them."""
    import gc

    import waitress

    served = {}

    def fake_serve(app, **options):  # the server itself: answer one search in-process instead
        from registry.store import store_for
        snapshot = store_for(app).snapshot()
        served["built"] = sorted(name for name in ("search", "text_search", "needs.joined", "feedback_debt.today")
                                 if name in snapshot._slots)
        index = snapshot._slots["search"].values[None]  # kept out of the garbage collector's sight
        served["collected"] = any(o is index for o in gc.get_objects())
        served["search"] = app.test_client().get("/api/v1/nodes?q=census").get_json()
    monkeypatch.setattr(waitress, "serve", fake_serve)
    assert cli("import", write(tmp_path / "r.json", RICH))[0] == 0
    code, _out, err = cli("serve", "--port", "5999")
    assert code == 0, err
    assert "building the search indexes and joining up needs" in err and "ready" in err
    assert served["built"] == ["feedback_debt.today", "needs.joined", "search", "text_search"]
    assert served["collected"] is False
    assert "census" in [item["id"] for item in served["search"]["items"]]
