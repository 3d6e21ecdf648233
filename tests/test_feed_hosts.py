"""Absolute links come from PUBLIC_BASE_URL or a trusted host, never from whatever Host a client sends."""
from __future__ import annotations

import pytest

from graph.stores import Change
from registry import config, create_app
from registry.store import store_for
from tests.test_feeds import A, EDGES, NODES, check_atom

FEEDS = ["/feeds/producers/ons.atom", "/feeds/topics/t.society.atom"]


def make_app(tmp_path, **settings):
    app = create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{tmp_path / 'app.db'}",
                      "SECRET_KEY": "test-secret", **settings})
    store_for(app).apply(Change(put_nodes=NODES, put_edges=EDGES, audit="summary"))
    return app


def links(body: bytes) -> set[str]:
    root = check_atom(body)
    found = {link.get("href") for link in root.iter(A + "link")}
    return found | {entry.find(A + "id").text for entry in root.findall(A + "entry")}


@pytest.mark.parametrize("path", FEEDS)
@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "localhost.evil.example", "127.0.0.1.evil.example"])
def test_a_feed_asked_for_with_a_foreign_host_names_no_foreign_site(tmp_path, path, host):
    app = make_app(tmp_path)
    response = app.test_client().get(path, headers={"Host": host})
    assert response.status_code == 400
    assert b"evil.example" not in response.data


@pytest.mark.parametrize("path", FEEDS)
def test_a_feed_on_a_trusted_host_links_to_that_host(tmp_path, path):
    app = make_app(tmp_path)
    body = app.test_client().get(path, headers={"Host": "127.0.0.1:8000"}).data
    assert {link for link in links(body) if link.startswith("http") and "example.org" not in link}
    assert all(link.startswith(("http://127.0.0.1:8000/", "https://example.org/", "tag:")) for link in links(body))


@pytest.mark.parametrize("path", FEEDS)
@pytest.mark.parametrize("host", ["localhost", "pathways.example.org", "evil.example"])
def test_with_public_base_url_every_link_uses_it(tmp_path, path, host):
    app = make_app(tmp_path, PUBLIC_BASE_URL="https://pathways.example.org/")
    response = app.test_client().get(path, headers={"Host": host})
    if host == "evil.example":
        assert response.status_code == 400
        return
    found = links(response.data)
    assert "https://pathways.example.org/feeds/" + path.split("/feeds/")[1] in found
    assert all(link.startswith(("https://pathways.example.org/", "https://example.org/", "tag:")) for link in found)


def test_pages_answer_an_untrusted_host_with_400_not_500(tmp_path):
    client = make_app(tmp_path).test_client()
    for path in ("/", "/records/ons", "/api/v1/nodes/ons"):
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 400, path


def test_trusted_hosts_come_from_the_environment():
    found = config.from_environment({"TRUSTED_HOSTS": " pathways.example.org, .gov.example ,",
                                     "PUBLIC_BASE_URL": "https://pathways.example.org"})
    assert found == {"TRUSTED_HOSTS": ["pathways.example.org", ".gov.example"],
                     "PUBLIC_BASE_URL": "https://pathways.example.org"}


def test_a_malformed_public_base_url_stops_the_app_starting(tmp_path):
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        create_app({"REGISTRY_STORE": f"sqlite:///{tmp_path / 'app.db'}", "SECRET_KEY": "x",
                    "PUBLIC_BASE_URL": "//pathways.example.org"})
