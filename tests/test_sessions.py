"""Sign-out and token revocation really end a web session (issue 16, item 4).

Flask's session is a signed cookie, so before this change a copy taken before sign-out kept
opening ``/account`` for as long as the token lived. Each test replays such a copy.
"""
from __future__ import annotations

import re

import pytest

from registry import create_app
from registry.auth import hash_token, new_token
from registry.security import cookie_secure

from tests.web import csrf

BOTH_STORES = True  # the sign-ins live in the store: the same rules on the embedded store and on Neo4j


def sign_in_with(client, value: str):
    return client.post("/account/sign-in", data={"token": value, "next": "/account",
                                                 "csrf_token": csrf(client, "/account/sign-in")})


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def fresh_client(app, cookie_value: str):
    """Another browser that has only a copy of the cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie_value)
    return other


@pytest.fixture
def editor(app_store):
    value = new_token()
    app_store.add_token("alice", "editor", hash_token(value))
    return value


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app, client, editor):
    assert sign_in_with(client, editor).status_code == 302
    stolen = session_cookie(client)
    assert "Signed in as alice" in fresh_client(app, stolen).get("/account").get_data(as_text=True)

    page = client.get("/account").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/account/sign-out", data={"csrf_token": token}).status_code == 302

    thief = fresh_client(app, stolen)
    answer = thief.get("/account")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/account/sign-in")
    assert "Signed in as" not in thief.get("/records/new").get_data(as_text=True)
    assert thief.get("/records/new").status_code in (302, 401, 403)


def test_signing_in_again_does_not_revive_the_old_cookie(app, client, editor):
    sign_in_with(client, editor)
    first = session_cookie(client)
    sign_in_with(client, editor)  # a fresh sign-in ends the one before
    assert fresh_client(app, first).get("/account").status_code == 302
    assert client.get("/account").status_code == 200


def test_revoking_the_token_ends_the_session(app, client, app_store, editor):
    sign_in_with(client, editor)
    copy = session_cookie(client)
    assert app_store.revoke_token("alice")
    assert client.get("/account").status_code == 302
    assert fresh_client(app, copy).get("/account").status_code == 302


def test_a_session_ends_after_its_maximum_age(app, client, editor):
    sign_in_with(client, editor)
    assert client.get("/account").status_code == 200
    app.config["SESSION_MAX_AGE_SECONDS"] = -1
    assert client.get("/account").status_code == 302


def test_a_forged_session_without_a_sign_in_record_is_refused(app, client, editor):
    """A session holding only the token's hash (what the cookie was before) opens nothing."""
    with client.session_transaction() as session:
        session["token_hash"] = hash_token(editor)
    assert client.get("/account").status_code == 302


def test_a_sign_in_is_good_on_every_app_server_and_ends_on_all(app, client, store_url, editor):
    """Two app servers on one store (as behind a load balancer) share the sign-ins."""
    other_server = create_app({"TESTING": True, "REGISTRY_STORE": store_url, "SECRET_KEY": "test-secret"})
    assert sign_in_with(client, editor).status_code == 302
    cookie = session_cookie(client)
    there = fresh_client(other_server, cookie)
    assert "Signed in as alice" in there.get("/account").get_data(as_text=True)
    page = there.get("/account").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert there.post("/account/sign-out", data={"csrf_token": token}).status_code == 302
    assert fresh_client(app, cookie).get("/account").status_code == 302
    other_server.extensions["pathways.store"].close()


def test_the_cookie_is_secure_by_default_but_not_on_a_local_run(tmp_path):
    base = {"REGISTRY_STORE": f"sqlite:///{tmp_path / 'r.db'}", "SECRET_KEY": "k"}
    production = create_app({**base, "PUBLIC_BASE_URL": "https://pathways.example.org"})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert create_app({**base, "TRUSTED_HOSTS": ["registry.internal"]}).config["SESSION_COOKIE_SECURE"] is True
    assert create_app(base).config["SESSION_COOKIE_SECURE"] is False  # 127.0.0.1 / localhost only
    assert create_app({**base, "SESSION_COOKIE_SECURE": True}).config["SESSION_COOKIE_SECURE"] is True
    assert cookie_secure(None, True, "https://pathways.example.org", ["pathways.example.org"]) is False


def test_the_production_cookie_says_secure(tmp_path):
    app = create_app({"REGISTRY_STORE": f"sqlite:///{tmp_path / 'r.db'}", "SECRET_KEY": "k",
                      "PUBLIC_BASE_URL": "https://pathways.example.org"})
    value = new_token()
    from registry.store import store_for
    store_for(app).add_token("bob", "editor", hash_token(value))
    client = app.test_client()
    base = "https://pathways.example.org"
    page = client.get(f"{base}/account/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(f"{base}/account/sign-in", data={"token": value, "csrf_token": token})
    assert answer.status_code == 302
    cookie = [h for h in answer.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
