"""The GOV.UK harvest, on a trimmed copy of the recorded Search and Content API responses.

The fixtures (tests/fixtures/harvest/govuk/, see its README) are real responses with
results and bodies cut down, and trimmed copies of the two other sources of MoJ team
mailboxes: the MoJ statistics catalogue (data.justice.gov.uk/api/publications) and the
data-catalogue collection mapping file. Bad input is made from them in each test: a
field removed, a body cut short, a page of HTML, a named person's address put in a body.
"""
from __future__ import annotations

import io
import json
import socket
import urllib.error
from pathlib import Path

import pytest
import yaml

from graph import model
from graph.harvest import fetch, govuk
from graph.harvest.base import HarvestError, Offline

FIXTURES = Path(__file__).parent / "fixtures" / "harvest" / "govuk"
CASSETTE = FIXTURES / "moj-search-content.yaml"
SAVED = FIXTURES / "saved"
CATALOGUE = FIXTURES / "justice-data-publications.yaml"
MAPPING = FIXTURES / "moj-collection-mappings.yaml"
TRUSTS = "prison-and-probation-trusts-performance-statistics"
CATALOGUE_SOURCE = "; team mailbox: MoJ statistics catalogue (data.justice.gov.uk/api/publications)"
MAPPING_SOURCE = "; team mailbox: ministryofjustice/data-catalogue publication_collection_mappings.yaml"
SEARCH = govuk.search_url("ministry-of-justice")
GOVUK = "https://www.gov.uk"


def responses(*cassettes: Path) -> dict[str, str]:
    """The fixture's bodies by canonical URL (and those of other cassettes given), to edit for one test."""
    return {url: body for c in (CASSETTE, *cassettes)
            for url, (_status, body) in fetch.Cassette.open(c).responses.items()}


def mapping() -> govuk.Listings:
    return govuk.read_mapping(yaml.safe_load(MAPPING.read_text("utf-8")), str(MAPPING))


def collection(key: str) -> str:
    return fetch.canonical(govuk.collection_url(key))


class Replay(fetch.Reader):
    """A reader over (edited) bodies, dated like the recording."""

    recorded = "2024-11-20"

    def __init__(self, bodies: dict[str, str]):
        self.bodies = bodies

    def get(self, url: str) -> str:
        found = self.bodies.get(fetch.canonical(url))
        if found is None:
            raise fetch.NotRecorded(url, "", "is not in the fixture")
        return found


def edited(url: str, change, *cassettes: Path) -> Replay:
    """The fixture (and other cassettes given) with one JSON body changed in place by ``change``."""
    bodies = responses(*cassettes)
    data = json.loads(bodies[url])
    change(data)
    bodies[url] = json.dumps(data)
    return Replay(bodies)


def run_on(reader) -> govuk.Harvest:
    return govuk.harvest(reader, (), reader.recorded)


@pytest.fixture(scope="module")
def harvest():
    return govuk.from_recorded(CASSETTE)


def node(harvest, node_id):
    return next(n for n in harvest.nodes if n["id"] == node_id)


def test_every_record_and_relationship_is_valid(harvest):
    assert harvest.problems() == []
    for record in harvest.nodes:
        assert record["verified"] == "2024-11-20" and record["source"].startswith(GOVUK + "/")
    assert harvest.source == "govuk" and harvest.recorded == "2024-11-20"
    assert harvest.scope == {"moj"}


