"""GOV.UK consultations become engagements (``pathways harvest govuk --consultations``).

The fixture (tests/fixtures/harvest/govuk/consultations/, see the README beside it) holds
trimmed copies of three Content API examples (an outcome, an open and a closed consultation)
and Search API responses of our own in the shape GOV.UK answers, one per organisation. The
registry they are harvested into is made here: three producers known by their GOV.UK
organisation and publics whose aliases or keywords the consultations' text names. Store
and CLI tests run on both stores (``store`` fixture, ``BOTH_STORES``); nothing reads the network.
"""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import pytest

from graph import burden, model
from graph.harvest import consultations as C
from graph.harvest import fetch
from graph.harvest.base import HarvestError
from graph.harvest.run import run
from graph.settings import DEFAULTS
from graph.stores.base import Change

BOTH_STORES = True

FIXTURES = Path(__file__).parent / "fixtures" / "harvest" / "govuk" / "consultations"
CASSETTE = FIXTURES / "consultations.yaml"
RECORDED = "2016-11-08"  # the cassette's Date headers
GCSE = "eng.govuk.setting-the-grade-standards-of-new-gcses-in-england-2017-2018"
POST_OFFICE = "eng.govuk.post-office-network"
MUSEUMS = "eng.govuk.review-of-museums-in-england"
GCSE_PAGE = "https://www.gov.uk/government/consultations/setting-the-grade-standards-of-new-gcses-in-england-2017-2018"
MUSEUMS_PATH = "/government/consultations/review-of-museums-in-england"


def producer(pid, name, govuk):
    return {"id": pid, "label": "Producer", "name": name, "kind": "department", "identifiers": {"govuk": govuk}}


REGISTRY = [
    producer("ofqual", "Ofqual", "ofqual"),
    producer("dfe", "Department for Education", "department-for-education"),
    producer("dcms", "Department for Culture, Media and Sport", "department-for-culture-media-sport"),
    {"id": "pub.pupils-families", "label": "Public", "name": "Pupils and their parents or carers",
     "aliases": ["students"]},
    {"id": "pub.school-staff", "label": "Public", "name": "School teachers and support staff", "tags": ["teachers"]},
    {"id": "pub.post-office-users", "label": "Public", "name": "People who use post offices",
     "tags": ["post offices"]},
    {"id": "pub.rural-communities", "label": "Public", "name": "Rural communities"},
]


def seeded(store):
    store.apply(Change(put_nodes=[dict(r) for r in REGISTRY], actor="test"))
    return store


def harvested(store, reader=None, organisations=()):
    if reader is None:
        return C.from_recorded(CASSETTE, store.graph(), organisations)
    return C.harvest(reader, store.graph(), organisations, reader.recorded)


class Replay(fetch.Reader):
    """The fixture's bodies, some edited for one test, dated like the recording."""

    recorded = RECORDED

    def __init__(self, bodies):
        self.bodies = bodies

    def get(self, url):
        found = self.bodies.get(fetch.canonical(url))
        if found is None:
            raise fetch.NotRecorded(url, "", "is not in the fixture")
        return found


def edited(path, change) -> Replay:
    bodies = {url: body for url, (_s, body) in fetch.Cassette.open(CASSETTE).responses.items()}
    url = fetch.canonical(C.content_url(path))
    data = json.loads(bodies[url])
    change(data)
    bodies[url] = json.dumps(data)
    return Replay(bodies)


def involved(store, engagement):
    return {e["to"]: e.get("confirmed") for e in store.edges_of(engagement, "out", ["INVOLVED"])}


# -- what the examples become ---------------------------------------------------------

def test_the_outcome_becomes_a_reported_engagement_with_its_dates_and_feedback(sqlite_store):
    h = harvested(seeded(sqlite_store))
    gcse = next(n for n in h.nodes if n["id"] == GCSE)
    assert (gcse["method"], gcse["status"], gcse["start"], gcse["end"]) == (
        "consultation", "reported", "2016-04-22", "2016-06-17")
    assert gcse["feedback_published"] == "2016-09-07"  # final_outcome_publication_date
    assert gcse["feedback_url"] == GCSE_PAGE
    assert (gcse["source"], gcse["verified"]) == (GCSE_PAGE, RECORDED)
    assert {"type": "RAN", "from": "ofqual", "to": GCSE} in h.edges
    assert model.validate_node(gcse) == []


