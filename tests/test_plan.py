"""Engagement plans: Box 1 matches the graph, and a plan can be drafted for every seed statistic."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from graph import engagement_plan as plans
from graph import transfer
from graph.errors import InvalidRecord, NodeNotFound
from graph.settings import DEFAULTS

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

SEED = Path(__file__).resolve().parents[1] / "seed" / "registry.json"
TODAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def seed_doc():
    return json.loads(SEED.read_text(encoding="utf-8"))


@pytest.fixture
def seeded(app_store):
    transfer.import_document(app_store, transfer.read_document(SEED))
    return app_store


def expected_box1(doc, statistic):
    """Box 1 read straight from the seed document: {role: {public: {intermediaries}}}."""
    out = {role: {} for role, _ in plans.ROLES}
    for e in doc["edges"]:
        if e["type"] == "DESCRIBES" and e["from"] == statistic:
            out[e.get("role") or "about"][e["to"]] = {
                r["from"] for r in doc["edges"] if r["type"] == "REACHES" and r["to"] == e["to"]}
    return out


def test_box1_for_a_seed_statistic_matches_the_graph(seeded, seed_doc):
    plan = plans.draft_plan(seeded.graph(), "hbai", TODAY, DEFAULTS)
    got = {g.role: {p.id: {i.id for i in p.intermediaries} for p in g.publics} for g in plan.box1}
    expected = expected_box1(seed_doc, "hbai")
    assert got == expected
    assert expected["about"] and expected["collected_from"] and expected["left_out"]  # the seed exercises roles
    assert any(intermediaries for intermediaries in expected["about"].values())
    for public in plan.publics:  # the discovery ranking's best routes sit beside the direct ones
        if public.intermediaries:
            assert public.ranked and public.ranked[0].score > 0
            assert public.ranked[0].id in {i.id for i in public.intermediaries} or not public.ranked[0].direct
    text = plans.markdown(plan)
    top = next(p.ranked[0] for p in plan.publics if p.ranked)
    assert f"best routes by Pathways' ranking: {plans.md(top.name)}" in text
    assert "score" not in text.lower()  # the ranking is shown by order and evidence, never as a decimal
    names = {n["id"]: n["name"] for n in seed_doc["nodes"]}
    for public, intermediaries in expected["about"].items():
        assert plans.md(names[public]) in text
        for i in intermediaries:
            assert plans.md(names[i]) in text


def test_a_plan_for_every_seed_statistic(seeded, seed_doc):
    graph = seeded.graph()
    statistics = [n["id"] for n in seed_doc["nodes"] if n["label"] == "Statistic"]
    assert len(statistics) > 20
    for statistic in statistics:
        plan = plans.draft_plan(graph, statistic, TODAY, DEFAULTS)
        got = {g.role: {p.id: {i.id for i in p.intermediaries} for p in g.publics} for g in plan.box1}
        assert got == expected_box1(seed_doc, statistic), statistic
        assert all(p.burden is not None and p.burden.id == p.id for p in plan.publics)
        text = plans.markdown(plan)
        assert text.startswith("# Public involvement and engagement plan") and "## Box 3" in text
        assert len(plan.questions["box1"]) == 8 and len(plan.questions["box3"]) == 8


def test_box2_and_box3_draw_on_needs_engagements_and_routes(seeded):
    plan = plans.draft_plan(seeded.graph(), "hbai", TODAY, DEFAULTS)
    assert {n.id for n in plan.needs} == {"need.poverty-data-navigation", "need.bar-alongside"}
    assert "eng.bar-consultation" in {e.id for e in plan.engagements}
    assert plan.partners and {t.id for t in plan.topics} >= {"topic.poverty"}
    box1_q = {q.text: q for q in plan.questions["box1"]}
    assert box1_q[plans.BOX1_QUESTIONS[2]].known == []  # nobody recorded as affected: left for the producer
    assert box1_q[plans.BOX1_QUESTIONS[3]].known  # left out: the graph knows


def test_questions_are_left_for_the_producer_when_the_graph_knows_nothing(app_store):
    from graph.stores import Change
    app_store.apply(Change(put_nodes=[{"id": "s.new", "label": "Statistic", "name": "A new statistic"}]))
    plan = plans.draft_plan(app_store.graph(), "s.new", TODAY, DEFAULTS)
    assert all(not g.publics for g in plan.box1)
    assert all(not q.known for q in plan.questions["box1"])
    assert plans.markdown(plan).count(plans.FOR_PRODUCER) >= 8
    with pytest.raises(NodeNotFound):
        plans.draft_plan(app_store.graph(), "s.missing", TODAY, DEFAULTS)


def test_plan_page_download_and_record_link(client, seeded):
    page = client.get("/statistics/hbai/plan")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Box 1" in html and "People on low incomes" in html and "Citizens Advice" in html
    download = client.get("/statistics/hbai/plan.md")
    assert download.status_code == 200 and download.mimetype == "text/markdown"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "People on low incomes" in download.get_data(as_text=True)
    assert "/statistics/hbai/plan" in client.get("/records/hbai").get_data(as_text=True)
    assert client.get("/statistics/topic.poverty/plan").status_code == 400
    assert client.get("/statistics/nothing/plan.md").status_code == 404


def test_markdown_escapes_user_text(app_store):
    from graph.stores import Change
    app_store.apply(Change(put_nodes=[
        {"id": "s.x", "label": "Statistic", "name": "Stat [click](http://evil) <img>"},
        {"id": "p.x", "label": "Public", "name": "People *with* <b>"}],
        put_edges=[{"type": "DESCRIBES", "from": "s.x", "to": "p.x", "role": "about"}]))
    text = plans.markdown(plans.draft_plan(app_store.graph(), "s.x", TODAY, DEFAULTS))
    assert "[click]" not in text and "<img>" not in text and "<b>" not in text
    assert r"\[click\]" in text and r"People \*with\* \<b\>" in text


def test_not_a_statistic_is_refused_naming_the_record():
    import networkx as nx
    g = nx.MultiDiGraph()
    g.add_node("t", id="t", label="Topic", name="T")
    with pytest.raises(InvalidRecord, match="node 't': label"):
        plans.draft_plan(g, "t", TODAY, DEFAULTS)