def test_editions_are_grouped_by_collection_with_the_latest_edition(harvest):
    statistics = {n["id"]: n for n in harvest.nodes if n["label"] == "Statistic"}
    assert sorted(statistics) == ["judicial-selection-and-recommendations-for-appointment-statistics",
                                  "justice-data-lab-statistics", "legal-aid-statistics",
                                  "prisons-and-probation-statistics", "proven-reoffending-statistics"]
    reoffending = statistics["proven-reoffending-statistics"]
    assert reoffending["name"] == "Proven reoffending statistics"
    page = GOVUK + "/government/collections/proven-reoffending-statistics"
    assert reoffending["url"] == reoffending["source"] == page
    assert reoffending["latest_release"] == "2024-10-31"
    assert reoffending["latest_url"] == \
        GOVUK + "/government/statistics/proven-reoffending-statistics-october-to-december-2022"
    assert reoffending["status"] == "accredited_official"
    assert "nations" not in reoffending and "description" not in reoffending, "neither title nor description says"
    assert statistics["legal-aid-statistics"]["nations"] == ["england", "wales"]
    assert statistics["justice-data-lab-statistics"]["status"] == "official"


def test_an_edition_in_no_collection_joins_the_collection_its_title_names(harvest):
    prisons = node(harvest, "prisons-and-probation-statistics")
    assert prisons["latest_release"] == "2024-02-29"
    assert prisons["latest_url"] == GOVUK + "/government/statistics/prison-population-projections-2023-to-2028"


def test_loose_editions_are_a_series_by_title_linked_to_the_latest(harvest):
    judicial = node(harvest, "judicial-selection-and-recommendations-for-appointment-statistics")
    assert judicial["name"] == "Judicial selection and recommendations for appointment statistics"
    assert judicial["latest_release"] == "2018-06-07"
    latest = "judicial-selection-and-recommendations-for-appointment-statistics-april-2017-to-march-2018"
    assert judicial["url"] == judicial["latest_url"] == judicial["source"] == GOVUK + "/government/statistics/" + latest
    assert {"type": "PRODUCES", "from": "moj", "to": judicial["id"]} in harvest.edges


def test_ad_hoc_releases_and_notices_are_no_series(harvest):
    names = " ".join(n["name"] for n in harvest.nodes).lower()
    assert "turnaround" not in names and "future publication" not in names
    assert any("Ad hoc justice statistics" in note for note in harvest.notes)
    assert any("notices of a release to come" in note for note in harvest.notes)


def test_the_team_mailbox_comes_from_the_collection_body(harvest):
    lab = node(harvest, "justice-data-lab-statistics")
    assert lab["contact"] == {"email": "Justice.datalab@justice.gov.uk",
                              "url": GOVUK + "/government/collections/justice-data-lab-pilot-statistics"}
    for sid in ("proven-reoffending-statistics", "legal-aid-statistics", "prisons-and-probation-statistics",
                "judicial-selection-and-recommendations-for-appointment-statistics"):
        assert "contact" not in node(harvest, sid), "no mailbox on the page: no guessed route"


def test_a_named_persons_address_is_never_taken():
    url = collection("proven-reoffending-statistics")

    def add_contact(data):
        data["details"]["body"] = data["details"]["body"].replace("</div>", (
            '<div class="contact"><p>Jane Doe, <a href="mailto:jane.doe@justice.gov.uk">jane.doe@justice.gov.uk</a>'
            '</p><p>Or email <a href="mailto:statistics.enquiries@justice.gov.uk">the statistics team</a></p>'
            "</div></div>"))

    found = run_on(edited(url, add_contact))
    assert node(found, "proven-reoffending-statistics")["contact"]["email"] == "statistics.enquiries@justice.gov.uk"

    def only_a_person(data):
        data["details"]["body"] = '<div class="govspeak"><p>Contact john.smith@justice.gov.uk</p></div>'

    found = run_on(edited(url, only_a_person))
    assert "contact" not in node(found, "proven-reoffending-statistics")
    assert "justice.gov.uk" not in json.dumps([n for n in found.nodes if n["label"] != "Statistic"])


