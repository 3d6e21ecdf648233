"""pathways migrate copies the seed registry to a real Neo4j and back, unchanged."""
from __future__ import annotations

import json
import os

import pytest

from tests.conftest import neo4j_url_or_skip

pytestmark = pytest.mark.neo4j


def test_seed_to_neo4j_and_back_gives_identical_exports(cli, tmp_path):
    url = neo4j_url_or_skip()
    from graph.stores import open_store
    neo4j = open_store(url)
    neo4j.wipe()
    neo4j.close()
    assert cli("seed")[0] == 0
    embedded = os.environ["REGISTRY_STORE"]
    back = f"sqlite:///{tmp_path / 'back.db'}"
    code, out, err = cli("migrate", "--from", embedded, "--to", url, "--batch", "100")
    assert code == 0, err
    code, out, err = cli("migrate", "--from", url, "--to", back)
    assert code == 0 and "counts match" in out, err
    first, second = json.loads(cli("export")[1]), json.loads(cli("--store", back, "export")[1])
    assert len(first["nodes"]) > 300 and first == second
    via_neo4j = json.loads(cli("--store", url, "export")[1])
    assert via_neo4j == first
