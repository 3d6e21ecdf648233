"""A record and its neighbours, grouped by relationship, for the record page.

>>> PHRASES["PRODUCES"]
('Produces', 'Produced by')
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from . import model
from .errors import NodeNotFound

# (how the source reads the edge, how the target reads it)
PHRASES = {
    "REACHES": ("Reaches", "Reached by"),
    "WORKS_ON": ("Works on", "Intermediaries working on this"),
    "COVERS": ("Covers", "User groups covering this"),
    "ABOUT": ("About", "Statistics about this"),
    "BROADER": ("Part of the broader topic", "Narrower topics"),
    "PRODUCES": ("Produces", "Produced by"),
    "PART_OF": ("Part of", "Teams and parts"),
    "DESCRIBES": ("Describes", "Described by"),
    "MEMBER_OF": ("Member of", "Members"),
    "CONVENES": ("Convenes", "Convened by"),
    "PARTNERS_WITH": ("Partners with", "Partners of"),
    "REFERS_TO": ("Refers enquiries to", "Receives enquiries referred by"),
    "RAN": ("Ran", "Run by"),
    "INVOLVED": ("Involved", "Engagements involving this"),
    "VIA": ("Reached people via", "Engagements run through this"),
    "ON": ("On", "Engagements on this"),
    "RAISED_BY": ("Raised by", "Needs raised"),
    "CONCERNS": ("Concerns", "Needs about this"),
    "OWNED_BY": ("Owned by", "Needs it owns"),
}


@dataclass
class Neighbour:
    id: str
    label: str
    name: str
    props: dict = field(default_factory=dict)


@dataclass
class Group:
    type: str
    direction: str  # out | in
    heading: str
    neighbours: list[Neighbour]


@dataclass
class RecordView:
    node: dict
    groups: list[Group]
    stale: bool


def is_stale(node: dict, today: _dt.date, after_days: int) -> bool:
    """True when the record was never verified or not in ``after_days``.

    >>> today = _dt.date(2026, 11, 21)
    >>> is_stale({"verified": "2025-01-01"}, today, 365), is_stale({"verified": "2026-06-01"}, today, 365)
    (True, False)
    """
    verified = model.parse_date(node.get("verified"))
    return verified is None or (today - verified).days > after_days


def record_view(graph, node_id: str, stale_after_days: int, today: _dt.date | None = None) -> RecordView:
    """The record with its neighbours grouped by relationship type and direction, from the
    registry graph (:mod:`graph.readmodel`).

    >>> from graph.readmodel import build_graph
    >>> g = build_graph([{"id": "ons", "label": "Producer", "name": "ONS", "version": 1},
    ...                  {"id": "cpi", "label": "Statistic", "name": "CPI", "version": 1}],
    ...                 [("PRODUCES", "ons", "cpi", {"role": "lead"})])
    >>> [(grp.heading, [(n.id, n.props) for n in grp.neighbours]) for grp in record_view(g, "cpi", 365).groups]
    [('Produced by', [('ons', {'role': 'lead'})])]
    """
    if node_id not in graph:
        raise NodeNotFound(node_id)
    node = graph.nodes[node_id]
    grouped: dict[tuple[str, str], list[Neighbour]] = {}
    for direction, pairs in (("out", graph.succ[node_id].items()), ("in", graph.pred[node_id].items())):
        for other_id, keys in pairs:
            other = graph.nodes[other_id]
            for type_, attrs in keys.items():
                grouped.setdefault((type_, direction), []).append(
                    Neighbour(other["id"], other["label"], other["name"],
                              {k: v for k, v in attrs.items() if k != "type"}))
    groups = [Group(t, d, PHRASES[t][0 if d == "out" else 1], sorted(ns, key=lambda n: n.name.lower()))
              for (t, d), ns in sorted(grouped.items(), key=lambda kv: (kv[0][1] == "in", kv[0][0]))]
    return RecordView(node, groups, is_stale(node, today or _dt.date.today(), stale_after_days))