def test_producers_carry_their_govuk_identifiers(harvest):
    producers = {n["id"]: n for n in harvest.nodes if n["label"] == "Producer"}
    assert sorted(producers) == ["hmpps", "laa", "moj"]
    assert producers["moj"] == {
        "id": "moj", "label": "Producer", "name": "Ministry of Justice", "kind": "department",
        "identifiers": {"govuk": "ministry-of-justice"},
        "source": GOVUK + "/government/organisations/ministry-of-justice", "verified": "2024-11-20",
        "aliases": ["MOJ"]}
    assert producers["laa"]["kind"] == "agency" and producers["laa"]["identifiers"] == {"govuk": "legal-aid-agency"}
    produces = {(e["from"], e["to"]) for e in harvest.edges if e["type"] == "PRODUCES"}
    assert {("moj", "legal-aid-statistics"), ("laa", "legal-aid-statistics"),
            ("hmpps", "prisons-and-probation-statistics")} <= produces
    # The National Offender Management Service "changed name" (to HMPPS): no producer of its own.
    assert "noms" not in producers and any("National Offender Management Service" in n for n in harvest.notes)
    assert not [e for e in harvest.edges if e["type"] == "PART_OF"], "the responses name no parent organisation"


def test_part_of_comes_from_a_parent_organisation_the_response_names():
    def parent(data):
        moj, laa = data["links"]["organisations"]
        laa["links"]["parent_organisations"] = [moj]

    found = run_on(edited(collection("legal-aid-statistics"), parent))
    assert [e for e in found.edges if e["type"] == "PART_OF"] == [{"type": "PART_OF", "from": "laa", "to": "moj"}]


def test_a_requested_organisation_no_collection_links_is_read_from_its_own_page():
    key = "department-for-exiting-the-european-union"
    bodies = {fetch.canonical(govuk.search_url(key)): json.dumps({"results": [], "total": 0, "start": 0}),
              fetch.canonical(govuk.ORGANISATION_API + key): (FIXTURES / "organisation-dexeu.json").read_text("utf-8")}
    found = govuk.harvest(Replay(bodies), [key], "2024-11-20")
    assert found.scope == {"dexeu"}
    assert found.nodes == [{"id": "dexeu", "label": "Producer", "name": "Department for Exiting the European Union",
                            "kind": "department", "identifiers": {"govuk": key},
                            "source": GOVUK + "/government/organisations/" + key, "verified": "2024-11-20",
                            "aliases": ["DExEU"]}]
    del bodies[fetch.canonical(govuk.ORGANISATION_API + key)]
    with pytest.raises(HarvestError) as caught:
        govuk.harvest(Replay(bodies), [key], "2024-11-20")
    assert caught.value.where == govuk.ORGANISATION_API + key


def test_topics_come_from_the_collections_taxons(harvest):
    topics = {n["id"]: n for n in harvest.nodes if n["label"] == "Topic"}
    assert topics["topic.legal-aid"]["source"] == GOVUK + "/crime-justice-and-law/legal-aid-for-providers"
    edges = {(e["type"], e["from"], e["to"]) for e in harvest.edges}
    assert ("ABOUT", "legal-aid-statistics", "topic.legal-aid") in edges
    assert ("BROADER", "topic.legal-aid", "topic.crime-justice-and-law") in edges
    assert not [e for e in harvest.edges if e["type"] == "ABOUT"
                and e["from"] == "judicial-selection-and-recommendations-for-appointment-statistics"]


def test_a_folder_of_saved_responses_gives_the_same_harvest(harvest):
    from_folder = govuk.from_recorded(SAVED)
    assert from_folder.recorded == "2024-11-20"
    assert from_folder.nodes == harvest.nodes and from_folder.edges == harvest.edges


def test_a_recording_without_a_date_is_refused(tmp_path):
    for file in SAVED.glob("*.json"):
        saved = json.loads(file.read_text("utf-8"))
        del saved["recorded"]
        (tmp_path / file.name).write_text(json.dumps(saved), "utf-8")
    with pytest.raises(HarvestError) as caught:
        govuk.from_recorded(tmp_path)
    assert caught.value.field == "recorded" and str(tmp_path) in str(caught.value)


def _without_results(data):
    del data["results"]


def _without_link(data):
    del data["results"][2]["link"]


def _without_title(data):
    del data["results"][0]["title"]


