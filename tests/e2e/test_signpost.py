"""A person asks who to contact about a statistic, misspelling its name, and is shown the end of the chain."""
from __future__ import annotations

import pytest
from tests.provenance import CITED

pytestmark = pytest.mark.e2e


def test_misspelt_name_then_first_contact_at_the_end_of_the_referral_chain(live, page):
    live.load({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "e2e-sp-stat", "label": "Statistic", "name": "Allotment waiting lists survey"},
        {"id": "e2e-sp-other", "label": "Statistic", "name": "Allotment waiting lists by council"},
        {"id": "e2e-sp-team", "label": "Producer", "name": "Allotments analysis team",
         "contact": {"email": "allotments@example.gov.uk"}},
        {"id": "e2e-sp-desk", "label": "Producer", "name": "Green spaces statistics desk",
         "contact": {"email": "greenspace.stats@example.gov.uk"}}], "edges": [
        {"type": "PRODUCES", "from": "e2e-sp-team", "to": "e2e-sp-stat"},
        {"type": "PRODUCES", "from": "e2e-sp-team", "to": "e2e-sp-other"},
        {"type": "REFERS_TO", "from": "e2e-sp-team", "to": "e2e-sp-desk", **CITED, "note": "Handled by the desk."}]})
    page.goto(live.url + "/")
    page.get_by_label("Who do I contact about a statistic?").fill("alotment waitng list")
    page.get_by_role("button", name="Search").click()
    assert page.locator("h1").inner_text() == "Which statistic do you mean?"
    page.get_by_role("link", name="Allotment waiting lists survey").click()
    card = page.locator("#contact-first")
    assert "Contact first: Green spaces statistics desk" in card.inner_text()
    assert "greenspace.stats@example.gov.uk" in card.inner_text()
    assert "Allotments analysis team" not in page.locator("#first-contact-name").inner_text()
    assert page.problems == []


def test_contact_question_on_a_phone(live, page):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live.url + "/contact?q=houshold+income")
    assert page.locator("h1").inner_text() == "Which statistic do you mean?"
    page.get_by_role("link", name="Households Below Average Income (HBAI)").click()
    assert "Contact first:" in page.locator("#contact-first").inner_text()  # waits for the page
    assert page.locator("#contact-first").is_visible()
    assert page.problems == []


def test_the_asker_says_where_they_are_and_their_own_nations_statistic_answers(live, page):
    page.goto(live.url + "/")
    page.get_by_label("Who do I contact about a statistic?").fill("house prices")
    page.get_by_text("Tell us where you are and who you are (optional)").click()
    page.get_by_label("Which nation are you in?").select_option(label="Northern Ireland")
    page.get_by_role("button", name="Search").click()
    assert page.locator("h1").inner_text() == "Northern Ireland House Price Index"
    assert "nation=northern_ireland" in page.url
    assert "Contact first:" in page.locator("#contact-first").inner_text()
    assert page.problems == []


def test_a_typo_is_offered_as_did_you_mean_with_each_choices_producer(live, page):
    page.goto(live.url + "/contact?q=infaltion")
    assert page.locator("h1").inner_text() == "Which statistic do you mean?"
    assert "You searched for ‘infaltion’" in page.locator("#searched-for").inner_text()
    page.locator("#did-you-mean a").click()
    assert page.locator("h1").inner_text() == "Consumer price inflation, UK"
    assert page.problems == []
