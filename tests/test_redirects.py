"""Redirects that take a user-supplied target stay on this site, whatever the target hides.

The corpus collects the open-redirect bypasses browsers make possible: control characters
they strip (tab, CR, LF), backslashes they read as slashes, percent-encodings some layer
decodes, dot segments that collapse to ``//``, and schemes other than a path.
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from registry import redirects
from registry.auth import hash_token, new_token
from tests.web import csrf

BYPASSES = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "https://evil.example",
    "http://evil.example/records",
    "HTTPS://evil.example",
    "//evil.example/%2F..",
    "/%09/evil.example",
    "/%09/evil.example/phish",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "/\n/evil.example",
    "/\x00/evil.example",
    "/\x0b/evil.example",
    "/\x7f/evil.example",
    "/\x85/evil.example",
    "\t//evil.example",
    "\\t//evil",
    " //evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "\\/evil.example",
    "/%5Cevil.example",
    "/%5cevil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "%2F%2Fevil.example",
    "/%252F%252Fevil.example",
    "/%25252F%25252Fevil.example",
    "/.//evil.example",
    "/./../evil.example/..//evil.example",
    "/..//evil.example",
    "/a/..//evil.example",
    "/%2E//evil.example",
    "/%2e%2e//evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "@evil.example",
    "/records\r\nSet-Cookie: stolen=1",
    "/account%0d%0aSet-Cookie:%20stolen=1",
    "/account%0aLocation:%20//evil.example",
    "/%E3%80%82/evil.example\x00",
    "http:/evil.example",
    "http:evil.example",
    "https:\\\\evil.example",
    "/" + "a" * 3000,
    "",
    None,
]

SAFE = [
    ("/", "/"),
    ("/account", "/account"),
    ("/records/ons/edit", "/records/ons/edit"),
    ("/records/renters/relationships/new?kind=REACHES-in", "/records/renters/relationships/new?kind=REACHES-in"),
    ("/search?q=rent%20%26%20bills&page=2", "/search?q=rent%20%26%20bills&page=2"),
    ("/search?q=http://evil.example", "/search?q=http://evil.example"),  # only the path decides where you go
    ("/records/a/./b/../c", "/records/a/c"),
    ("/records/x#contact-first", "/records/x#contact-first"),
    ("/records/caf\u00e9", "/records/caf%C3%A9"),
    ("/records/a b", "/records/a%20b"),
]


@pytest.mark.parametrize("target", BYPASSES)
def test_every_known_bypass_falls_back_to_the_default(target):
    assert redirects.local_path(target) == "/"
    assert redirects.local_path(target, default="/account") == "/account"


@pytest.mark.parametrize("target, expected", SAFE)
def test_paths_on_this_site_are_kept(target, expected):
    assert redirects.local_path(target) == expected


@pytest.mark.parametrize("target", [t for t in BYPASSES if t] + [t for t, _ in SAFE])
def test_whatever_comes_back_resolves_to_this_site(target):
    """The answer is printable ASCII, a single leading slash, and resolves to this host."""
    out = redirects.local_path(target)
    assert re.fullmatch(r"/(?![/\\])[\x21-\x7e]*|/", out), out
    assert "\\" not in out
    resolved = urlsplit(urljoin("https://pathways.example/base/", out))
    assert (resolved.scheme, resolved.netloc) == ("https", "pathways.example")



@pytest.fixture
def editor_token(app, app_store):
    app.config["RATELIMIT_SIGNIN_PER_MINUTE"] = 10_000  # the corpus is bigger than a minute's allowance
    value = new_token()
    app_store.add_token("alice", "editor", hash_token(value))
    return value


@pytest.mark.parametrize("target", [t for t in BYPASSES if t is not None])
def test_sign_in_never_sends_anyone_off_site(client, editor_token, target):
    form = client.get("/account/sign-in", query_string={"next": target})
    assert form.status_code == 200
    assert 'name="next" value="/"' in form.get_data(as_text=True)
    response = client.post("/account/sign-in", data={"token": editor_token, "next": target,
                                                     "csrf_token": csrf(client, "/account/sign-in")})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_sign_in_still_returns_to_the_page_that_asked(client, editor_token):
    next_url = "/records/renters/relationships/new?kind=REACHES-in"
    response = client.post("/account/sign-in", data={"token": editor_token, "next": next_url,
                                                     "csrf_token": csrf(client, "/account/sign-in")})
    assert response.status_code == 302 and response.headers["Location"] == next_url


def test_cr_lf_in_next_is_a_safe_redirect_not_a_server_error(client, editor_token):
    """Issue 15: CR or LF in ``next`` at sign-in answered 500."""
    response = client.post("/account/sign-in?next=/account%0d%0aSet-Cookie:%20stolen=1",
                           data={"token": editor_token, "csrf_token": csrf(client, "/account/sign-in")})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "stolen" not in str(response.headers)


@pytest.mark.parametrize("path", ["/records/new", "/records/x%0d%0aSet-Cookie:%20a=1/edit",
                                  "/records/x%09/edit"])
def test_signed_out_editors_are_sent_to_sign_in_with_a_safe_next(client, path):
    response = client.get(path)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/account/sign-in?next=") and "\r" not in location and "\n" not in location
