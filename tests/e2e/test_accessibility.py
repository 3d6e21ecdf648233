"""Every main page passes axe-core's WCAG 2.1 A and AA rules, and the keyboard can use it.

axe-core comes from npm (``node_modules/axe-core``, installed by ``make setup``) and is
injected into each page by Playwright, so nothing is fetched from a CDN. A violation of
impact serious or critical fails the test (axe's best-practice rules, such as landmarks
and heading order, run beside the WCAG ones); moderate and minor ones are printed (run with
``-s`` to read them) so they can be fixed without blocking.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from registry.auth import hash_token, new_token

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# axe's best-practice rules (landmarks, heading order, one h1) run too; the serious ones block
RULE_TAGS = [*WCAG_TAGS, "best-practice"]
BLOCKING = {"serious", "critical"}

# one record of each label from the seed registry
RECORDS = {
    "Producer": "ons",
    "Statistic": "hbai",
    "Topic": "topic.economy",
    "Public": "pub.household-survey-respondents",
    "Intermediary": "wcva",
    "UserGroup": "ug.tssup",
    "Engagement": "eng.bar-consultation",
    "Need": "need.single-contact",
}

PAGES = [
    "/",
    "/search?q=",
    "/search?q=household+income",
    "/contact?q=",
    "/contact?q=census",
    "/contact?q=qqqxxzz",
    "/contact?q=households+below+average+income",
    "/contact?q=infaltion",
    "/contact?q=the+economy",
    *[f"/records/{node_id}" for node_id in RECORDS.values()],
    "/publics",
    f"/publics/{RECORDS['Public']}",
    "/burden",
    "/burden/check",
    "/map",
    "/gaps",
    "/gaps/topics_without_user_group?page=2",
    "/needs",
    "/you-said-we-did",
    f"/statistics/{RECORDS['Statistic']}/plan",
    "/about",
    "/api/v1/docs",
    "/account/sign-in",
    "/records/no-such-record",
]
# pages that answer with an error status: an empty search (the error summary) and things not found
STATUS = {"/search?q=": 400, "/contact?q=": 400, "/contact?q=qqqxxzz": 404, "/records/no-such-record": 404}


def run_axe(page) -> list[dict]:
    """Inject axe-core from node_modules and return its WCAG 2.1 A/AA violations."""
    if not AXE.exists():
        pytest.fail(f"no axe-core at {AXE}: run `make setup` (npm ci) first")
    page.wait_for_load_state("load")
    # The Content Security Policy runs no inline script without the page's nonce, so axe gets it too.
    page.evaluate("""source => {
        const script = document.createElement('script')
        script.nonce = document.querySelector('script[nonce]').nonce
        script.textContent = source
        document.head.appendChild(script)
    }""", AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (tags) => {
             const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
             return result.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
               count: v.nodes.length}));
           }""", RULE_TAGS)


def assert_accessible(page, where: str) -> None:
    violations = run_axe(page)
    for v in violations:
        if v["impact"] not in BLOCKING:
            print(f"{where}: {v['impact']} {v['id']} ({v['count']}): {v['help']} {v['targets']}")
    blocking = [f"{v['impact']} {v['id']}: {v['help']} ({v['count']}; e.g. {v['targets']})"
                for v in violations if v["impact"] in BLOCKING]
    assert blocking == [], f"{where}:\n" + "\n".join(blocking)


def assert_titled_and_headed(page, where: str) -> None:
    """A page title "Page name – Pathways", one h1, and headings that never skip a level."""
    title = page.title()
    assert title.endswith(" – Pathways") and len(title) > len(" – Pathways"), (where, title)
    # the error summary and notification banners come before the h1, as the Design System places them
    levels = page.evaluate("[...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]"
                           ".filter(h => !h.closest('.govuk-error-summary, .govuk-notification-banner'))"
                           ".map(h => Number(h.tagName[1]))")
    assert levels.count(1) == 1 and levels[0] == 1, (where, levels)
    skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert skips == [], f"{where}: heading levels skip {skips} in {levels}"


def without_own_status(problems: list[str], status: int) -> list[str]:
    """The page's own error status (a 404 page, a 400 form) is logged by chromium as a console error."""
    if status == 200:
        return problems
    own = f"console error: Failed to load resource: the server responded with a status of {status} "
    return [p for p in problems if not p.startswith(own)]


def sign_in(live, page, name: str) -> None:
    value = new_token()
    live.store.add_token(name, "editor", hash_token(value))
    page.goto(live.url + "/account/sign-in")
    page.get_by_label("Your token").fill(value)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#account-link", has_text="Signed in as").wait_for()


def test_seed_has_a_record_of_each_label(live):
    for label, node_id in RECORDS.items():
        assert live.store.get_node(node_id)["label"] == label


