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
from .proposals import Proposal, proposed_publics
from .walk import narrower_topics, producer_and_parts

# Engagements that happened (planned or cancelled ones owe nothing); the burden model counts these.
COUNTED = ("held", "reported")


def feedback_given(record: dict, as_of: _dt.date | None = None) -> bool:
    """Whether the record shows that participants were told what happened ("you said, we did").

    Given when ``feedback_published`` is a date on or before ``as_of`` (any date when ``as_of``
    is None), or, when no date is recorded, when the record says what was published: a
    ``feedback_url`` or a ``we_did``. Feedback without a date counts as given on any date,
    since the record cannot say when it appeared. A ``feedback_published`` after ``as_of``
    means not yet given then.

    >>> feedback_given({"feedback_published": "2024-02-01"}), feedback_given({})
    (True, False)
    >>> feedback_given({"feedback_published": "2024-02-01"}, _dt.date(2024, 1, 31))
    False
    >>> feedback_given({"we_did": "Published a response"}), feedback_given({"feedback_url": "https://x.org/r"})
    (True, True)
    >>> feedback_given({"you_said": "More detail"})
    False
    """
    published = model.parse_date(record.get("feedback_published"))
    if published is not None:
        return as_of is None or published <= as_of
    return bool(record.get("feedback_url") or record.get("we_did"))


def debt_days(record: dict, as_of: _dt.date, settings: dict) -> int | None:
    """How many days an engagement has owed feedback as of a date, or None when it owes none.

    The one rule, used by the burden model, the dashboard, "you said, we did", the plan, the
    API and the feeds: a held or reported engagement that ended (its ``end``, else its
    ``start``) more than ``settings["burden"]["feedback_debt_days"]`` days before ``as_of``
    and whose feedback was not given by then (:func:`feedback_given`). The number returned is
    the days since it ended.

    >>> from graph.settings import DEFAULTS
    >>> e = {"status": "held", "start": "2024-01-01"}
    >>> debt_days(e, _dt.date(2024, 3, 31), DEFAULTS), debt_days(e, _dt.date(2024, 4, 1), DEFAULTS)
    (None, 91)
    >>> debt_days({**e, "we_did": "Changed the questions"}, _dt.date(2024, 4, 1), DEFAULTS) is None
    True
    >>> debt_days({**e, "status": "planned"}, _dt.date(2024, 4, 1), DEFAULTS) is None
    True
    """
    if (record.get("status") or "held") not in COUNTED:
        return None
    start = model.parse_date(record.get("start"))
    end = model.parse_date(record.get("end")) or start
    if start is None or end is None or start > as_of or end > as_of:
        return None
    age = (as_of - end).days
    if age <= settings["burden"]["feedback_debt_days"] or feedback_given(record, as_of):
        return None
    return age


def owes_feedback(record: dict, as_of: _dt.date, settings: dict) -> bool:
    """Whether an engagement is in feedback debt as of a date (:func:`debt_days` is not None)."""
    return debt_days(record, as_of, settings) is not None


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
    given: bool = False        # feedback_given(): the record shows feedback was published
    proposals: list[Proposal] = field(default_factory=list)  # publics proposed by a harvest, not confirmed

    @property
    def awaiting(self) -> bool:
        """It happened (held or reported) and the record shows no feedback yet (:func:`feedback_given`)."""
        return (self.status or "held") in COUNTED and not self.given

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "method": self.method, "start": self.start, "end": self.end,
                "status": self.status, "you_said": self.you_said, "we_did": self.we_did,
                "feedback_published": self.published, "feedback_url": self.url, "feedback_given": self.given,
                "producers": [r.as_dict() for r in self.producers], "publics": [r.as_dict() for r in self.publics],
                "via": [r.as_dict() for r in self.via], "on": [r.as_dict() for r in self.on],
                "proposed_publics": [p.public for p in self.proposals]}

    def proposal(self, public: str) -> Proposal | None:
        """The proposal of ``public`` as involved, when it is one no editor has confirmed."""
        return next((p for p in self.proposals if p.public == public), None)


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
        topics=topics_of(graph, engagement), given=feedback_given(rec),
        proposals=proposed_publics(graph, engagement))


def _newest_first(item: FeedbackItem) -> tuple:
    day = model.parse_date(item.published) or model.parse_date(item.end) or model.parse_date(item.start)
    return -(day or _dt.date.min).toordinal(), item.name.lower()


def you_said_we_did(graph: nx.MultiDiGraph, producer: str | None = None, topic: str | None = None,
                    include_silent: bool = False, items: list[FeedbackItem] | None = None) -> list[FeedbackItem]:
    """Engagements with what participants said or what was done, newest feedback first.

    ``producer`` includes its teams (PART_OF); ``topic`` includes narrower topics and the
    statistics about them. Engagements with neither ``you_said`` nor ``we_did`` are left
    out unless ``include_silent``. ``items`` is the whole registry's list (this function with
    no filters) when the caller already has it (the app keeps it per revision), so only the
    filters are applied here instead of reading every engagement again.
    """
    producers = producer_and_parts(graph, producer) if producer else None
    topics = narrower_topics(graph, topic) if topic else None
    if items is None or include_silent:
        items = []
        for node, rec in graph.nodes(data=True):
            if rec.get("label") != "Engagement":
                continue
            if not include_silent and not (rec.get("you_said") or rec.get("we_did")):
                continue
            items.append(feedback_item(graph, node))
        items.sort(key=_newest_first)
    return [item for item in items
            if (producers is None or producers.intersection(p.id for p in item.producers))
            and (topics is None or topics.intersection(item.topics))]


def debt(graph: nx.MultiDiGraph, as_of: _dt.date, settings: dict, producer: str | None = None,
         rows: list | None = None) -> list:
    """Feedback debt (:func:`debt_days`, via ``graph.burden.feedback_debt``), optionally for one
    producer and its teams. ``rows`` is the whole registry's debt as of ``as_of`` when the caller
    already has it (the app keeps it per revision), so only the producer's share is worked out here."""
    from .burden import feedback_debt
    if rows is None:
        rows = feedback_debt(graph, as_of, settings)
    if producer:
        ran = {e for p in producer_and_parts(graph, producer) for e, keys in graph._adj.get(p, {}).items() if "RAN" in keys}
        rows = [r for r in rows if r.engagement in ran]
    return rows
