"""Discovery: the trusted intermediaries that can help a producer reach a public.

OSR's toolkit (Box 1) asks producers which community groups, civil society bodies
and institutions reach the publics their statistics are about. This module answers
from the graph, ranked, with the route and the reasons.

The rules (the evidence is :mod:`graph.reach`, with ``settings["reach"]``; the rest is
``settings["discovery"]``):

* A **route** runs from an intermediary to the public. It starts where the registry shows
  reach (a REACHES relationship, or an engagement through the intermediary that involved the
  public), worth that reach's **evidence points** (:func:`graph.reach.evidence`: engagements,
  their recency, participants and feedback; the role it states and an editor's strength and
  trust, both only when the REACHES has a ``source``). It may start higher up, at an umbrella
  body the reaching intermediary is a MEMBER_OF (each MEMBER_OF step × ``umbrella_factor``).
  A route has at most ``max_hops`` edges and never visits a record twice. An intermediary's
  route is its best one (highest weight, then fewest hops, then names).
* Its **score** is the route's weight × the nation and geography match
  (:func:`graph.reach.nation_fit`, :func:`graph.reach.geography_fit`) × its own load factor
  (``load_factor``: ok 1.0, high 0.75, over 0.5; unknown 1.0) × ``partner_factor`` (once)
  when the asking producer's family already PARTNERS_WITH it: the producer itself, its teams
  and parts (PART_OF it, at any depth) and the bodies it is PART_OF (at any depth) × its
  **route feedback** when ``reports`` are given and there are enough of them
  (:func:`graph.reach.route_feedback`: what people who contacted it reported).
* With a **topic**, only routes where an intermediary on the route WORKS_ON the
  topic, a narrower topic or a broader one are kept. With a **nation**, only intermediaries
  that work there or whose nations are not known.
* Order: those not accepting requests last; then the nation tier (for a public of one nation,
  or the nation asked about: its own bodies, then UK-wide ones, then those not known); then
  score (highest first), name, id.

>>> import networkx as nx
>>> from graph.settings import DEFAULTS
>>> g = nx.MultiDiGraph()
>>> g.add_node("p", label="Public", name="Carers")
>>> for i, name in (("a", "Carers UK"), ("b", "Local forum"), ("u", "Umbrella")):
...     g.add_node(i, label="Intermediary", name=name)
>>> g.add_edge("a", "p", key="REACHES", type="REACHES", role="represents", source="https://carers.example/about")
'REACHES'
>>> g.add_edge("b", "p", key="REACHES", type="REACHES", strength=0.9, trust="high")  # no source: no judgement
'REACHES'
>>> g.add_edge("a", "u", key="MEMBER_OF", type="MEMBER_OF")
'MEMBER_OF'
>>> found = discover(g, "p", DEFAULTS)
>>> [(c.id, c.score, c.path) for c in found.intermediaries]
[('a', 0.6, ['a', 'p']), ('u', 0.48, ['u', 'a', 'p']), ('b', 0.1, ['b', 'p'])]
>>> found.intermediaries[2].reasons[0]
'Recorded as reaching Carers, with no source given.'
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Callable

from . import reach as R
from .errors import InvalidRecord, NodeNotFound, Problem
from .model import NATIONS
from .nations import nations_of
from .settings import section_of
from .walk import closure, linked, producer_and_parts

LoadStatus = Callable[[str], "str | None"]
ROUTE_TYPES = ("REACHES", "MEMBER_OF")
# What the ranking, the reasons and the load need around each intermediary on a route.
CONTEXT_TYPES = ("PARTNERS_WITH", "VIA", "WORKS_ON")
LOAD_WORDS = {"ok": "within its capacity", "high": "high", "over": "over its capacity"}


@dataclass
class Candidate:
    """One intermediary that can reach the public, with its best route and the factors of its score."""

    id: str
    name: str
    kind: str | None
    contact: dict | None
    score: float
    path: list[str]
    path_names: list[str]
    direct: bool
    hops: int
    trust: str | None  # an editor's judgement, shown only when its REACHES has a source
    strength: float | None
    role: str | None  # the role it states on a sourced REACHES
    factors: dict
    load_status: str | None
    partner: bool
    partners: list[dict]
    topics: list[dict] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    # Which of the asking producer's family partner with it: {id, name, relation: itself | part | parent}.
    partner_via: list[dict] = field(default_factory=list)
    evidence: dict = field(default_factory=dict)  # graph.reach.Evidence.as_dict()
    summary: str = ""  # the engagements in one sentence
    nation_tier: int = 1
    nation_words: str = ""
    geography_words: str = ""
    declarations: dict = field(default_factory=dict)  # graph.reach.declarations()
    not_accepting: bool = False
    route_feedback: dict | None = None  # graph.reach.RouteFeedback.as_dict(), when reports were given

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "kind": self.kind, "contact": self.contact,
                "score": self.score, "path": self.path, "path_names": self.path_names, "direct": self.direct,
                "hops": self.hops, "trust": self.trust, "strength": self.strength, "role": self.role,
                "factors": self.factors, "load_status": self.load_status, "partner": self.partner,
                "partner_via": self.partner_via, "partners": self.partners, "topics": self.topics,
                "reasons": self.reasons, "summary": self.summary, "evidence": self.evidence,
                "nation_tier": self.nation_tier, "declarations": self.declarations,
                "not_accepting": self.not_accepting, "route_feedback": self.route_feedback}


@dataclass
class Discovery:
    """The ranked intermediaries for one public; when there are none, what to do instead."""

    public: dict
    producer: dict | None
    topic: dict | None
    intermediaries: list[Candidate]
    unfiltered: int  # how many intermediaries reach the public before the topic narrows them
    leads: list[dict] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)
    nation: str | None = None  # the nation asked about

    @property
    def no_route(self) -> bool:
        return not self.intermediaries


def _brief(graph, node_id: str) -> dict:
    data = graph.nodes[node_id]
    return {"id": node_id, "name": data.get("name", node_id), "label": data.get("label")}


def _label(graph, node_id: str) -> str | None:
    return graph.nodes[node_id].get("label") if node_id in graph else None


def _require(graph, node_id: str, label: str, field_name: str, subject: bool = False) -> dict:
    """The node, or a clear error naming the field.

    For the ``subject`` of a question (the public, the statistic) a missing record is
    :class:`NodeNotFound` (404); anything else wrong is :class:`InvalidRecord` (400).
    """
    if node_id in graph and _label(graph, node_id) == label:
        return _brief(graph, node_id)
    if subject and node_id not in graph:
        raise NodeNotFound(node_id)
    found = f"is a {_label(graph, node_id)}" if node_id in graph else "is not in the registry"
    raise InvalidRecord([Problem("query" if not subject else f"node '{node_id}'", field_name,
                                 f"'{node_id}' {found}; give the id of a {label}")])


def _filters(graph, producer: str | None, topic: str | None,
             nation: str | None = None) -> tuple[dict | None, dict | None]:
    """The asking producer and the topic (and the nation), checked together so every wrong field is
    named at once."""
    found, problems = [], []
    for value, label, field_name in ((producer, "Producer", "producer"), (topic, "Topic", "topic")):
        try:
            found.append(_require(graph, value, label, field_name) if value else None)
        except InvalidRecord as exc:
            problems += exc.problems
    if nation and nation not in NATIONS:
        problems.append(Problem("query", "nation", f"'{nation}' is not a nation; give one of: {', '.join(NATIONS)}"))
    if problems:
        raise InvalidRecord(problems)
    return found[0], found[1]


def best_routes(graph, public_id: str, settings: dict, as_of: _dt.date | None = None,
                points: dict[str, float] | None = None) -> dict[str, tuple[float, list[str]]]:
    """The best route from each intermediary to ``public_id``: ``{id: (weight, [id, …, public_id])}``.

    A route starts at an intermediary that reaches the public (:func:`graph.reach.reachers`: a
    REACHES relationship, or an engagement through it that involved the public), worth its evidence
    points (``points``, else :func:`graph.reach.evidence`), and climbs MEMBER_OF to umbrella
    intermediaries (× ``umbrella_factor`` a step), never beyond ``max_hops`` edges and never through
    a record twice.

    >>> import networkx as nx
    >>> from graph.settings import DEFAULTS
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("p", label="Public"); g.add_node("a", label="Intermediary")
    >>> g.add_node("u1", label="Intermediary"); g.add_node("u2", label="Intermediary")
    >>> g.add_node("u3", label="Intermediary")
    >>> for u, v, k in (("a", "p", "REACHES"), ("a", "u1", "MEMBER_OF"), ("u1", "u2", "MEMBER_OF"),
    ...                 ("u2", "u3", "MEMBER_OF"), ("u2", "a", "MEMBER_OF")):
    ...     _ = g.add_edge(u, v, key=k, type=k, source="https://a.example/about", role="represents")
    >>> sorted((k, round(w, 3), len(p) - 1) for k, (w, p) in best_routes(g, "p", DEFAULTS).items())
    [('a', 0.6, 1), ('u1', 0.48, 2), ('u2', 0.384, 3)]
    """
    d = section_of(settings, "discovery")
    max_hops = int(d["max_hops"])
    umbrella = float(d["umbrella_factor"])
    best: dict[str, tuple[float, list[str]]] = {}

    def better(weight: float, path: list[str], than: tuple[float, list[str]] | None) -> bool:
        if than is None:
            return True
        key = (-round(weight, 9), len(path), [graph.nodes[n].get("name", n) for n in path], path)
        old = (-round(than[0], 9), len(than[1]), [graph.nodes[n].get("name", n) for n in than[1]], than[1])
        return key < old

    if max_hops < 1 or public_id not in graph:
        return best
    if points is None:
        points = {i: R.evidence(graph, i, public_id, settings, as_of, found).points
                  for i, found in R.reachers(graph, public_id, as_of).items()}
    stack: list[tuple[float, list[str]]] = [(w, [i, public_id]) for i, w in points.items()]
    while stack:
        weight, path = stack.pop()
        head = path[0]
        if better(weight, path, best.get(head)):
            best[head] = (weight, path)
        if len(path) - 1 >= max_hops:
            continue
        for umbrella_id in linked(graph, head, "MEMBER_OF"):
            if _label(graph, umbrella_id) == "Intermediary" and umbrella_id not in path:
                stack.append((weight * umbrella, [umbrella_id, *path]))
    return best


def topic_scope(graph, topic_id: str) -> set[str]:
    """The topic, every narrower topic under it and every broader topic above it (via BROADER).

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for a, b in (("rent", "housing"), ("housing", "living"), ("wages", "living")):
    ...     _ = g.add_edge(a, b, key="BROADER")
    >>> sorted(topic_scope(g, "housing"))
    ['housing', 'living', 'rent']
    """
    scope = {topic_id}
    for step in (lambda n: (s for s, _d, k in graph.in_edges(n, keys=True) if k == "BROADER"),
                 lambda n: (d for _s, d, k in graph.out_edges(n, keys=True) if k == "BROADER")):
        frontier = [topic_id]
        while frontier:
            nxt = [m for n in frontier if n in graph for m in step(n) if m not in scope]
            scope.update(nxt)
            frontier = nxt
    return scope


def partners_of(graph, intermediary_id: str, exclude: str | None = None) -> list[dict]:
    """Producers that already work with an intermediary: they PARTNER_WITH it, or RAN engagements VIA it.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("i", label="Intermediary", name="Shelter")
    >>> g.add_node("ons", label="Producer", name="ONS"); g.add_node("dwp", label="Producer", name="DWP")
    >>> g.add_node("e", label="Engagement", name="Renters' workshop")
    >>> for u, v, k in (("ons", "i", "PARTNERS_WITH"), ("e", "i", "VIA"), ("dwp", "e", "RAN")):
    ...     _ = g.add_edge(u, v, key=k)
    >>> [(p["name"], p["how"]) for p in partners_of(g, "i")]
    [('DWP', ["ran Renters' workshop through it"]), ('ONS', ['partners with it'])]
    >>> [p["id"] for p in partners_of(g, "i", exclude="ons")]
    ['dwp']
    """
    how: dict[str, list[str]] = {}
    for src, _dst, key in graph.in_edges(intermediary_id, keys=True):
        if key == "PARTNERS_WITH" and _label(graph, src) == "Producer":
            how.setdefault(src, []).insert(0, "partners with it")
        elif key == "VIA" and _label(graph, src) == "Engagement":
            name = graph.nodes[src].get("name", src)
            for producer in linked(graph, src, "RAN", "in"):
                if _label(graph, producer) == "Producer":
                    how.setdefault(producer, []).append(f"ran {name} through it")
    return sorted(({"id": p, "name": graph.nodes[p].get("name", p), "how": sorted(set(h), key=h.index)}
                   for p, h in how.items() if p != exclude), key=lambda r: (r["name"].lower(), r["id"]))


FAMILY_ORDER = {"itself": 0, "part": 1, "parent": 2}


def producer_family(graph, producer_id: str) -> dict[str, str]:
    """The asking producer's family, each with how it is related: ``itself``, ``part`` (a team or part of
    it, at any depth, PART_OF pointing at it) or ``parent`` (a body it is PART_OF, at any depth).

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for u, v in (("team", "ons"), ("sub", "team"), ("ons", "uksa"), ("other-team", "ons")):
    ...     _ = g.add_edge(u, v, key="PART_OF")
    >>> sorted(producer_family(g, "team").items())
    [('ons', 'parent'), ('sub', 'part'), ('team', 'itself'), ('uksa', 'parent')]
    """
    family = {producer_id: "itself"}
    for part in producer_and_parts(graph, producer_id):
        family.setdefault(part, "part")
    for parent in closure(graph, producer_id, "PART_OF", "out"):
        family.setdefault(parent, "parent")
    return family


def family_partners(graph, family: dict[str, str], intermediary_id: str) -> list[dict]:
    """The members of ``family`` that PARTNER_WITH the intermediary: the asker first, then its parts,
    then the bodies above it, each by name."""
    found = [{"id": p, "name": graph.nodes[p].get("name", p), "relation": relation}
             for p, relation in family.items() if graph.has_edge(p, intermediary_id, "PARTNERS_WITH")]
    return sorted(found, key=lambda m: (FAMILY_ORDER[m["relation"]], m["name"].lower(), m["id"]))


def filter_choices(graph, found: Discovery) -> tuple[list[str], list[str]]:
    """The producers and topics worth offering as filters of a public's ranking ``found`` (unfiltered):
    the producers whose choice raises one of its intermediaries (the partners of one, their teams
    and the bodies they are part of) and the topics its intermediaries work on with the broader
    topics those fall under. Any other producer or topic would change nothing or empty the list,
    and a select of every one is thousands of lines in a national registry.

    >>> import networkx as nx
    >>> from types import SimpleNamespace
    >>> g = nx.MultiDiGraph()
    >>> g.add_nodes_from(["ons", "team", "uksa", "dwp"], label="Producer"); g.add_nodes_from(["rent", "housing"], label="Topic")
    >>> for u, v, k in (("ons", "i", "PARTNERS_WITH"), ("team", "ons", "PART_OF"), ("ons", "uksa", "PART_OF"),
    ...                 ("dwp", "uksa", "PART_OF"), ("i", "rent", "WORKS_ON"), ("rent", "housing", "BROADER")):
    ...     _ = g.add_edge(u, v, key=k)
    >>> found = Discovery(public={}, producer=None, topic=None, intermediaries=[SimpleNamespace(id="i")], unfiltered=1)
    >>> [sorted(ids) for ids in filter_choices(g, found)]
    [['ons', 'team', 'uksa'], ['housing', 'rent']]
    """
    producers: set[str] = set()
    topics: set[str] = set()
    for candidate in found.intermediaries:
        for partner in linked(graph, candidate.id, "PARTNERS_WITH", "in"):
            producers |= closure(graph, partner, "PART_OF", "in") | closure(graph, partner, "PART_OF", "out")
        for topic in linked(graph, candidate.id, "WORKS_ON"):
            topics |= closure(graph, topic, "BROADER", "out")
    return ([p for p in producers if _label(graph, p) == "Producer"],
            [t for t in topics if _label(graph, t) == "Topic"])


def _topics_of(graph, node_id: str, scope: set[str] | None) -> list[dict]:
    return sorted((_brief(graph, t) for t in linked(graph, node_id, "WORKS_ON") if scope is None or t in scope),
                  key=lambda t: (t["name"].lower(), t["id"]))


def _fmt(x: float) -> str:
    return f"{x:g}"


def discover(graph, public_id: str, settings: dict, producer: str | None = None, topic: str | None = None,
             load_status: LoadStatus | None = None, nation: str | None = None,
             as_of: _dt.date | None = None, reports: list[dict] | None = None) -> Discovery:
    """Rank the intermediaries that can reach ``public_id``, with the route, the evidence and the reasons.

    ``load_status(intermediary_id)`` gives "ok", "high", "over" or None (unknown);
    the app passes one built on :mod:`graph.burden` (:func:`load_from_burden`).
    ``nation`` keeps only intermediaries that work there (or whose nations are not known) and
    ranks for it; ``as_of`` (today by default) dates the evidence. ``reports`` are stored route
    reports (any; the view passes those of the window): those about each intermediary as the first
    contact weigh it once there are enough (:func:`graph.reach.route_feedback`); None leaves them out.
    An unknown public is :class:`NodeNotFound`; a producer, topic or nation that is not
    one is :class:`InvalidRecord` naming the field.
    """
    d = section_of(settings, "discovery")
    day = as_of or _dt.date.today()
    public = _require(graph, public_id, "Public", "public", subject=True)
    asking, chosen_topic = _filters(graph, producer, topic, nation)
    scope = topic_scope(graph, topic) if topic else None
    umbrella = float(d["umbrella_factor"])
    evidence = {i: R.evidence(graph, i, public_id, settings, day, engagements)
                for i, engagements in R.reachers(graph, public_id, day).items()}
    routes = best_routes(graph, public_id, settings, day, {i: e.points for i, e in evidence.items()})
    family = producer_family(graph, producer) if producer else {}
    wanted = R.public_nations(graph, public_id, nation)
    public_record = graph.nodes[public_id]
    feedback = R.feedback_by_contact(reports, routes, settings, day) if reports is not None else {}
    candidates = []
    for node_id, (weight, path) in routes.items():
        # Without a topic, what the intermediary itself works on; with one, what on the route matches it.
        topics_on_route = {t["id"]: t for n in (path[:-1] if scope is not None else path[:1])
                           for t in _topics_of(graph, n, scope)}
        if scope is not None and not topics_on_route:
            continue
        data = graph.nodes[node_id]
        tier, nation_factor, nation_words = R.nation_fit(wanted, nations_of(data), settings)
        if nation and tier == 3:
            continue
        reacher = path[-2]
        found_evidence = evidence[reacher]
        geo_factor, geo_words = R.geography_fit(public_record, data, settings)
        status = load_status(node_id) if load_status else None
        load = float(d["load_factor"].get(status, 1.0)) if status else 1.0
        via = family_partners(graph, family, node_id)
        is_partner = bool(via)
        partner = float(d["partner_factor"]) if is_partner else 1.0
        member_steps = len(path) - 2
        heard = feedback.get(node_id)
        said = heard.factor if heard else 1.0
        factors = {**{f.key: f.value for f in found_evidence.factors}, "evidence": found_evidence.points,
                   "umbrella": round(umbrella ** member_steps, 6), "nation": nation_factor, "geography": geo_factor,
                   "load": load, "partner": partner, **({"route_feedback": said} if heard else {})}
        score = round(weight * nation_factor * geo_factor * load * partner * said, 4)
        judged = found_evidence.judgement
        candidate = Candidate(
            id=node_id, name=data.get("name", node_id), kind=data.get("kind"), contact=data.get("contact"),
            score=score, path=path, path_names=[graph.nodes[n].get("name", n) for n in path],
            direct=member_steps == 0, hops=len(path) - 1, trust=judged["trust"] if judged else None,
            strength=judged["strength"] if judged else None, role=found_evidence.role,
            factors=factors, load_status=status, partner=is_partner, partner_via=via,
            partners=[p for p in partners_of(graph, node_id, exclude=producer)
                      if all(p["id"] != m["id"] for m in via)],
            topics=sorted(topics_on_route.values(), key=lambda t: (t["name"].lower(), t["id"])),
            evidence=found_evidence.as_dict(), summary=found_evidence.summary, nation_tier=tier,
            nation_words=nation_words, geography_words=geo_words, declarations=R.declarations(data),
            not_accepting=R.not_accepting(data), route_feedback=heard.as_dict() if heard else None)
        candidate.reasons = reasons(candidate, public["name"], settings, asking)
        candidates.append(candidate)
    candidates.sort(key=lambda c: (c.not_accepting, c.nation_tier, -c.score, c.name.lower(), c.id))
    found = Discovery(public=public, producer=asking, topic=chosen_topic, intermediaries=candidates,
                      unfiltered=len(routes), nation=nation)
    if found.no_route:
        found.leads = leads(graph, public_id, settings)
        found.advice = no_route_advice(found)
    return found


def reasons(c: Candidate, public_name: str, settings: dict, asking: dict | None = None) -> list[str]:
    """The plain-English reasons for one intermediary's place: the evidence first, then each factor
    that moved it. Every reason names evidence or a sourced statement."""
    f = c.factors
    out = []
    if not c.direct:
        out.append(f"Umbrella body: reaches {public_name} through its member {' and '.join(c.path_names[1:-1])} "
                   f"(× {_fmt(f['umbrella'])}).")
    out += [factor["words"] if c.direct else _of_member(factor["words"], c.path_names[-2])
            for factor in c.evidence.get("factors", [])]
    if not c.evidence.get("engagements"):
        out.append(c.summary)
    if c.not_accepting:
        out.append("It says it is not accepting requests, so it is listed after those that are.")
    if c.nation_words:
        out.append(c.nation_words + ("" if f["nation"] == 1 else f" × {_fmt(f['nation'])}."))
    if c.geography_words:
        out.append(f"{c.geography_words[:-1]}: × {_fmt(f['geography'])}.")
    if c.load_status:
        out.append(f"Its own load of engagement is {LOAD_WORDS.get(c.load_status, c.load_status)}"
                   + (f": × {_fmt(f['load'])}." if f["load"] != 1 else "."))
    else:
        out.append("Its own load of engagement is not known.")
    if c.partner and asking:
        out.append(partner_reason(c.partner_via, asking, f["partner"]))
    if c.route_feedback:
        heard = c.route_feedback
        enough = heard["enough_reports"]
        out.append(heard["words"][:-1] + f": × {_fmt(heard['factor'])}." if enough else heard["words"])
    if c.topics:
        out.append("Works on " + ", ".join(t["name"] for t in c.topics) + ".")
    if c.partners:
        out.append("Join up with " + ", ".join(p["name"] for p in c.partners) + ", who already work with it.")
    return out


def _of_member(words: str, member: str) -> str:
    """An umbrella body's evidence is its member's: say whose it is.

    >>> _of_member("It serves Carers (https://a.example, 2026-01-05).", "Carers Cardiff")
    'Carers Cardiff serves Carers (https://a.example, 2026-01-05).'
    >>> _of_member("Recorded as reaching Carers (Case study 3).", "Carers Cardiff")
    'Carers Cardiff is recorded as reaching Carers (Case study 3).'
    """
    if words.startswith("It "):
        return member + words[2:]
    if words.startswith("Recorded as "):
        return f"{member} is recorded as {words[len('Recorded as '):]}"
    if words.startswith("An editor's judgement"):
        return f"{words[:-1]} (of {member})."
    return words


def partner_reason(via: list[dict], asking: dict, factor: float) -> str:
    """Which part of the asking producer's family already partners with an intermediary, in words.

    >>> ons = {"id": "ons", "name": "ONS"}
    >>> partner_reason([{"id": "ons", "name": "ONS", "relation": "itself"}], ons, 1.2)
    'ONS already partners with it: × 1.2.'
    >>> partner_reason([{"id": "uksa", "name": "UKSA", "relation": "parent"}], ons, 1.2)
    'UKSA, which ONS is part of, already partners with it: × 1.2.'
    >>> partner_reason([{"id": "t", "name": "Census team", "relation": "part"},
    ...                 {"id": "uksa", "name": "UKSA", "relation": "parent"}], ons, 1.2)
    'Part of your organisation already partners with it: Census team, a team or part of ONS; UKSA, which ONS is part of: × 1.2.'
    """
    def who(member: dict) -> str:
        if member["relation"] == "itself":
            return member["name"]
        if member["relation"] == "part":
            return f"{member['name']}, a team or part of {asking['name']}"
        return f"{member['name']}, which {asking['name']} is part of"
    if len(via) == 1:
        comma = "" if via[0]["relation"] == "itself" else ","
        return f"{who(via[0])}{comma} already partners with it: × {_fmt(factor)}."
    return f"Part of your organisation already partners with it: {'; '.join(map(who, via))}: × {_fmt(factor)}."


def leads(graph, public_id: str, settings: dict | None = None) -> list[dict]:
    """When nothing is recorded as reaching a public: organisations working on the topics of the
    statistics that describe it, to ask whether they reach it (leads, not routes).

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> for n, label in (("p", "Public"), ("s", "Statistic"), ("t", "Topic"), ("i", "Intermediary"),
    ...                  ("ug", "UserGroup")):
    ...     g.add_node(n, label=label, name=n.upper())
    >>> for u, v, k in (("s", "p", "DESCRIBES"), ("s", "t", "ABOUT"), ("i", "t", "WORKS_ON"), ("ug", "t", "COVERS")):
    ...     _ = g.add_edge(u, v, key=k)
    >>> [(x["id"], x["why"]) for x in leads(g, "p")]
    [('i', 'works on T, which S is about'), ('ug', 'covers T, which S is about')]
    """
    found: dict[str, dict] = {}
    for stat, _p, key in sorted(graph.in_edges(public_id, keys=True)):
        if key != "DESCRIBES":
            continue
        for _s, topic, k in sorted(graph.out_edges(stat, keys=True)):
            if k != "ABOUT":
                continue
            for org, _t, k2 in sorted(graph.in_edges(topic, keys=True)):
                if k2 in ("WORKS_ON", "COVERS") and _label(graph, org) in ("Intermediary", "UserGroup"):
                    verb = "works on" if k2 == "WORKS_ON" else "covers"
                    why = f"{verb} {graph.nodes[topic].get('name', topic)}, which " \
                          f"{graph.nodes[stat].get('name', stat)} is about"
                    lead = found.setdefault(org, {**_brief(graph, org), "why": why, "count": 0})
                    lead["count"] += 1
    ranked = sorted(found.values(), key=lambda x: (x["label"] != "Intermediary", -x["count"], x["name"].lower()))
    limit = int(section_of(settings, "discovery")["max_leads"])
    return [{k: v for k, v in x.items() if k != "count"} for x in ranked[:limit]]


def no_route_advice(found: Discovery) -> list[str]:
    """What to do when no intermediary is recorded as reaching the public (or none on the topic)."""
    name = found.public["name"]
    if found.topic and found.unfiltered:
        return [f"{found.unfiltered} intermediar{'y reaches' if found.unfiltered == 1 else 'ies reach'} {name}, "
                f"but none is recorded as working on {found.topic['name']}. Look again without the topic.",
                "If you know an organisation that works on this topic with this public, add it to the registry."]
    advice = [f"No known route: no trusted intermediary in the registry is recorded as reaching {name}."]
    if found.leads:
        advice.append("Ask the organisations listed below whether they work with this public: they work on "
                      "the same topics as the statistics about it.")
    advice += [
        "Ask the people themselves where they go for information and which community groups, civil society "
        "bodies or community institutions they trust (OSR toolkit, Box 1).",
        "When you find an organisation that reaches them, add it to the registry as ‘Reaches’ this public so "
        "the next producer can find it.",
    ]
    return advice


def load_from_burden(graph, settings: dict, as_of: _dt.date | None = None) -> LoadStatus | None:
    """A ``load_status`` callable backed by :func:`graph.burden.score_node`; None if burden is unavailable."""
    try:
        from . import burden
    except ImportError:  # pragma: no cover - the burden module lands separately
        return None
    day = as_of or _dt.date.today()
    cache: dict[str, str | None] = {}

    def status(node_id: str) -> str | None:
        if node_id not in cache:
            cache[node_id] = burden.score_node(graph, node_id, day, settings).status
        return cache[node_id]
    return status


def public_burden(graph, public_id: str, settings: dict, as_of: _dt.date | None = None):
    """The public's own burden score (:class:`graph.burden.Score`), or None if burden is unavailable."""
    try:
        from . import burden
    except ImportError:  # pragma: no cover
        return None
    return burden.score_node(graph, public_id, as_of or _dt.date.today(), settings)