def test_an_open_consultation_is_held_without_feedback_and_a_placeholder_closing_date_is_left_out(sqlite_store):
    h = harvested(seeded(sqlite_store))
    post = next(n for n in h.nodes if n["id"] == POST_OFFICE)
    assert (post["status"], post["start"]) == ("held", "2016-11-04")
    assert "end" not in post  # GOV.UK's example closes in 2216, beyond any real date
    assert "feedback_published" not in post and "feedback_url" not in post
    assert any("2216-12-21" in note and "without an end" in note for note in h.notes)
    # run by the one of its two organisations the registry holds (BEIS is not a producer here)
    assert [e["from"] for e in h.edges if e["type"] == "RAN" and e["to"] == POST_OFFICE] == ["dfe"]


def test_a_consultation_not_yet_open_when_recorded_is_planned():
    assert C.status_of("open_consultation", "2016-11-09", RECORDED) == "planned"
    assert C.status_of("open_consultation", RECORDED, RECORDED) == "held"
    assert C.status_of("closed_consultation", "2016-09-05", RECORDED) == "held"


def test_a_held_consultation_no_public_can_be_proposed_for_is_left_out_and_named(sqlite_store):
    h = harvested(seeded(sqlite_store))
    assert MUSEUMS not in {n["id"] for n in h.nodes}
    assert not any(MUSEUMS in (e["from"], e["to"]) for e in h.edges)
    note = next(n for n in h.notes if "Left out 1 consultation" in n)
    assert "Review of Museums in England" in note and "held" in note


def test_a_planned_consultation_is_recorded_even_with_no_public_proposed(sqlite_store):
    def later(doc):
        doc["document_type"] = "open_consultation"
        doc["details"]["opening_date"] = "2016-12-01T09:00:00+00:00"
        doc["details"]["closing_date"] = "2017-01-31T17:00:00+00:00"
    h = harvested(seeded(sqlite_store), edited(MUSEUMS_PATH, later))
    museums = next(n for n in h.nodes if n["id"] == MUSEUMS)
    assert (museums["status"], museums["start"], museums["end"]) == ("planned", "2016-12-01", "2017-01-31")
    assert not any(e["type"] == "INVOLVED" and e["from"] == MUSEUMS for e in h.edges)
    assert {"type": "RAN", "from": "dcms", "to": MUSEUMS} in h.edges


def test_publics_are_proposed_from_the_text_unconfirmed_and_conservatively(sqlite_store):
    h = harvested(seeded(sqlite_store))
    proposals = sorted((e["from"], e["to"], e["confirmed"]) for e in h.edges if e["type"] == "INVOLVED")
    assert proposals == [(POST_OFFICE, "pub.post-office-users", False),
                         (GCSE, "pub.pupils-families", False),
                         (GCSE, "pub.school-staff", False)]
    # "communities" alone does not make the post office consultation involve "Rural communities"
    assert not any(e["to"] == "pub.rural-communities" for e in h.edges)


def test_the_search_is_read_page_by_page(sqlite_store):
    seeded(sqlite_store)
    bodies = {url: body for url, (_s, body) in fetch.Cassette.open(CASSETTE).responses.items()}
    first = json.loads(bodies[fetch.canonical(C.search_url("department-for-culture-media-sport"))])
    extra = {**first["results"][0], "link": "/government/consultations/post-office-network"}
    bodies[fetch.canonical(C.search_url("department-for-culture-media-sport"))] = json.dumps({**first, "total": 2})
    bodies[fetch.canonical(C.search_url("department-for-culture-media-sport", 1))] = json.dumps(
        {**first, "results": [extra], "total": 2, "start": 1})
    reader = Replay(bodies)
    assert C.read_listing(reader, "department-for-culture-media-sport") == [
        MUSEUMS_PATH, "/government/consultations/post-office-network"]
    # listed by two organisations, read once
    assert sorted(n["id"] for n in harvested(sqlite_store, reader).nodes) == [POST_OFFICE, GCSE]


