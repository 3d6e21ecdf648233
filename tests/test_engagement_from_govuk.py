"""One engagement from a GOV.UK consultation's address (issue 18): ``/engagements/from-govuk``.

The app reads the Content API through the reader in ``GOVUK_READER``: here the trimmed
recording of three GOV.UK examples (tests/fixtures/harvest/govuk/consultations), or a reader
that fails as the network would. Nothing reads the network. Runs on both stores.
"""
from __future__ import annotations

import json

import pytest

from graph import burden
from graph.harvest import consultations as C
from graph.harvest import fetch
from graph.harvest.base import HarvestError, Offline
from graph.stores import Change
from tests.test_harvest_consultations import CASSETTE, GCSE, GCSE_PAGE, MUSEUMS_PATH, POST_OFFICE, REGISTRY, edited
from tests.web import csrf, sign_in

BOTH_STORES = True
PATH = "/engagements/from-govuk"


@pytest.fixture
def web(app, app_store, client):
    app_store.apply(Change(put_nodes=[dict(r) for r in REGISTRY], actor="test"))
    app.config["GOVUK_READER"] = fetch.Cassette.open(CASSETTE)
    sign_in(client, app_store)
    return client


def post(client, **data):
    return client.post(PATH, data={"csrf_token": csrf(client, PATH), **data})


def involved(store, engagement):
    return {e["to"]: e.get("confirmed") for e in store.edges_of(engagement, "out", ["INVOLVED"])}


class Failing(fetch.Reader):
    """A reader that fails as the network would."""

    def __init__(self, error):
        self.error = error

    def get(self, url):
        raise self.error(url, "", "cannot reach www.gov.uk (Name or service not known): are you offline?")