@pytest.mark.parametrize("change, field", [
    (_without_results, "results"),
    (_without_link, "results[2].link"),
    (_without_title, "results[0].title"),
])
def test_a_bad_search_response_names_the_url_and_field(change, field):
    with pytest.raises(HarvestError) as caught:
        run_on(edited(fetch.canonical(SEARCH), change))
    assert caught.value.field == field
    assert "api/search.json" in caught.value.where


@pytest.mark.parametrize("body, field, words", [
    ('{"results": [{"title": "Proven reoffending', "body", "truncated"),
    ("<!DOCTYPE html><html><body>GOV.UK</body></html>", "body", "HTML"),
])
def test_truncated_json_or_html_instead_of_json(body, field, words):
    bodies = responses()
    bodies[fetch.canonical(SEARCH)] = body
    with pytest.raises(HarvestError) as caught:
        run_on(Replay(bodies))
    assert caught.value.field == field and words in str(caught.value)


def _no_organisations(data):
    del data["links"]["organisations"]


def _organisation_without_path(data):
    del data["links"]["organisations"][1]["base_path"]


@pytest.mark.parametrize("change, field", [
    (_no_organisations, "links.organisations"),
    (_organisation_without_path, "links.organisations[1].base_path"),
])
def test_a_collection_without_a_known_organisation_names_the_url_and_field(change, field):
    url = collection("legal-aid-statistics")
    with pytest.raises(HarvestError) as caught:
        run_on(edited(url, change))
    assert caught.value.field == field
    assert caught.value.where == GOVUK + "/api/content/government/collections/legal-aid-statistics"


def test_a_collection_missing_from_the_recording_fails_the_whole_harvest():
    bodies = responses()
    del bodies[collection("justice-data-lab-pilot-statistics")]
    with pytest.raises(HarvestError) as caught:
        run_on(Replay(bodies))
    assert "justice-data-lab-pilot-statistics" in caught.value.where


def test_search_pages_until_the_total_is_reached():
    first = json.loads(responses()[fetch.canonical(SEARCH)])
    bodies = responses()
    bodies[fetch.canonical(govuk.search_url("ministry-of-justice", 0))] = json.dumps(
        {**first, "results": first["results"][:10]})
    bodies[fetch.canonical(govuk.search_url("ministry-of-justice", 10))] = json.dumps(
        {**first, "results": first["results"][10:], "start": 10})
    assert [n["id"] for n in run_on(Replay(bodies)).nodes] == [n["id"] for n in govuk.from_recorded(CASSETTE).nodes]


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FakeOpener:
    """Answers like GOV.UK from the fixture; the first call is refused with 429 Too Many Requests."""

    def __init__(self, refuse: int = 1):
        self.bodies, self.refuse, self.asked = responses(CATALOGUE), refuse, []

    def __call__(self, request, timeout):
        self.asked.append((request.full_url, request.get_header("User-agent")))
        if self.refuse:
            self.refuse -= 1
            raise urllib.error.HTTPError(request.full_url, 429, "Too Many Requests", {"Retry-After": "3"}, None)
        return FakeResponse(self.bodies[fetch.canonical(request.full_url)].encode("utf-8"))


def test_live_retries_after_429_and_dates_records_today(tmp_path):
    opener, slept = FakeOpener(), []
    reader = fetch.Live(pause=0, opener=opener, sleep=slept.append, save_to=tmp_path / "saved")
    found = govuk.from_live(reader)
    assert slept == [3.0]
    assert opener.asked[0][0] == opener.asked[1][0] == SEARCH
    assert opener.asked[0][1] == fetch.USER_AGENT
    assert len({n["verified"] for n in found.nodes}) == 1 and found.recorded == found.nodes[0]["verified"]
    expected = govuk.from_recorded(CASSETTE)
    assert [n["id"] for n in found.nodes] == [n["id"] for n in expected.nodes]
    assert govuk.from_recorded(tmp_path / "saved").recorded == found.recorded
    assert govuk.CATALOGUE in [url for url, _agent in opener.asked], "the MoJ catalogue is read live too"
    assert node(found, "legal-aid-statistics")["contact"]["email"] == "statistics@justice.gov.uk"
    assert not any("were not read" in n for n in found.notes)


