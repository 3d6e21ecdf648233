"""The ONS topic and bulletin harvest, on trimmed copies of the recorded topic API data.

The fixtures (tests/fixtures/harvest/ons/) are real documents from ONSdigital/dp-data-tools-go
(the root, Economy and two of its topics; their content with the lists shortened and
the descriptions cut).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graph import model
from graph.harvest import fetch, ons
from graph.harvest.base import HarvestError
from graph.harvest.run import run

FIXTURES = Path(__file__).parent / "fixtures" / "harvest" / "ons"


@pytest.fixture(scope="module")
def harvest():
    return ons.from_recorded(FIXTURES)


def node(harvest, node_id):
    return next(n for n in harvest.nodes if n["id"] == node_id)


def test_every_record_and_relationship_is_valid(harvest):
    assert harvest.problems() == []
    assert harvest.source == "ons" and harvest.scope == {"ons"} and harvest.recorded == ons.RECORDED_ONS


def test_topics_and_broader_links(harvest):
    topics = {n["id"]: n for n in harvest.nodes if n["label"] == "Topic"}
    assert set(topics) == {"topic.economy", "topic.inflation-and-price-indices", "topic.gross-domestic-product-gdp"}
    assert [e for e in harvest.edges if e["type"] == "BROADER"] == [
        {"type": "BROADER", "from": "topic.inflation-and-price-indices", "to": "topic.economy"},
        {"type": "BROADER", "from": "topic.gross-domestic-product-gdp", "to": "topic.economy"}]
    assert topics["topic.inflation-and-price-indices"]["source"] == \
        "https://www.ons.gov.uk/economy/inflationandpriceindices"
    assert topics["topic.gross-domestic-product-gdp"]["aliases"] == ["GDP"]
    assert all("description" not in t for t in topics.values())


def test_bulletin_series(harvest):
    statistics = {n["id"]: n for n in harvest.nodes if n["label"] == "Statistic"}
    assert len(statistics) == 6  # three bulletins under each topic; the spotlight repeats one
    cpi = statistics["consumer-price-inflation-uk"]
    assert cpi == {"id": "consumer-price-inflation-uk", "label": "Statistic", "name": "Consumer price inflation, UK",
                   "status": "official",
                   "url": "https://www.ons.gov.uk/economy/inflationandpriceindices/bulletins/consumerpriceinflation",
                   "latest_url": "https://www.ons.gov.uk/economy/inflationandpriceindices/bulletins/"
                                 "consumerpriceinflation/latest",
                   "source": "https://www.ons.gov.uk/economy/inflationandpriceindices/bulletins/consumerpriceinflation",
                   "verified": ons.RECORDED_ONS, "nations": list(model.NATIONS)}
    assert {"type": "ABOUT", "from": "consumer-price-inflation-uk", "to": "topic.inflation-and-price-indices"} \
        in harvest.edges
    assert {"type": "PRODUCES", "from": "ons", "to": "consumer-price-inflation-uk"} in harvest.edges
    # Business investment is listed under GDP but lives under another path: its own path is kept.
    assert statistics["business-investment-in-the-uk"]["url"] == \
        "https://www.ons.gov.uk/economy/grossdomesticproductgdp/bulletins/businessinvestment"


def test_the_producer_has_no_contact(harvest):
    producer = node(harvest, "ons")
    assert producer["name"] == "Office for National Statistics" and producer["aliases"] == ["ONS"]
    assert producer["identifiers"] == {"govuk": "office-for-national-statistics"}
    assert "contact" not in producer


def test_an_unparsable_document_names_the_file_and_its_position(tmp_path):
    shutil.copy(FIXTURES / ons.TOPICS_FILE, tmp_path)
    text = (FIXTURES / ons.CONTENT_FILE).read_text("utf-8")
    second = text.index("insertOne(", text.index("insertOne(") + 1)
    broken = text[:second] + "insertOne({'id': 'x'})" + text[text.index("\ndb.content.find", second):]
    (tmp_path / ons.CONTENT_FILE).write_text(broken, "utf-8")
    with pytest.raises(HarvestError) as caught:
        ons.from_recorded(tmp_path)
    assert caught.value.where == str(tmp_path / ons.CONTENT_FILE)
    assert caught.value.field.startswith("insertOne #2 (character ")


def test_a_missing_file_or_another_organisation_is_an_error(tmp_path):
    shutil.copy(FIXTURES / ons.TOPICS_FILE, tmp_path)
    with pytest.raises(HarvestError, match="has no ons-content-init.js"):
        ons.from_recorded(tmp_path)
    with pytest.raises(HarvestError, match="only the ONS's own series"):
        ons.from_recorded(FIXTURES, ["ministry-of-justice"])


def test_a_bulletin_without_a_title_is_an_error():
    with pytest.raises(HarvestError, match=r"bulletins\[0\]: needs an href and a title"):
        ons.bulletin_links({"bulletins": [{"href": "/economy/x/bulletins/y/latest"}]}, "c.js")


class FakeApi(fetch.Reader):
    """The topic API as dp-topic-api answers it, made from the fixture documents."""

    def __init__(self):
        topics = {d["id"]: d["current"] for d in ons.insert_documents(
            (FIXTURES / ons.TOPICS_FILE).read_text("utf-8"), "t")}
        contents = {d["id"]: d["current"] for d in ons.insert_documents(
            (FIXTURES / ons.CONTENT_FILE).read_text("utf-8"), "c")}

        def public(topic):  # the public API leaves subtopics_ids out
            return {k: v for k, v in topic.items() if k != "subtopics_ids"}

        def listing(ids):
            return {"count": len(ids), "total_count": len(ids), "items": [public(topics[i]) for i in ids]}

        self.bodies = {f"{ons.API}/topics": listing(topics["topic_root"]["subtopics_ids"])}
        for topic_id, topic in topics.items():
            if topic.get("subtopics_ids") and topic_id != "topic_root":
                self.bodies[f"{ons.API}/topics/{topic_id}/subtopics"] = listing(topic["subtopics_ids"])
        for topic_id, content in contents.items():
            items = [{"title": i["title"], "type": kind, "links": {"self": {"href": i["href"]},
                                                                   "topic": {"id": topic_id}}}
                     for kind in ("spotlight", "articles", "bulletins") for i in content.get(kind, [])]
            self.bodies[f"{ons.API}/topics/{topic_id}/content"] = {"total_count": len(items), "items": items}
        self.recorded = "2025-01-15"

    def get(self, url: str) -> str:
        if url not in self.bodies:
            raise HarvestError(url, "", "answered HTTP 404 Not Found")
        return json.dumps(self.bodies[url])


def test_live_walks_the_api_to_the_same_records(harvest):
    live = ons.from_live(FakeApi())
    assert live.recorded == "2025-01-15"
    strip = lambda nodes: [{k: v for k, v in n.items() if k != "verified"} for n in nodes]  # noqa: E731
    assert strip(live.nodes) == strip(harvest.nodes)
    assert sorted(map(model.edge_key, live.edges)) == sorted(map(model.edge_key, harvest.edges))


def test_runs_into_a_store_and_a_rerun_changes_nothing(sqlite_store, harvest):
    plan, _ = run(sqlite_store, harvest)
    assert plan.counts() == {"Producer": {"created": 1, "updated": 0, "unchanged": 0},
                             "Statistic": {"created": 6, "updated": 0, "unchanged": 0},
                             "Topic": {"created": 3, "updated": 0, "unchanged": 0}}
    again, _ = run(sqlite_store, ons.from_recorded(FIXTURES))
    assert not again.changed and not again.conflicts