def test_reading_shows_what_the_harvest_would_write_and_saves_nothing(web, app_store):
    response = post(web, url=GCSE_PAGE + "?utm_source=email#reply", action="preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check and save: Setting the grade standards of new GCSEs" in page
    assert "Reported" in page and "22 April 2016" in page and "17 June 2016" in page
    assert "Outcome published 7 September 2016" in page
    assert 'href="/records/ofqual">Ofqual</a>' in page
    assert 'value="pub.pupils-families"' in page and 'value="pub.school-staff"' in page
    assert 'value="pub.rural-communities"' not in page
    assert app_store.get_node(GCSE) is None


def test_saving_writes_the_engagement_with_confirmed_and_proposed_publics(web, app_store):
    response = post(web, url=GCSE_PAGE, action="save", confirm=["pub.school-staff"])
    assert response.status_code == 303 and response.headers["Location"] == f"/records/{GCSE}"
    saved = app_store.get_node(GCSE)
    assert (saved["status"], saved["start"], saved["end"], saved["feedback_published"], saved["source"]) == (
        "reported", "2016-04-22", "2016-06-17", "2016-09-07", GCSE_PAGE)
    assert saved["verified"] == "2016-11-08"  # the recording's date, not today
    assert involved(app_store, GCSE) == {"pub.school-staff": True, "pub.pupils-families": False}
    assert [e["from"] for e in app_store.edges_of(GCSE, "in", ["RAN"])] == ["ofqual"]
    assert burden.engagements_of(app_store.graph(), "pub.school-staff") == [GCSE]
    assert burden.engagements_of(app_store.graph(), "pub.pupils-families") == []
    entry = app_store.audit_entries(target=GCSE)[0]
    assert entry["actor"] == "token:alice" and entry["action"].startswith("harvest govuk-consultations")
    page = web.get(f"/records/{GCSE}").get_data(as_text=True)
    assert "saved from GOV.UK" in page and 'id="proposal-pub.pupils-families"' in page
    # again: already in the registry, and the publics as they are
    again = post(web, url=GCSE_PAGE, action="preview").get_data(as_text=True)
    assert "already in the registry" in again and 'name="confirm"' not in again


def test_an_open_consultation_is_held_from_the_day_it_opened(web, app_store):
    page = post(web, url="www.gov.uk/government/consultations/post-office-network", action="preview")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Held, as of 8 November 2016" in text
    assert "not a date the registry accepts" in text  # GOV.UK's example closes in 2216
    assert post(web, url="https://www.gov.uk/government/consultations/post-office-network",
                action="save").status_code == 303
    assert involved(app_store, POST_OFFICE) == {"pub.post-office-users": False}


@pytest.mark.parametrize("address, words", [
    ("", "enter the address of a consultation on GOV.UK"),
    ("https://www.gov.scot/publications/consultation-on-x/", "is on www.gov.scot, not GOV.UK"),
    ("https://evil.example/www.gov.uk/government/consultations/x", "is on evil.example, not GOV.UK"),
    ("https://www.gov.uk/", "GOV.UK's home page"),
    ("javascript:alert(1)", "is not a GOV.UK web address"),
    ("https://www.gov.uk/government/consultations/not-recorded", "is not in the recording"),
])
def test_bad_addresses_are_named_beside_the_box(web, app_store, address, words):
    response = post(web, url=address, action="preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#url"' in page and 'id="url-error"' in page and words in page.replace("&#39;", "'")
    assert app_store.count_nodes("Engagement") == 0


def test_a_page_that_is_not_a_consultation_or_names_no_public_is_refused(web, app, app_store):
    app.config["GOVUK_READER"] = edited(MUSEUMS_PATH, lambda d: d.update(document_type="guidance"))
    response = post(web, url="https://www.gov.uk" + MUSEUMS_PATH, action="save")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "is &#39;guidance&#39;, not a consultation" in text
    app.config["GOVUK_READER"] = fetch.Cassette.open(CASSETTE)
    response = post(web, url="https://www.gov.uk" + MUSEUMS_PATH, action="save")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "no public of the registry could be proposed" in text
    assert app_store.count_nodes("Engagement") == 0


def test_unreachable_gov_uk_is_said_plainly(web, app):
    app.config["GOVUK_READER"] = Failing(Offline)
    response = post(web, url=GCSE_PAGE, action="preview")
    text = response.get_data(as_text=True)
    assert response.status_code == 502
    assert "GOV.UK could not be reached (www.gov.uk did not answer)" in text and "--recorded" not in text
    app.config["GOVUK_READER"] = Failing(HarvestError)
    assert "cannot reach www.gov.uk" in post(web, url=GCSE_PAGE, action="preview").get_data(as_text=True)


def test_a_consultation_of_no_registry_producer_is_refused(web, app_store):
    app_store.apply(Change(delete_nodes=["ofqual"], actor="test"))
    text = post(web, url=GCSE_PAGE, action="preview").get_data(as_text=True)
    assert "no producer in the registry has that GOV.UK organisation" in text


def test_signed_out_and_without_csrf_nothing_is_read(app, client, app_store):
    app.config["GOVUK_READER"] = Failing(HarvestError)  # would fail loudly if read
    assert client.get(PATH).headers["Location"].startswith("/account/sign-in")
    assert client.post(PATH, data={"url": GCSE_PAGE}).status_code == 400


def test_the_address_is_read_from_a_configured_base():
    class Seen(fetch.Reader):
        urls: list = []

        def get(self, url):
            self.urls.append(url)
            raise HarvestError(url, "", "answered HTTP 404 Not Found")
    reader = Seen()
    with pytest.raises(HarvestError, match="404"):
        C.from_address(reader, None, GCSE_PAGE, "2026-12-01", "http://127.0.0.1:9/")
    assert reader.urls == ["http://127.0.0.1:9/api/content/government/consultations/"
                           "setting-the-grade-standards-of-new-gcses-in-england-2017-2018"]


def test_cli_reads_one_address(cli, store_url):
    from tests.test_harvest_consultations import on_store, seeded
    on_store(store_url, seeded)
    code, out, err = cli("harvest", "govuk", "--consultations", "--address", GCSE_PAGE, "--recorded", CASSETTE,
                         "--json")
    assert code == 0, err
    done = json.loads(out)
    assert done["counts"] == {"Engagement": {"created": 1, "updated": 0, "unchanged": 0}}
    assert {"engagement": GCSE, "public": "pub.pupils-families"} in done["proposed"]
    assert on_store(store_url, lambda store: store.get_node(GCSE)["status"]) == "reported"
    code, _out, err = cli("harvest", "govuk", "--consultations", "--address", "https://www.gov.scot/x",
                          "--recorded", CASSETTE)
    assert code == 1 and "is on www.gov.scot, not GOV.UK" in err
    code, _out, err = cli("harvest", "ons", "--address", GCSE_PAGE)
    assert code == 2 and "--address is for govuk --consultations only" in err