def test_live_offline_raises_offline():
    def offline(request, timeout):
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    slept = []
    with pytest.raises(Offline) as caught:
        govuk.from_live(fetch.Live(pause=0, retries=2, opener=offline, sleep=slept.append))
    assert "www.gov.uk" in str(caught.value) and caught.value.where == SEARCH
    assert slept == [], "a name that does not resolve is offline at once, not retried"


def test_live_refused_connection_is_retried_then_offline():
    def refused(request, timeout):
        raise urllib.error.URLError(ConnectionRefusedError(111, "Connection refused"))

    slept = []
    with pytest.raises(Offline):
        govuk.from_live(fetch.Live(pause=0, retries=2, opener=refused, sleep=slept.append))
    assert slept == [1.0, 2.0]


def test_progress_reports_collections_read():
    calls = []
    govuk.from_recorded(CASSETTE, progress=lambda stage, done, total: calls.append((stage, done, total)))
    assert calls[0] == ("collections", 0, 4) and calls[-1] == ("collections", 4, 4)


def test_the_fixture_is_a_real_trimmed_recording():
    data = yaml.safe_load(CASSETTE.read_text("utf-8"))
    uris = [i["request"]["uri"] for i in data["interactions"]]
    assert fetch.canonical(uris[0]) == fetch.canonical(SEARCH)
    assert all("/api/content//government/collections/" in u for u in uris[1:])


# The two other sources of MoJ team mailboxes: the MoJ statistics catalogue and the data-catalogue mapping file.

def test_without_the_moj_catalogue_a_note_says_its_mailboxes_were_not_read(harvest):
    assert any("MoJ statistics catalogue" in n and "were not read" in n and govuk.CATALOGUE in n
               for n in harvest.notes)
    assert not any(n.get("release") for n in harvest.nodes)


@pytest.fixture(scope="module")
def with_catalogue():
    return govuk.from_recorded([CASSETTE, CATALOGUE])


def test_the_catalogue_fills_mailboxes_the_collections_do_not_give(with_catalogue):
    legal_aid = node(with_catalogue, "legal-aid-statistics")
    page = GOVUK + "/government/collections/legal-aid-statistics"
    assert legal_aid["contact"] == {"email": "statistics@justice.gov.uk", "url": page}
    assert legal_aid["source"] == page + CATALOGUE_SOURCE
    assert legal_aid["url"] == page and legal_aid["release"] == "quarterly"
    assert node(with_catalogue, "proven-reoffending-statistics")["contact"]["email"] == \
        "reoffendingstatistics@justice.gov.uk"
    lab = node(with_catalogue, "justice-data-lab-statistics")
    assert lab["source"] == lab["url"], "the collection's own mailbox, not the catalogue's"
    assert "contact" not in node(with_catalogue, "prisons-and-probation-statistics")
    assert with_catalogue.recorded == "2024-11-20", "the latest of the two recordings (13 and 20 November)"
    assert {n["verified"] for n in with_catalogue.nodes} == {"2024-11-20"}
    assert not any("were not read" in n for n in with_catalogue.notes)
    assert any(n.startswith("2 collection(s) whose page gives no team mailbox have one from the MoJ statistics")
               for n in with_catalogue.notes)
    for record in with_catalogue.nodes:
        assert model.validate_node(record) == [], record


