"""Security headers on every answer, set in one place (issue 16, item 3)."""
from __future__ import annotations

import re

import pytest

from registry.auth import hash_token, new_token
from tests.web import sign_in

PAGES = ["/", "/contact?q=census", "/publics", "/burden", "/burden/check", "/gaps", "/map", "/needs",
         "/you-said-we-did", "/about", "/api/v1/docs", "/account/sign-in", "/search?q=census",
         "/records/does-not-exist", "/api/v1/openapi.json"]


def csp_of(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", PAGES)
def test_every_answer_has_the_headers(client, path):
    answer = client.get(path)
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = csp_of(answer)
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert csp["default-src"] == "'self'" and csp["style-src"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9_-]{20,}'", csp["script-src"])
    assert "unsafe-inline" not in answer.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in answer.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in answer.headers  # plain http: HSTS would mean nothing


@pytest.mark.parametrize("path", ["/", "/map", "/needs/new", "/burden", "/about", "/api/v1/docs"])
def test_every_script_carries_this_requests_nonce_and_nothing_is_styled_inline(client, app_store, path):
    sign_in(client, app_store)  # /needs/new is for editors
    answer = client.get(path)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", answer.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script\b([^>]*)>", page)
    assert scripts
    for attributes in scripts:
        assert f'nonce="{nonce}"' in attributes or 'type="application/json"' in attributes, attributes
    assert not re.search(r"<style\b|\sstyle=", page)
    assert not re.search(r"\son[a-z]+=\"", page)  # no inline event handlers
    assert client.get(path).headers["Content-Security-Policy"] != answer.headers["Content-Security-Policy"]


def test_hsts_over_https(client):
    assert client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"] == "max-age=31536000"
    behind_proxy = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert behind_proxy.headers["Strict-Transport-Security"].startswith("max-age=")


def test_public_pages_may_be_cached_but_signed_in_ones_may_not(client, app_store):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    assert client.get("/account/sign-in").headers["Cache-Control"] == "no-store"
    sign_in(client, app_store)
    for path in ("/", "/account", "/records/new", "/map"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    static = client.get("/static/pathways.css")
    static.close()
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")


def test_the_answer_that_carries_a_new_token_is_never_stored(client, app_store):
    admin = new_token()
    app_store.add_token("root", "admin", hash_token(admin))
    answer = client.post("/api/v1/tokens", json={"name": "robot", "role": "editor"},
                         headers={"Authorization": f"Bearer {admin}"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    assert answer.get_json()["token"].startswith("pw_")
    assert answer.headers["Cache-Control"] == "no-store"
