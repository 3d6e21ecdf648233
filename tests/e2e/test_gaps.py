"""A coordinator reads the gaps page's preview of a rule, follows "See all" and pages through it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

RULE = "topics_without_user_group"  # over 100 findings in the seed registry: three pages of 50


def test_preview_links_to_every_finding_a_page_at_a_time(live, page):
    page.goto(live.url + "/gaps")
    expect(page.locator("h1")).to_have_text("Gaps in the engagement system")
    section = page.locator(f"section[aria-labelledby='{RULE}']")
    heading = section.locator("h2").inner_text()
    total = int(re.search(r"\((\d+)\)$", heading).group(1))
    assert total > 100
    preview = section.locator("tbody tr")
    expect(preview).to_have_count(10)
    first_shown = preview.first.locator("th a").inner_text()

    section.get_by_role("link", name=f"See all {total} topics with no user group").click()
    page.wait_for_url(f"**/gaps/{RULE}")
    expect(page.locator("h1")).to_have_text("Topics with no user group")
    expect(page.locator("#gap-rule-count")).to_contain_text(f"{total} findings")
    expect(page.locator("#gap-rule-count")).to_contain_text("findings 1 to 50 (page 1 of 3)")
    rows = page.locator(f"table[data-findings='{RULE}'] tbody tr")
    expect(rows).to_have_count(50)
    assert rows.first.locator("th a").inner_text() == first_shown  # the preview is the list's start
    nav = page.get_by_role("navigation", name="Pages of topics with no user group")
    expect(nav.locator("[aria-current='page']")).to_have_text("1")

    nav.get_by_role("link", name="Next page").click()
    page.wait_for_url(f"**/gaps/{RULE}?page=2")
    expect(page.locator("#gap-rule-count")).to_contain_text("findings 51 to 100 (page 2 of 3)")
    expect(nav.locator("[aria-current='page']")).to_have_text("2")

    nav.get_by_role("link", name="Page 3").click()
    page.wait_for_url(f"**/gaps/{RULE}?page=3")
    expect(rows).to_have_count(total - 100)
    expect(nav.get_by_role("link", name="Next page")).to_have_count(0)

    page.get_by_role("link", name="Back to every kind of gap").click()
    page.wait_for_url("**/gaps")
    expect(page.locator("h1")).to_have_text("Gaps in the engagement system")
    assert page.problems == []


def test_a_page_past_the_end_shows_the_last_page(live, page):
    page.goto(live.url + f"/gaps/{RULE}?page=999")
    expect(page.locator("#gap-rule-count")).to_contain_text("(page 3 of 3)")
    assert page.problems == []