def test_bad_responses_name_the_url_and_the_field(sqlite_store):
    seeded(sqlite_store)
    with pytest.raises(HarvestError, match=r"review-of-museums-in-england: document_type: is 'guidance'"):
        harvested(sqlite_store, edited(MUSEUMS_PATH, lambda d: d.update(document_type="guidance")))
    with pytest.raises(HarvestError, match=r"details\.opening_date: is not a date and time"):
        harvested(sqlite_store, edited(MUSEUMS_PATH, lambda d: d["details"].update(opening_date="5/9/2016")))
    with pytest.raises(HarvestError, match=r"links\.organisations: is missing"):
        harvested(sqlite_store, edited(MUSEUMS_PATH, lambda d: d["links"].pop("organisations")))


def test_an_organisation_no_producer_has_is_refused_and_a_missing_recording_only_noted(sqlite_store):
    seeded(sqlite_store)
    with pytest.raises(HarvestError, match="no producer in the registry has the GOV.UK organisation 'home-office'"):
        harvested(sqlite_store, organisations=["home-office"])
    sqlite_store.apply(Change(put_nodes=[producer("ho", "Home Office", "home-office")], actor="test"))
    h = harvested(sqlite_store)  # every producer: the Home Office's list is not in the recording
    assert any("home-office" in n and "Not in the recording" in n for n in h.notes)
    with pytest.raises(fetch.NotRecorded):
        harvested(sqlite_store, organisations=["home-office"])


# -- into a store ---------------------------------------------------------------------

def test_proposed_publics_count_towards_burden_only_once_confirmed(store):
    seeded(store)
    run(store, harvested(store))
    assert involved(store, GCSE) == {"pub.pupils-families": False, "pub.school-staff": False}
    as_of = _dt.date(2016, 9, 30)
    before = burden.score_node(store.graph(), "pub.pupils-families", as_of, DEFAULTS)
    assert (before.units, before.engagement_count) == (0.0, 0)
    store.apply(Change(put_edges=[{"type": "INVOLVED", "from": GCSE, "to": "pub.pupils-families", "confirmed": True}],
                       actor="editor"))
    after = burden.score_node(store.graph(), "pub.pupils-families", as_of, DEFAULTS)
    assert after.units > 0 and [c.engagement for c in after.engagements] == [GCSE]
    still = burden.score_node(store.graph(), "pub.school-staff", as_of, DEFAULTS)
    assert still.units == 0.0  # the other proposal is still unconfirmed


def test_a_second_harvest_changes_nothing(store):
    seeded(store)
    first, result = run(store, harvested(store))
    assert first.counts() == {"Engagement": {"created": 2, "updated": 0, "unchanged": 0}}
    revision = store.revision()
    second, result = run(store, harvested(store))
    assert second.counts() == {"Engagement": {"created": 0, "updated": 0, "unchanged": 2}}
    assert second.edges == [] and not second.changed and store.revision() == revision


def test_a_dry_run_writes_nothing(store):
    seeded(store)
    revision = store.revision()
    planned, result = run(store, harvested(store), dry_run=True)
    assert result is None and len(planned.creates) == 2
    assert store.revision() == revision and store.get_node(GCSE) is None


def test_an_editors_changes_are_kept_confirmations_and_removals_too(store):
    seeded(store)
    run(store, harvested(store))
    gcse = store.get_node(GCSE)
    store.apply(Change(put_nodes=[{**{k: v for k, v in gcse.items() if k != "version"}, "name": "GCSE grading 2017-18"}],
                       put_edges=[{"type": "INVOLVED", "from": GCSE, "to": "pub.pupils-families", "confirmed": True}],
                       delete_edges=[("INVOLVED", GCSE, "pub.school-staff")], actor="editor"))
    again, _ = run(store, harvested(store))
    assert store.get_node(GCSE)["name"] == "GCSE grading 2017-18"
    assert [(c.id, c.field) for c in again.conflicts] == [(GCSE, "name")]
    # the confirmed link stays confirmed and the removed proposal is not proposed again
    assert involved(store, GCSE) == {"pub.pupils-families": True}


