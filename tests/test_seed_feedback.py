"""Feedback debt matches the record, for every engagement of the seed registry.

One rule decides whether an engagement owes feedback (graph.feedback.debt_days); this checks
that no seeded engagement contradicts itself and that every page, the API and the feeds say
the same thing about each one. It reads seed/registry.json from the repository only.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import networkx as nx
import pytest

from graph import burden, feedback, feeds
from graph.settings import DEFAULTS
from graph.stores import Change

SEED = Path(__file__).resolve().parents[1] / "seed" / "registry.json"
TODAY = dt.date(2026, 12, 1)   # the date the issue was tried on; the seed's records are dated before it


def seed_document() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


def seed_graph() -> nx.MultiDiGraph:
    doc = seed_document()
    g = nx.MultiDiGraph()
    for record in doc["nodes"]:
        g.add_node(record["id"], **record)
    for edge in doc["edges"]:
        g.add_edge(edge["from"], edge["to"], key=edge["type"], type=edge["type"],
                   **{k: v for k, v in edge.items() if k not in ("type", "from", "to")})
    return g


ENGAGEMENTS = [r for r in seed_document()["nodes"] if r["label"] == "Engagement"]


@pytest.mark.parametrize("record", ENGAGEMENTS, ids=[r["id"] for r in ENGAGEMENTS])
def test_no_seeded_engagement_contradicts_itself(record):
    given = feedback.feedback_given(record)
    # "We did" says something was done, so feedback was given: it cannot also be awaiting feedback.
    if record.get("we_did"):
        assert given
    # A published feedback date needs an account of what was done or a link to it.
    if record.get("feedback_published"):
        assert record.get("we_did") or record.get("feedback_url"), record["id"]
    # Feedback is published after the engagement began, never before.
    if record.get("feedback_published"):
        assert record["feedback_published"] >= record["start"], record["id"]
    # Every record has its source and the date it was recorded.
    assert record.get("source") and record.get("verified"), record["id"]
    # A held or reported engagement that ended long ago and says what participants said but records no
    # feedback at all is exactly what the issue found; none may be left like that without saying so.
    owes = feedback.owes_feedback(record, TODAY, DEFAULTS)
    if owes and record.get("you_said"):
        pytest.fail(f"{record['id']} records what participants said but no feedback: check its source")


def test_every_decider_agrees_for_every_seeded_engagement():
    g = seed_graph()
    in_debt = {d.engagement for d in burden.feedback_debt(g, TODAY, DEFAULTS)}
    items = {i.id: i for i in feedback.you_said_we_did(g, include_silent=True)}
    for record in ENGAGEMENTS:
        eid = record["id"]
        owes = feedback.owes_feedback(record, TODAY, DEFAULTS)
        assert (eid in in_debt) == owes, eid                                  # the dashboard's debt table
        item = items[eid]
        assert item.given == feedback.feedback_given(record), eid            # the you said, we did cards
        if owes:
            assert item.awaiting, eid
        for public in (v for _, v, k in g.out_edges(eid, keys=True) if k == "INVOLVED"):
            score = burden.score_node(g, public, TODAY, DEFAULTS)
            for c in score.engagements:                                       # the burden factor and the API
                if c.engagement == eid:
                    assert (c.factors["feedback_debt"] != 1.0) == owes, eid
                    assert c.feedback_given == feedback.feedback_given(record, TODAY), eid


def test_the_issues_examples_are_fixed():
    g = seed_graph()
    items = {i.id: i for i in feedback.you_said_we_did(g, include_silent=True)}
    assembly = items["eng.uk-statistics-assembly"]
    assert assembly.given and not assembly.awaiting and assembly.published
    migration = items["eng.pop-migration-consultation"]
    assert migration.published == "2023-12-14" and migration.we_did
    jury = items["eng.ndg-citizens-jury"]
    assert jury.given and jury.url
    assert "eng.ndg-citizens-jury" not in {d.engagement for d in burden.feedback_debt(g, TODAY, DEFAULTS)}


def test_the_seed_records_engagements_of_2024_to_2026_with_their_publics():
    g = seed_graph()
    recent = [r for r in ENGAGEMENTS if "2024-01-01" <= (r.get("end") or r["start"]) <= "2026-12-31"]
    assert len(recent) >= 8
    for record in recent:
        involved = [v for _, v, k in g.out_edges(record["id"], keys=True) if k == "INVOLVED"]
        ran = [u for u, _, k in g.in_edges(record["id"], keys=True) if k == "RAN"]
        assert involved or "not say" in (record.get("description") or ""), record["id"]
        assert ran, record["id"]


def test_feeds_give_we_did_only_as_the_record_has_it():
    g = seed_graph()
    entries = feeds.entries_for(g, "https://example.org", {}, producer="osr")
    ids = {e.id.split("/")[1] for e in entries if e.category == "you-said-we-did"}
    assert "eng.code-of-practice-3-consultation" in ids


BOTH_STORES = False


def test_pages_and_api_agree_with_the_decider(client, app_store):
    """Through the app: the API's contributions, the dashboard's debt table and the cards."""
    nodes = [
        {"id": "p", "label": "Public", "name": "Carers"},
        {"id": "ons", "label": "Producer", "name": "ONS"},
        # said what was done, no date: not in debt
        {"id": "did", "label": "Engagement", "name": "Outcome only", "method": "survey", "start": "2026-01-10",
         "status": "reported", "you_said": "More local figures", "we_did": "Published local tables"},
        # said nothing was published: in debt
        {"id": "owes", "label": "Engagement", "name": "Still owed", "method": "survey", "start": "2026-01-10",
         "status": "held", "you_said": "Too many tables"},
    ]
    edges = [{"type": "INVOLVED", "from": "did", "to": "p"}, {"type": "INVOLVED", "from": "owes", "to": "p"},
             {"type": "RAN", "from": "ons", "to": "did"}, {"type": "RAN", "from": "ons", "to": "owes"}]
    app_store.apply(Change(put_nodes=nodes, put_edges=edges))
    body = client.get("/api/v1/burden?as_of=2026-06-01").get_json()
    carers = next(p for p in body["publics"] if p["id"] == "p")
    factors = {c["engagement"]: (c["factors"]["feedback_debt"], c["feedback_given"]) for c in carers["contributions"]}
    assert factors == {"did": (1.0, True), "owes": (1.5, False)}
    page = client.get("/burden?as_of=2026-06-01").get_data(as_text=True)
    table = page.split('id="feedback-debt-table"')[1].split("</table>")[0]
    assert "Still owed" in table and "Outcome only" not in table
    cards = client.get("/you-said-we-did").get_data(as_text=True)
    did = cards.split('id="ysdw-did"')[1].split('id="ysdw-')[0]
    assert "Feedback published" in did and "Awaiting feedback" not in did and "Yes (date not recorded)" in did
    owes = cards.split('id="ysdw-owes"')[1]
    assert "Awaiting feedback" in owes


@pytest.mark.parametrize("record", ENGAGEMENTS, ids=lambda r: r["id"])
def test_every_seeded_engagement_has_a_source_and_a_verified_date(record):
    """Issue 18, item 4: nothing in the seed's record of activity is unsourced or undated."""
    from graph import model
    assert isinstance(record.get("source"), str) and record["source"].strip(), "no source"
    verified = model.parse_date(record.get("verified"))
    assert verified is not None, f"verified {record.get('verified')!r} is not a date"
    assert model.parse_date(record.get("start")) is not None and model.parse_date(record["start"]) <= verified