def test_the_named_person_in_the_catalogue_is_dropped(with_catalogue):
    assert "robert.hartley" not in json.dumps(with_catalogue.nodes).lower()
    assert any("Left out 1 address(es) in the MoJ statistics catalogue" in n for n in with_catalogue.notes)
    assert not any("robert" in n.lower() for n in with_catalogue.notes), "the note does not repeat the address"

    def points_at_prisons(entries):
        person = next(e for e in entries if e["id"] == "hmpps-workforce")
        person["indexUri"] = GOVUK + "/government/collections/prisons-and-probation-statistics"

    found = run_on(edited(fetch.canonical(govuk.CATALOGUE), points_at_prisons, CATALOGUE))
    prisons = node(found, "prisons-and-probation-statistics")
    assert "contact" not in prisons and prisons["release"] == "quarterly", "the frequency is kept, the person not"


def trusts_performance(*cassettes: Path) -> dict[str, str]:
    """The fixture with one edition of the trusts performance collection added, and that collection's response."""
    bodies = responses(*cassettes)
    search = json.loads(bodies[fetch.canonical(SEARCH)])
    search["results"].append(json.loads((FIXTURES / "search-result-prison-performance-ratings-2023-to-2024.json")
                                        .read_text("utf-8")))
    search["total"] += 1
    bodies[fetch.canonical(SEARCH)] = json.dumps(search)
    bodies[collection(TRUSTS)] = (FIXTURES / f"collection-{TRUSTS}.json").read_text("utf-8")
    return bodies


def test_an_index_uri_with_a_fragment_is_its_collection_and_the_catalogue_beats_the_mapping():
    found = govuk.harvest(Replay(trusts_performance(CATALOGUE)), (), "2024-11-20", mapping=mapping())
    trusts = node(found, "prison-and-probation-performance-statistics")
    page = GOVUK + "/government/collections/" + TRUSTS
    # Both catalogue entries for it have a #fragment; the first listed gives the mailbox. The mapping
    # file says SUEPer_Stats@justice.gov.uk: the catalogue comes first.
    assert trusts["contact"] == {"email": "communityperformanceenquiries@justice.gov.uk", "url": page}
    assert trusts["source"] == page + CATALOGUE_SOURCE
    assert trusts["release"] == "annual"
    without = govuk.harvest(Replay(trusts_performance()), (), "2024-11-20", mapping=mapping())
    trusts = node(without, "prison-and-probation-performance-statistics")
    assert trusts["contact"]["email"] == "SUEPer_Stats@justice.gov.uk", "as published, not lower-cased"
    assert trusts["source"] == page + MAPPING_SOURCE and "release" not in trusts


def test_the_mapping_file_fills_what_the_body_and_catalogue_do_not():
    found = govuk.from_recorded([CASSETTE, MAPPING])
    legal_aid = node(found, "legal-aid-statistics")
    assert legal_aid["contact"]["email"] == "statistics@justice.gov.uk"
    assert legal_aid["source"] == GOVUK + "/government/collections/legal-aid-statistics" + MAPPING_SOURCE
    assert "release" not in legal_aid, "the mapping file says nothing of frequency"
    lab = node(found, "justice-data-lab-statistics")
    assert lab["contact"]["email"] == "Justice.datalab@justice.gov.uk" and lab["source"] == lab["url"], \
        "the collection body comes first (the mapping file has justice.datalab@justice.gov.uk)"
    assert any("were not read" in n for n in found.notes)
    assert any("Left out 1 address(es) in the ministryofjustice/data-catalogue" in n for n in found.notes)
    assert "robert.hartley" not in json.dumps(found.nodes).lower()
    # The department's subject areas are topics beside GOV.UK's taxons.
    areas = {n["id"] for n in found.nodes if n["label"] == "Topic" and n["source"] == govuk.MAPPING_PAGE}
    assert "topic.crime-and-policing" in areas
    assert any(e["type"] == "ABOUT" and e["to"] == "topic.crime-and-policing" for e in found.edges)


