"""Security headers, in one place: Flask-Talisman sets them on every answer.

- ``Content-Security-Policy``: everything from this site only; scripts only from this site or
  inline with this request's nonce (``csp_nonce()`` in templates); no inline styles, no
  ``unsafe-inline``, no ``unsafe-eval``; ``frame-ancestors 'none'``, ``object-src 'none'``,
  ``base-uri 'none'``, ``form-action 'self'``.
- ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: strict-origin-when-cross-origin`` (another site is told at most our origin,
  never a page's path or query).
- ``Strict-Transport-Security`` when the request came over HTTPS (directly or, behind a TLS
  proxy, ``X-Forwarded-Proto: https``). Pathways never redirects to HTTPS itself: the proxy does.
- ``Cache-Control: no-store`` on every answer to a request that carried a credential (a
  signed-in session or a Bearer token), and on every ``/account`` page, so a shared cache or
  the browser's history never keeps a signed-in page or a newly created token.

The session cookie is ``Secure`` unless the run is local (see :func:`cookie_secure`).
"""
from __future__ import annotations

from flask import Flask, request, session
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",  # Talisman adds this request's nonce
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
REFERRER_POLICY = "strict-origin-when-cross-origin"
HSTS_MAX_AGE = 31536000  # one year
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
UNCACHED_PREFIXES = ("/static/", "/assets/")  # files that are the same for everyone


def cookie_secure(setting, debug: bool, public_base_url: str | None, trusted_hosts) -> bool:
    """Whether the session cookie is sent only over HTTPS.

    An explicit ``SESSION_COOKIE_SECURE`` wins. Otherwise it is on, except on a local run: the
    debug server, or an app that answers only to 127.0.0.1 / localhost and has no https
    ``PUBLIC_BASE_URL`` (``make run``), where there is no HTTPS to send it over.

    >>> cookie_secure(None, False, "https://pathways.example.org", ["pathways.example.org"])
    True
    >>> cookie_secure(None, False, None, ["127.0.0.1", "localhost"])
    False
    >>> cookie_secure(None, True, "https://pathways.example.org", ["pathways.example.org"])
    False
    >>> cookie_secure(None, False, None, ["registry.internal"])
    True
    >>> cookie_secure(True, False, None, ["127.0.0.1"])
    True
    """
    if setting is not None:
        return bool(setting)
    if debug:
        return False
    https = bool(public_base_url) and public_base_url.startswith("https://")
    return https or not set(trusted_hosts or ()) <= LOOPBACK


def init_app(app: Flask) -> None:
    """Set the headers on every answer and decide whether the session cookie is Secure."""
    secure = cookie_secure(app.config.get("SESSION_COOKIE_SECURE"), app.debug,
                           app.config.get("PUBLIC_BASE_URL"), app.config.get("TRUSTED_HOSTS"))
    app.config["SESSION_COOKIE_SECURE"] = secure
    Talisman(
        app,
        force_https=False,  # a TLS proxy in front redirects; the local run has no HTTPS
        strict_transport_security=True,
        strict_transport_security_max_age=HSTS_MAX_AGE,
        strict_transport_security_include_subdomains=False,
        content_security_policy=CSP,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy=REFERRER_POLICY,
        session_cookie_secure=False,  # decided above; Talisman would force it on whenever not debugging
        session_cookie_http_only=True,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE") or "Lax",
        x_xss_protection=False,  # obsolete; the CSP does this job
    )
    app.after_request(_no_store)


def _no_store(response):
    """``Cache-Control: no-store`` on anything personal or secret."""
    if request.path.startswith(UNCACHED_PREFIXES):
        return response
    credentialed = bool(request.headers.get("Authorization")) or bool(session.get("token_hash"))
    if credentialed or request.path.startswith("/account"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response