def test_an_engagement_the_registry_already_records_is_filled_in_not_duplicated(store):
    seeded(store)
    mine = {"id": "eng.gcse-grading", "label": "Engagement", "name": "Setting the grade standards of new GCSEs in "
            "England: 2017 & 2018", "method": "consultation", "start": "2016-04-22", "status": "reported",
            "source": "typed by an editor"}
    store.apply(Change(put_nodes=[mine], put_edges=[{"type": "INVOLVED", "from": mine["id"], "to": "pub.school-staff"}],
                       actor="editor"))
    planned, _ = run(store, harvested(store))
    assert GCSE not in {r["id"] for r in planned.creates}
    stored = store.get_node("eng.gcse-grading")
    assert (stored["source"], stored["end"], stored["feedback_published"]) == ("typed by an editor", "2016-06-17",
                                                                               "2016-09-07")
    assert involved(store, "eng.gcse-grading") == {"pub.school-staff": None}  # the editor's link, no proposals
    assert {e["from"] for e in store.edges_of("eng.gcse-grading", "in", ["RAN"])} == {"ofqual"}


def test_the_record_pages_say_proposed_not_confirmed(app, app_store, client):
    seeded(app_store)
    run(app_store, harvested(app_store))
    page = client.get(f"/records/{GCSE}").get_data(as_text=True)
    # each of the two proposed publics: in the "Publics proposed, not confirmed" box and under Connections
    assert page.count('class="govuk-tag govuk-tag--yellow pathways-proposed">Proposed, not confirmed<') == 4
    assert 'id="proposal-pub.school-staff"' in page and 'id="proposal-pub.pupils-families"' in page
    assert "does not count towards the burden" in page
    public = client.get("/records/pub.school-staff").get_data(as_text=True)
    assert public.count("pathways-proposed") == 2  # in its engagements and in its connections
    app_store.apply(Change(put_edges=[{"type": "INVOLVED", "from": GCSE, "to": "pub.school-staff", "confirmed": True}],
                           actor="editor"))
    public = client.get("/records/pub.school-staff").get_data(as_text=True)
    assert "pathways-proposed" not in public and GCSE in public


# -- the command ----------------------------------------------------------------------

def on_store(url, do):
    from graph.stores import open_store
    store = open_store(url)
    try:
        return do(store)
    finally:
        store.close()


def test_cli_dry_run_lists_engagements_and_proposals_and_writes_nothing(cli, store_url):
    revision = on_store(store_url, lambda store: seeded(store).revision())
    code, out, err = cli("harvest", "govuk", "--consultations", "--recorded", CASSETTE, "--dry-run")
    assert code == 0, err
    assert "Engagement: 2 to create, 0 to update, 0 unchanged" in out
    assert (f"Setting the grade standards of new GCSEs in England: 2017 & 2018 ({GCSE}): reported, 2016-04-22 to "
            "2016-06-17; publics proposed, not confirmed: pub.pupils-families, pub.school-staff") in out
    assert "Review of Museums in England" in out  # named as left out
    assert on_store(store_url, lambda store: (store.revision(), store.get_node(GCSE))) == (revision, None)


def test_cli_writes_once_then_changes_nothing(cli, store_url):
    on_store(store_url, seeded)
    code, out, err = cli("harvest", "govuk", "--consultations", "--recorded", CASSETTE, "--json")
    assert code == 0, err
    first = json.loads(out)
    assert first["counts"] == {"Engagement": {"created": 2, "updated": 0, "unchanged": 0}}
    assert {"engagement": GCSE, "public": "pub.school-staff"} in first["proposed"]
    code, out, err = cli("harvest", "govuk", "--consultations", "--recorded", CASSETTE, "--json")
    second = json.loads(out)
    assert second["counts"] == {"Engagement": {"created": 0, "updated": 0, "unchanged": 2}}
    assert second["relationships_added"] == 0 and second["proposed"] == []


def test_cli_consultations_are_for_govuk_only_and_unknown_organisations_refused(cli):
    code, _out, err = cli("harvest", "ons", "--consultations", "--recorded", CASSETTE)
    assert code == 2 and "--consultations is for govuk only" in err
    code, _out, err = cli("harvest", "govuk", "--consultations", "--recorded", CASSETTE, "--organisation", "ofqual")
    assert code == 1 and "no producer in the registry has the GOV.UK organisation 'ofqual'" in err
