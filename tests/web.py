"""Helpers for tests that drive the web forms through Flask's test client."""
from __future__ import annotations

import re

from registry.auth import hash_token, new_token


def csrf(client, path: str) -> str:
    """The CSRF token of the form on ``path`` (the session keeps it)."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client, store, role="editor", name="alice") -> None:
    """Give ``name`` a token with ``role`` and sign in with it through the real form."""
    value = new_token()
    store.add_token(name, role, hash_token(value))
    response = client.post("/account/sign-in", data={"token": value, "next": "/account",
                                                     "csrf_token": csrf(client, "/account/sign-in")})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
