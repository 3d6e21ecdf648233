"""You said, we did: what participants said in an engagement and what the producer did.

The OSR toolkit's tip 10 asks producers to follow up with the people who took part
and to publish "you said, we did" so participants can find it even when contact
is lost. Engagements past the feedback window without it are feedback debt, the
same measure the burden model counts (``graph.burden.feedback_debt``).

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("ons", id="ons", label="Producer", name="ONS")
>>> g.add_node("e1", id="e1", label="Engagement", name="Panel", method="panel_meeting", start="2026-01-01",
...            you_said="Too many tables", we_did="Fewer tables", feedback_published="2026-03-01")
>>> g.add_edge("ons", "e1", key="RAN")
'RAN'
>>> [(i.id, i.published) for i in you_said_we_did(g, producer="ons")]
[('e1', '2026-03-01')]
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import networkx as nx

from . import model
from .needs import Ref, topics_of
from .walk import narrower_topics, producer_and_parts


@dataclass
class FeedbackItem:
    id: str
    name: str
    method: str
    start: str | None
    end: str | None
    status: str | None
    you_said: str | None
    we_did: str | None
    published: str | None      # feedback_published
    url: str | None            # feedback_url
    producers: list[Ref] = field(default_factory=list)
    publics: list[Ref] = field(default_factory=list)
    via: list[Ref] = field(default_factory=list)
    on: list[Ref] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)

    @property
    def awaiting(self) -> bool:
        """Participants said something but nothing has been published on what was done."""
        return bool(self.you_said) and not (self.we_did and self.published)

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "method": self.method, "start": self.start, "end": self.end,
                "status": self.status, "you_said": self.you_said, "we_did": self.we_did,
                "feedback_published": self.published, "feedback_url": self.url,
                "producers": [r.as_dict() for r in self.producers], "publics": [r.as_dict() for r in self.publics],
                "via": [r.as_dict() for r in self.via], "on": [r.as_dict() for r in self.on]}


def _ref(graph: nx.MultiDiGraph, node: str) -> Ref:
    rec = graph.nodes[node]
    return Ref(node, rec.get("name", node), rec.get("label", ""),
               bool(rec.get("label") == "Public" and rec.get("seldom_heard")))


def _linked(graph: nx.MultiDiGraph, node: str, type_: str, incoming: bool = False) -> list[Ref]:
    edges = graph.in_edges(node, keys=True) if incoming else graph.out_edges(node, keys=True)
    refs = [_ref(graph, (u if incoming else v)) for u, v, k in edges if k == type_]
    return sorted(refs, key=lambda r: r.name.lower())


def feedback_item(graph: nx.MultiDiGraph, engagement: str) -> FeedbackItem:
    rec = graph.nodes[engagement]
    return FeedbackItem(
        id=engagement, name=rec.get("name", engagement), method=rec.get("method", "other"), start=rec.get("start"),
        end=rec.get("end"), status=rec.get("status"), you_said=rec.get("you_said"), we_did=rec.get("we_did"),
        published=rec.get("feedback_published"), url=rec.get("feedback_url"),
        producers=_linked(graph, engagement, "RAN", incoming=True), publics=_linked(graph, engagement, "INVOLVED"),
        via=_linked(graph, engagement, "VIA"), on=_linked(graph, engagement, "ON"),
        topics=topics_of(graph, engagement))


def _newest_first(item: FeedbackItem) -> tuple:
    day = model.parse_date(item.published) or model.parse_date(item.end) or model.parse_date(item.start)
    return -(day or _dt.date.min).toordinal(), item.name.lower()


def you_said_we_did(graph: nx.MultiDiGraph, producer: str | None = None, topic: str | None = None,
                    include_silent: bool = False) -> list[FeedbackItem]:
    """Engagements with what participants said or what was done, newest feedback first.

    ``producer`` includes its teams (PART_OF); ``topic`` includes narrower topics and the
    statistics about them. Engagements with neither ``you_said`` nor ``we_did`` are left
    out unless ``include_silent``.
    """
    producers = producer_and_parts(graph, producer) if producer else None
    topics = narrower_topics(graph, topic) if topic else None
    items = []
    for node, rec in graph.nodes(data=True):
        if rec.get("label") != "Engagement":
            continue
        if not include_silent and not (rec.get("you_said") or rec.get("we_did")):
            continue
        item = feedback_item(graph, node)
        if producers is not None and not producers.intersection(p.id for p in item.producers):
            continue
        if topics is not None and not topics.intersection(item.topics):
            continue
        items.append(item)
    return sorted(items, key=_newest_first)


def debt(graph: nx.MultiDiGraph, as_of: _dt.date, settings: dict, producer: str | None = None) -> list:
    """Feedback debt (the burden model's rule), optionally for one producer and its teams."""
    from .burden import feedback_debt
    rows = feedback_debt(graph, as_of, settings)
    if producer:
        producers = producer_and_parts(graph, producer)
        rows = [r for r in rows if producers.intersection(
            u for u, _, k in graph.in_edges(r.engagement, keys=True) if k == "RAN")]
    return rows
