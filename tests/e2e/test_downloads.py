"""A user filters the waiting list, downloads it as CSV and JSON, and prints it."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_waiting_list_downloads_keep_the_filter_and_print_without_navigation(live, page):
    page.goto(live.url + "/needs?topic=topic.poverty")
    expect(page.locator("h1")).to_have_text("Waiting list of user needs")
    shown = page.locator("#waiting-list > li h3").all_inner_texts()
    assert shown

    with page.expect_download() as got:
        page.get_by_role("link", name="CSV").click()
    download = got.value
    assert download.suggested_filename.startswith("pathways-waiting-list-of-user-needs-")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert len(rows) == len(shown) and all(r["Need"] in " ".join(shown) for r in rows)

    with page.expect_download() as got:
        page.get_by_role("link", name="JSON").click()
    body = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert body["filters"] == {"topic": "topic.poverty"} and body["count"] == len(shown)

    page.emulate_media(media="print")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".govuk-service-navigation__wrapper")).to_be_hidden()
    expect(page.locator(".pathways-downloads")).to_be_hidden()
    expect(page.get_by_role("button", name="Apply filters")).to_be_hidden()
    assert page.problems == []


def test_plan_prints_without_navigation_or_buttons(live, page):
    page.goto(live.url + "/statistics/hbai/plan")  # a seed statistic
    expect(page.get_by_role("link", name="Download the plan as Markdown")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("link", name="Download the plan as Markdown")).to_be_hidden()
    expect(page.locator(".govuk-breadcrumbs")).to_be_hidden()
    href = page.locator("#box-1 ~ table a.govuk-link").first
    assert "(/records/" in href.evaluate("a => getComputedStyle(a, '::after').content")
    assert page.problems == []
