"""Box 1 of an engagement plan, answered from the graph.

OSR's toolkit asks producers, for their statistics: who are they about, who is data
collected from, who might be affected, who might be left out — and which
intermediaries could help reach those publics. :func:`box1` answers for one
statistic (the publics it DESCRIBES, grouped by role, each with its top
intermediaries or a "no known route" flag). :func:`producer_gaps` answers for a
producer: the publics of its statistics it has no partner route to, and the
intermediaries other producers already use for them.

>>> import networkx as nx
>>> from graph.settings import DEFAULTS
>>> g = nx.MultiDiGraph()
>>> g.add_node("s", label="Statistic", name="Homelessness statistics")
>>> g.add_node("p", label="Public", name="Renters"); g.add_node("q", label="Public", name="Sofa surfers")
>>> g.add_node("i", label="Intermediary", name="Shelter")
>>> for u, v, k, props in (("s", "p", "DESCRIBES", {"role": "about"}), ("s", "q", "DESCRIBES", {"role": "left_out"}),
...                        ("i", "p", "REACHES", {"strength": 0.8, "trust": "high"})):
...     _ = g.add_edge(u, v, key=k, type=k, **props)
>>> b = box1(g, "s", DEFAULTS)
>>> [(grp.role, [(r.public["id"], [c.id for c in r.intermediaries], r.no_route) for r in grp.rows]) for grp in b.groups]
[('about', [('p', ['i'], False)]), ('collected_from', []), ('affected', []), ('left_out', [('q', [], True)])]
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable

from .discovery import Candidate, Discovery, LoadStatus, _brief, _label, _require, discover, leads
from .settings import section_of
from .walk import producer_and_parts

ROLES = ("about", "collected_from", "affected", "left_out")
# The toolkit's own questions (Box 1), one per role.
ROLE_HEADINGS = {
    "about": ("Who the statistic is about", "Who are your statistics about?"),
    "collected_from": ("Who data is collected from", "Who is data collected from?"),
    "affected": ("Who might be affected", "Who might be affected by those uses of statistics?"),
    "left_out": ("Who might be left out", "Who might be left out of your statistics?"),
}


@dataclass
class PublicRow:
    public: dict
    role: str
    intermediaries: list[Candidate]  # the top few
    total: int  # how many intermediaries reach it in all
    leads: list[dict] = field(default_factory=list)

    @property
    def no_route(self) -> bool:
        return self.total == 0


@dataclass
class RoleGroup:
    role: str
    heading: str
    question: str
    rows: list[PublicRow]


@dataclass
class Box1:
    statistic: dict
    groups: list[RoleGroup]

    @property
    def publics(self) -> int:
        return sum(len(g.rows) for g in self.groups)

    @property
    def without_route(self) -> list[PublicRow]:
        return [r for g in self.groups for r in g.rows if r.no_route]


def described(graph, statistic_id: str) -> list[tuple[str, str]]:
    """``(public_id, role)`` for each public a statistic DESCRIBES (role ``about`` when unrecorded)."""
    return sorted((dst, data.get("role") or "about") for _s, dst, key, data
                  in graph.out_edges(statistic_id, keys=True, data=True)
                  if key == "DESCRIBES" and _label(graph, dst) == "Public")


Rank = Callable[[str, "str | None"], Discovery]  # (public, asking producer) -> its ranking


def _ranker(graph, settings: dict, load_status: LoadStatus | None, reports) -> Rank:
    """:func:`graph.discovery.discover` for one public, as Box 1 and producers' gaps use it when the
    caller keeps no rankings of its own (the app keeps them: :mod:`registry.rankings`)."""
    return lambda public_id, producer=None: discover(graph, public_id, settings, producer=producer,
                                                     load_status=load_status, reports=reports)


def box1(graph, statistic_id: str, settings: dict, load_status: LoadStatus | None = None,
         producer: str | None = None, top: int | None = None, reports: list[dict] | None = None,
         rank: Rank | None = None) -> Box1:
    """The publics a statistic describes, by role, each with its top ``top`` intermediaries
    (``settings["discovery"]["box1_top"]`` unless given), ranked as discovery ranks them (with the route
    ``reports`` when given), or by ``rank`` (a caller that keeps each public's ranking).

    >>> from graph.readmodel import build_graph
    >>> from graph.settings import DEFAULTS
    >>> g = build_graph([{"id": "s", "label": "Statistic", "name": "S"}, {"id": "t", "label": "Statistic", "name": "T"},
    ...                  {"id": "p", "label": "Public", "name": "P"}, {"id": "i", "label": "Intermediary", "name": "I"}],
    ...                 [("DESCRIBES", "s", "p", {}), ("DESCRIBES", "t", "p", {"role": "affected"}),
    ...                  ("REACHES", "i", "p", {})])
    >>> a, b = box1(g, "s", DEFAULTS).groups[0].rows[0], box1(g, "t", DEFAULTS).groups[2].rows[0]
    >>> (a.role, b.role, [c.id for c in a.intermediaries], a.total)
    ('about', 'affected', ['i'], 1)
    """
    top = top or int(section_of(settings, "discovery")["box1_top"])
    statistic = _require(graph, statistic_id, "Statistic", "statistic", subject=True)
    by_role: dict[str, list[PublicRow]] = {r: [] for r in ROLES}
    rank = rank or _ranker(graph, settings, load_status, reports)
    for public_id, role in described(graph, statistic_id):
        found = rank(public_id, producer)
        by_role.setdefault(role, []).append(PublicRow(found.public, role, found.intermediaries[:top],
                                                      len(found.intermediaries), found.leads[:top]))
    groups = []
    for role, rows in by_role.items():
        heading, question = ROLE_HEADINGS.get(role, (role, ""))
        rows.sort(key=lambda r: (r.public["name"].lower(), r.public["id"]))
        groups.append(RoleGroup(role, heading, question, rows))
    return Box1(statistic, groups)


@dataclass
class Gap:
    """A public one of the producer's statistics describes that it has no partner route to."""

    public: dict
    statistics: list[dict]
    used_by_others: list[Candidate]  # intermediaries other producers already work with
    others: list[Candidate]  # when no other producer works with one: the best-ranked that reach it
    leads: list[dict] = field(default_factory=list)

    @property
    def no_route(self) -> bool:
        return not self.used_by_others and not self.others


@dataclass
class ProducerGaps:
    producer: dict
    family: list[str]  # the producer and the teams that are PART_OF it
    publics: int  # how many publics its statistics describe
    gaps: list[Gap]


def family_of(graph, producer_id: str) -> list[str]:
    """The producer and every team PART_OF it, at any depth.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("team", "ons", key="PART_OF"); _ = g.add_edge("sub", "team", key="PART_OF")
    >>> family_of(g, "ons")
    ['ons', 'sub', 'team']
    """
    return sorted(producer_and_parts(graph, producer_id))


def producer_gaps(graph, producer_id: str, settings: dict, load_status: LoadStatus | None = None,
                  top: int | None = None, reports: list[dict] | None = None, rank: Rank | None = None) -> ProducerGaps:
    """The publics of a producer's statistics (its own and its teams') that it has no partner route to.

    Each public is ranked by ``rank`` when given (see :func:`box1`). A partner route is a route
    (as discovery finds them) from an intermediary the
    producer or one of its teams PARTNERS_WITH. For each gap: the intermediaries
    other producers already work with that reach the public ("join up with …"), or,
    when there are none, the best-ranked that reach it.

    >>> import networkx as nx
    >>> from graph.settings import DEFAULTS
    >>> g = nx.MultiDiGraph()
    >>> for n, lab in (("ons", "Producer"), ("dwp", "Producer"), ("s", "Statistic"), ("p", "Public"),
    ...                ("i", "Intermediary"), ("j", "Intermediary")):
    ...     g.add_node(n, label=lab, name=n.upper())
    >>> for u, v, k in (("ons", "s", "PRODUCES"), ("s", "p", "DESCRIBES"), ("i", "p", "REACHES"),
    ...                 ("j", "p", "REACHES"), ("dwp", "j", "PARTNERS_WITH")):
    ...     _ = g.add_edge(u, v, key=k, type=k)
    >>> gaps = producer_gaps(g, "ons", DEFAULTS).gaps
    >>> [(x.public["id"], [c.id for c in x.used_by_others], [p["id"] for c in x.used_by_others for p in c.partners])
    ...  for x in gaps]
    [('p', ['j'], ['dwp'])]
    >>> _ = g.add_edge("ons", "i", key="PARTNERS_WITH", type="PARTNERS_WITH")
    >>> producer_gaps(g, "ons", DEFAULTS).gaps
    []
    """
    top = top or int(section_of(settings, "discovery")["box1_top"])
    producer = _require(graph, producer_id, "Producer", "producer")
    family = family_of(graph, producer_id)
    partnered = {i for p in family for _s, i, k in graph.out_edges(p, keys=True) if k == "PARTNERS_WITH"}
    statistics: dict[str, list[dict]] = {}
    for p in family:
        for _s, stat, k in graph.out_edges(p, keys=True):
            if k == "PRODUCES" and _label(graph, stat) == "Statistic":
                for public_id, _role in described(graph, stat):
                    stats = statistics.setdefault(public_id, [])
                    if all(s["id"] != stat for s in stats):
                        stats.append(_brief(graph, stat))
    gaps = []
    rank = rank or _ranker(graph, settings, load_status, reports)
    for public_id in sorted(statistics, key=lambda i: (graph.nodes[i].get("name", i).lower(), i)):
        found = rank(public_id, None)
        if any(c.id in partnered for c in found.intermediaries):
            continue
        used = []
        for c in found.intermediaries:
            if len(used) >= top:
                break
            if any(p["id"] not in family for p in c.partners):
                used.append(_without(c, family))
        others = [] if used else found.intermediaries[:top]
        stats = sorted(statistics[public_id], key=lambda s: (s["name"].lower(), s["id"]))
        gaps.append(Gap(found.public, stats, used, [_without(c, family) for c in others],
                        leads(graph, public_id, settings)[:top] if found.no_route else []))
    return ProducerGaps(producer, family, len(statistics), gaps)


def _without(candidate: Candidate, family: list[str]) -> Candidate:
    """A copy of the candidate with the producer's own family left out of its "join up with" list
    (the ranking it came from may be shared, so it is not changed)."""
    return dataclasses.replace(candidate, partners=[p for p in candidate.partners if p["id"] not in family])