def test_the_check_finds_failures_when_there_are_some(live, page):
    """The harness is not vacuous: an unlabelled field and an image without alt text are caught."""
    page.goto(live.url + "/about")
    page.evaluate("""() => { const main = document.querySelector('main');
        main.append(document.createElement('input'));
        const img = document.createElement('img'); img.src = '/assets/images/favicon.svg'; main.append(img); }""")
    found = {v["id"]: v["impact"] for v in run_axe(page)}
    assert found.get("label") in BLOCKING and found.get("image-alt") in BLOCKING, found


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_accessibility_failures(live, page, path):
    expected = STATUS.get(path, 200)
    response = page.goto(live.url + path)
    assert response.status == expected, path
    assert_accessible(page, path)
    assert_titled_and_headed(page, path)
    assert without_own_status(page.problems, expected) == []


def test_burden_check_result_has_no_serious_accessibility_failures(live, page):
    start = dt.date.today() + dt.timedelta(days=30)
    page.goto(live.url + "/burden/check")
    page.get_by_label("Method").select_option("workshop")
    page.locator("#start-day").fill(str(start.day))
    page.locator("#start-month").fill(str(start.month))
    page.locator("#start-year").fill(str(start.year))
    page.locator("input[name=publics]").first.check()
    page.get_by_role("button", name="Check").click()
    page.locator("#check-result").wait_for()
    assert_accessible(page, "/burden/check (result)")
    assert page.problems == []


def test_burden_check_errors_have_no_serious_accessibility_failures(live, page):
    page.goto(live.url + "/burden/check")
    page.get_by_role("button", name="Check").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "/burden/check (errors)")
    assert without_own_status(page.problems, 400) == []


def test_edit_form_and_its_errors_have_no_serious_accessibility_failures(live, page):
    sign_in(live, page, "e2e-a11y-editor")
    for label in ("Producer", "Public", "Engagement", "Need"):
        path = f"/records/{RECORDS[label]}/edit"
        page.goto(live.url + path)
        assert_accessible(page, path)
        assert_titled_and_headed(page, path)
    page.goto(live.url + f"/records/{RECORDS['Public']}/edit")
    page.locator("#capacity").fill("lots")
    page.get_by_role("button", name="Save changes").click()
    page.locator(".govuk-error-summary").wait_for()
    assert_accessible(page, "edit form with errors")
    for path in ("/account", "/records/new", "/engagements/new", "/engagements/upload", "/needs/new",
                 f"/needs/{RECORDS['Need']}/status"):
        page.goto(live.url + path)
        assert_accessible(page, path)
        assert_titled_and_headed(page, path)
    assert page.problems == []


FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])"


@pytest.mark.parametrize("path", ["/", f"/records/{RECORDS['Statistic']}"])
def test_keyboard_reaches_the_skip_link_first_and_focus_is_visible(live, page, path):
    page.goto(live.url + path)
    page.wait_for_load_state("load")
    # each focusable element's look before it has focus, to compare with its look when focused
    page.evaluate("""(selector) => {
        const look = el => { const s = getComputedStyle(el);
          return [s.outlineStyle, s.outlineColor, s.outlineWidth, s.boxShadow, s.backgroundColor,
                  s.color, s.textDecorationLine, s.textDecorationThickness].join('|'); };
        window.__look = look;
        window.__before = new Map([...document.querySelectorAll(selector)].map(el => [el, look(el)]));
    }""", FOCUSABLE)
    page.keyboard.press("Tab")
    first = page.evaluate("""() => { const el = document.activeElement; const box = el.getBoundingClientRect();
        return {cls: el.className, text: el.textContent.trim(), href: el.getAttribute('href'),
                width: box.width, height: box.height, top: box.top}; }""")
    assert "govuk-skip-link" in first["cls"] and first["text"] == "Skip to main content", first
    assert first["width"] > 10 and first["height"] > 10 and first["top"] >= 0, "the skip link shows when focused"

    seen = []
    for _ in range(25):
        state = page.evaluate("""() => { const el = document.activeElement; const box = el.getBoundingClientRect();
            return {name: (el.textContent || el.value || el.name || el.id || el.tagName).trim().slice(0, 40),
                    tag: el.tagName, known: window.__before.has(el),
                    changed: window.__before.has(el) && window.__before.get(el) !== window.__look(el),
                    width: box.width, height: box.height}; }""")
        if state["tag"] == "BODY":
            break
        seen.append(state["name"])
        assert state["known"], f"focus went to something that is not a link or control: {state}"
        assert state["changed"], f"no visible focus indicator on {state['name']!r} ({path})"
        assert state["width"] > 0 and state["height"] > 0, f"focus went to something hidden: {state}"
        page.keyboard.press("Tab")
    assert len(seen) >= 5, seen
    # the skip link moves focus to the main content
    page.goto(live.url + path)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    assert page.problems == []


@pytest.mark.parametrize("path", PAGES)
def test_nothing_overflows_on_a_phone(live, page, path):
    """At 375px wide the page reflows (WCAG 1.4.10): wide tables scroll inside their own box."""
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live.url + path)
    page.wait_for_load_state("load")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > innerWidth + 1 && !el.closest('.pathways-table-scroll'))
        .filter(el => el.parentElement.getBoundingClientRect().right <= innerWidth + 1)
        .map(el => el.tagName + (el.id ? '#' + el.id : '') + ': ' + el.textContent.trim().slice(0, 40))""")
    assert wide == [], f"{path}: wider than a phone: {wide}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