def test_precedence_is_collection_body_then_catalogue_then_mapping():
    def team_in_body(data):
        data["details"]["body"] += '<p>Email <a href="mailto:legalaid.statistics@justice.gov.uk">the team</a></p>'

    reader = edited(collection("legal-aid-statistics"), team_in_body, CATALOGUE)
    legal_aid = node(govuk.harvest(reader, (), "2024-11-20", mapping=mapping()), "legal-aid-statistics")
    assert legal_aid["contact"]["email"] == "legalaid.statistics@justice.gov.uk"
    assert legal_aid["source"] == legal_aid["url"]
    assert legal_aid["release"] == "quarterly", "the catalogue's frequency is still taken"
    both = node(govuk.harvest(Replay(responses(CATALOGUE)), (), "2024-11-20", mapping=mapping()),
                "legal-aid-statistics")
    assert both["source"].endswith(CATALOGUE_SOURCE)


def test_subject_areas_are_topics_of_a_collection_even_without_taxons():
    def no_taxons(data):
        del data["links"]["taxons"]

    found = govuk.harvest(edited(collection("prisons-and-probation-statistics"), no_taxons), (), "2024-11-20",
                          mapping=mapping())
    topic = node(found, "topic.prisons-and-probation")
    assert topic == {"id": "topic.prisons-and-probation", "label": "Topic", "name": "Prisons and probation",
                     "source": govuk.MAPPING_PAGE, "verified": "2024-11-20"}
    about = {e["to"] for e in found.edges if e["type"] == "ABOUT" and e["from"] == "prisons-and-probation-statistics"}
    assert about == {"topic.prisons-and-probation"}
    assert not [e for e in found.edges if "topic.prisons-and-probation" in (e["from"], e["to"])
                and e["type"] == "BROADER"], "the file says no area is broader than another"
    assert model.validate_node(topic) == []


def test_a_folder_of_cassettes_and_the_mapping_is_the_files_given_separately(tmp_path):
    for file in (CASSETTE, CATALOGUE, MAPPING):
        (tmp_path / file.name).write_text(file.read_text("utf-8"), "utf-8")
    from_folder = govuk.from_recorded(tmp_path)
    separately = govuk.from_recorded([CASSETTE, CATALOGUE, MAPPING])
    assert from_folder.nodes == separately.nodes and from_folder.edges == separately.edges
    assert from_folder.notes == separately.notes and from_folder.recorded == "2024-11-20"


def test_a_folder_of_saved_responses_with_the_catalogue_beside_it(harvest):
    found = govuk.from_recorded([SAVED, CATALOGUE])
    assert node(found, "legal-aid-statistics")["contact"]["email"] == "statistics@justice.gov.uk"
    assert [n["id"] for n in found.nodes] == [n["id"] for n in harvest.nodes]


def _an_entry_not_an_object(entries):
    entries[:] = []
    entries.append("x")


def _without_index_uri(entries):
    del entries[1]["indexUri"]


def _owner_not_an_address(entries):
    entries[2]["ownerEmail"] = "statistics at justice.gov.uk"


def _owner_a_number(entries):
    entries[0]["ownerEmail"] = 42


def _frequency_a_list(entries):
    entries[3]["frequency"] = ["Annual"]


@pytest.mark.parametrize("change, field, words", [
    (_an_entry_not_an_object, "[0]", "is not an object"),
    (_without_index_uri, "[1].indexUri", "is missing"),
    (_owner_not_an_address, "[2].ownerEmail", "is not an email address"),
    (_owner_a_number, "[0].ownerEmail", "is not text"),
    (_frequency_a_list, "[3].frequency", "is not text"),
])
def test_a_bad_catalogue_names_the_url_and_field(change, field, words):
    with pytest.raises(HarvestError) as caught:
        run_on(edited(fetch.canonical(govuk.CATALOGUE), change, CATALOGUE))
    assert caught.value.where == govuk.CATALOGUE and caught.value.field == field and words in str(caught.value)


@pytest.mark.parametrize("body, words", [('{"publications": []}', "not a JSON list"), ("[{", "truncated"),
                                         ("<html>", "HTML")])
