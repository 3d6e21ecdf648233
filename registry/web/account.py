"""Editors sign in to the web interface by pasting their token; the session keeps only its hash.

The session cookie is HttpOnly, SameSite=Lax and Secure (except on a local run, see
``registry/security.py``); every form carries the CSRF token. A revoked token stops working
at once, because each request looks the hash up again; signing out ends the sign-in on the
server (``registry.auth.start_session``), so a copy of the cookie stops working too. Sign-in attempts are rate-limited.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session

from ..auth import allows, current_identity, end_session, hash_token, start_session
from ..errors import RateLimited
from ..forms import form_status
from ..ratelimit import check as rate_limit
from ..redirects import local_path
from ..store import get_store

bp = Blueprint("account", __name__)
MAX_TOKEN = 200


@bp.route("/account/sign-in", methods=["GET", "POST"])
def sign_in():
    """Paste an editor or admin token to add and change records."""
    next_url = local_path(request.values.get("next"))
    if request.method == "GET":
        return render_template("account/sign_in.html", next_url=next_url, error=None)
    try:
        rate_limit("signin")
    except RateLimited as exc:
        return render_template("account/sign_in.html", next_url=next_url,
                               error=f"You have tried to sign in too many times. Try again in {exc.retry_after} "
                                     "seconds."), 429, {"Retry-After": str(exc.retry_after)}
    value = (request.form.get("token") or "").strip()
    error = None
    found = None
    if not value:
        error = "Enter your token"
    elif len(value) > MAX_TOKEN:
        error = "Enter the token exactly as it was given to you"
    else:
        found = get_store().find_token(hash_token(value))
        if found is None:
            error = "The token is not recognised or has been revoked. Check it, or ask an administrator for a new one"
        elif not allows(found["role"], "editor"):
            error = "This token can only read the registry. Ask an administrator for an editor token"
    if error:
        return render_template("account/sign_in.html", next_url=next_url, error=error), form_status(error)
    end_session(session.get("sid"))
    session.clear()  # a fresh session: nothing from before signing in carries over
    session["token_hash"] = hash_token(value)
    session["sid"] = start_session(session["token_hash"])
    flash(f"You are signed in as {found['name']} ({found['role']})", "success")
    return redirect(next_url)


@bp.post("/account/sign-out")
def sign_out():
    """End this sign-in on the server too, so a copy of the cookie taken before opens nothing."""
    end_session(session.get("sid"))
    session.clear()
    flash("You have signed out", "success")
    return redirect("/")


@bp.get("/account")
def account():
    """Who you are signed in as, and what you can do."""
    identity = current_identity()
    if identity is None:
        return redirect("/account/sign-in?next=/account")
    return render_template("account/account.html", identity=identity)