def test_every_held_seeded_engagement_names_who_took_part_and_who_ran_it():
    """A held or reported engagement involves a public (the model's rule); one since 2024 names the producer that ran it."""
    g = seed_graph()
    from graph import model
    for record in ENGAGEMENTS:
        if model.must_involve_public(record):
            publics = [v for _u, v, k in g.out_edges(record["id"], keys=True) if k == "INVOLVED"]
            assert publics, record["id"]
            assert all(g.nodes[p]["label"] == "Public" for p in publics), record["id"]
        if record["start"] >= "2024-01-01":  # earlier case studies include research teams' work no producer ran
            assert any(k == "RAN" for _u, _v, k in g.in_edges(record["id"], keys=True)), record["id"]


def test_the_names_reference_documents_use_for_publics_are_their_aliases():
    """So the consultations harvest proposes them: "disabled communities" (the toolkit's tip 9) names
    Disabled people, "third sector" the voluntary and community sector."""
    from graph.harvest.consultations import propose_publics
    publics = [r for r in seed_document()["nodes"] if r["label"] == "Public"]
    text = "We want to hear from disabled communities and the third sector, and from users of statistics."
    assert [pid for pid, _why in propose_publics(text, publics)] == [
        "pub.disabled-people", "pub.statistics-users", "pub.voluntary-community-sector"]
