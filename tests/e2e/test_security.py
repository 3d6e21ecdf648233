"""Every page, the map included, carries the security headers and breaks no rule of its own
Content Security Policy in a real browser (issue 16, items 3 and 4)."""
from __future__ import annotations

import pytest

from registry.auth import hash_token, new_token

pytestmark = pytest.mark.e2e

PUBLIC_PAGES = ["/", "/contact?q=census", "/contact?q=courts", "/publics", "/burden", "/burden/check", "/gaps",
                "/map", "/map?focus=ons", "/needs", "/you-said-we-did", "/about", "/api/v1/docs", "/search?q=census",
                "/records/ons", "/account/sign-in"]
EDITOR_PAGES = ["/account", "/records/new", "/engagements/new", "/needs/new", "/records/ons/edit"]

# Chromium reports a violation both on the console and as an event; the event is recorded here too,
# so a violation that the console text might not name is still caught.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


def check(page, url: str, signed_in: bool) -> None:
    answer = page.goto(url)
    headers = answer.headers
    assert headers["x-frame-options"] == "DENY", url
    assert headers["x-content-type-options"] == "nosniff", url
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin", url
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "'nonce-" in policy, url
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
    if signed_in:
        assert headers["cache-control"] == "no-store", url
    if "/map" in url:
        page.wait_for_selector('#map[data-state="settled"]', timeout=20000)
        assert page.locator("#map canvas").count() >= 1
        swatch = page.locator("#map-legend .pathways-swatch").first
        assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") not in ("", "rgba(0, 0, 0, 0)")
    page.wait_for_load_state("load")
    assert page.evaluate("window.__csp") == [], url
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')"), url  # nonced inline script ran
    assert page.problems == [], url


def test_every_page_has_the_headers_and_no_csp_violation(live, page):
    page.add_init_script(RECORD_VIOLATIONS)
    for path in PUBLIC_PAGES:
        check(page, live.url + path, signed_in=False)


def test_signed_in_pages_too_and_sign_out_ends_the_copied_cookie(live, page, browser):
    value = new_token()
    live.store.add_token("e2e-csp-editor", "editor", hash_token(value))
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto(live.url + "/account/sign-in")
    page.get_by_label("Your token").fill(value)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    for path in EDITOR_PAGES:
        check(page, live.url + path, signed_in=True)
    # the choice filter on /needs/new (once an inline script) still works
    page.goto(live.url + "/needs/new")
    box = page.locator("[data-choice-filter] input").first
    if box.count():
        assert box.is_visible()
    copied = page.context.cookies()
    page.goto(live.url + "/account")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live.url + "/")
    other = browser.new_context()
    try:
        other.add_cookies(copied)
        thief = other.new_page()
        thief.goto(live.url + "/account")
        assert "/account/sign-in" in thief.url
        assert "Signed in as" not in thief.content()
    finally:
        other.close()
    assert page.problems == []