def test_a_catalogue_that_is_no_list_of_publications(body, words):
    bodies = responses()
    bodies[fetch.canonical(govuk.CATALOGUE)] = body
    with pytest.raises(HarvestError) as caught:
        run_on(Replay(bodies))
    assert caught.value.where == govuk.CATALOGUE and caught.value.field == "body" and words in str(caught.value)


def test_the_catalogue_is_read_only_for_the_ministry_of_justice():
    key = "department-for-exiting-the-european-union"
    bodies = {fetch.canonical(govuk.search_url(key)): json.dumps({"results": [], "total": 0, "start": 0}),
              fetch.canonical(govuk.ORGANISATION_API + key): (FIXTURES / "organisation-dexeu.json").read_text("utf-8"),
              fetch.canonical(govuk.CATALOGUE): "not JSON"}
    found = govuk.harvest(Replay(bodies), [key], "2024-11-20")
    assert not any("catalogue" in n for n in found.notes)


@pytest.mark.parametrize("text, field, words", [
    ("legal-aid-statistics:\n  subject_areas: Legal aid\n  contact_email: statistics@justice.gov.uk\n",
     "legal-aid-statistics.subject_areas", "is not a list of names"),
    ("legal-aid-statistics:\n  contact_email: statistics at justice\n",
     "legal-aid-statistics.contact_email", "is not an email address"),
    ("legal-aid-statistics:\n  contact_email: [statistics@justice.gov.uk]\n",
     "legal-aid-statistics.contact_email", "is not text"),
])
def test_a_bad_mapping_file_names_the_file_and_field(tmp_path, text, field, words):
    bad = tmp_path / "mappings.yaml"
    bad.write_text(text, "utf-8")
    with pytest.raises(HarvestError) as caught:
        govuk.from_recorded([CASSETTE, bad])
    assert caught.value.where == str(bad) and caught.value.field == field and words in str(caught.value)


def test_yaml_that_is_neither_a_cassette_nor_a_mapping_file_is_refused(tmp_path):
    odd = tmp_path / "odd.yaml"
    odd.write_text("- just\n- a list\n", "utf-8")
    with pytest.raises(HarvestError) as caught:
        govuk.from_recorded([CASSETTE, odd])
    assert caught.value.where == str(odd) and "not a VCR cassette" in str(caught.value)
    with pytest.raises(HarvestError) as caught:
        govuk.from_recorded(MAPPING)
    assert "holds no recorded responses" in str(caught.value)


def _cli_json(cli, *args):
    code, out, err = cli("harvest", "govuk", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_the_cli_reads_several_recordings_and_a_second_run_changes_nothing(cli):
    paths = [a for p in (CASSETTE, CATALOGUE, MAPPING) for a in ("--recorded", p)]
    dry = _cli_json(cli, *paths, "--dry-run")
    created = {r["id"]: r for r in dry["created"]}
    assert created["legal-aid-statistics"]["contact"]["email"] == "statistics@justice.gov.uk"
    assert created["justice-data-lab-statistics"]["contact"]["email"] == "Justice.datalab@justice.gov.uk"
    assert dry["dry_run"] and not any("were not read" in n for n in dry["notes"])
    first = _cli_json(cli, *paths)
    assert first["counts"] == dry["counts"] and first["revision"]
    second = _cli_json(cli, *paths)
    assert second["created"] == second["updated"] == [] and second["relationships_added"] == 0
    assert all(c["created"] == c["updated"] == 0 for c in second["counts"].values())
    code, out, _ = cli("export")
    stored = {n["id"]: n for n in json.loads(out)["nodes"]}
    assert stored["legal-aid-statistics"]["source"].endswith(CATALOGUE_SOURCE)
    assert stored["legal-aid-statistics"]["release"] == "quarterly"


def test_the_cli_gives_other_sources_one_recording(cli):
    code, _, err = cli("harvest", "ons", "--recorded", CASSETTE, "--recorded", CATALOGUE, "--dry-run")
    assert code == 2 and "harvest ons reads one recording" in err and "Traceback" not in err
