"""Signposting: "who do I contact about this statistic?" — one first contact, the route and the reason.

The rules (the About page says the same in plain English):

1. **The owner.** The statistic itself when it lists a contact or refers enquiries on
   (REFERS_TO); otherwise the producer that PRODUCES it, walking PART_OF upwards to
   the first body that has a contact or refers enquiries on.
2. **The first contact** is the end of the owner's REFERS_TO chain, so the person asking
   contacts whoever actually answers, not each hop. A chain that comes back on itself
   stops before repeating and carries a warning naming the loop. If the end has no
   contact, the last body on the chain that has one is the first contact (with a warning).
3. **Also:** user groups that COVER the statistic's topics, then those covering broader
   topics (nearest first); then trusted intermediaries that WORK_ON those topics and
   REACH the publics the statistic DESCRIBES — the asker's own public first when given,
   then those of the asker's nation, then the nearest topic, then the best evidence of reach
   (:func:`graph.reach.evidence`, as discovery ranks them: engagements through it with the
   public, the role it states with a source, an editor's sourced judgement), each saying what
   that evidence is.
   Each of these also follows its own REFERS_TO chain to its end; a user group with no
   contact of its own is reached through the body that CONVENES it.
4. **Not what you need?** The coordinator (the Office for Statistics Regulation by
   default, or a configured contact).
5. Every route ends at something with a contact, and no record appears twice. When
   nothing reachable has a contact, the answer says so and offers the nearest user group,
   or else the coordinator, instead of a dead end.

Routes are computed over the registry graph held in memory (:mod:`graph.readmodel`); each
answer walks only the few records around the statistic.

>>> from graph.stores.base import graph_from_records
>>> g = graph_from_records([
...     {"id": "s", "label": "Statistic", "name": "Poverty stats"},
...     {"id": "team", "label": "Producer", "name": "Team"},
...     {"id": "dept", "label": "Producer", "name": "Dept", "contact": {"email": "stats@dept.gov.uk"}},
...     {"id": "desk", "label": "Producer", "name": "Enquiry desk", "contact": {"email": "desk@dept.gov.uk"}}],
...     [{"type": "PRODUCES", "from": "team", "to": "s"}, {"type": "PART_OF", "from": "team", "to": "dept"},
...      {"type": "REFERS_TO", "from": "dept", "to": "desk"}])
>>> answer = signpost(g, "s")
>>> answer.first_contact.id, answer.first_contact.via
('desk', ['s', 'team', 'dept'])
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable

import networkx as nx

from . import nations as _nations
from . import reach as _reach
from .errors import InvalidRecord, NodeNotFound, Problem
from .settings import DEFAULTS, merge, section_of

ORGANISATIONS = ("Producer", "UserGroup", "Intermediary")


def config(settings: dict | None) -> dict:
    """The signposting settings: ``graph.settings.DEFAULTS["signpost"]`` with ``settings["signpost"]`` over them.

    >>> config({"signpost": {"max_user_groups": 2}})["max_user_groups"], config(None)["coordinator"]
    (2, 'osr')
    """
    return section_of(settings, "signpost")


@dataclass
class Route:
    """Someone to contact: who, how, the path that leads there (ids, statistic first) and why them."""

    id: str | None
    label: str
    name: str
    contact: dict | None
    path: list[str]
    why: str
    kind: str  # owner | producer | user_group | intermediary | coordinator
    how_to_join: str | None = None
    membership: str | None = None
    group: dict | None = None  # the user group a route is about, when it is reached through its convener

    @property
    def via(self) -> list[str]:
        """The records passed through before this one (the path without its end)."""
        return self.path[:-1]

    def as_dict(self) -> dict:
        out = {k: v for k, v in asdict(self).items()}
        out["via"] = self.via
        return out


@dataclass
class Signpost:
    """The answer for one statistic."""

    statistic: dict
    first_contact: Route | None
    routes: list[Route] = field(default_factory=list)
    coordinator: Route | None = None
    alternative: Route | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def no_contact(self) -> bool:
        return self.first_contact is None

    def everyone(self) -> list[Route]:
        """Every route offered, first contact first."""
        return [r for r in (self.first_contact, *self.routes, self.alternative, self.coordinator) if r]

    def as_dict(self) -> dict:
        return {"statistic": self.statistic,
                "first_contact": self.first_contact.as_dict() if self.first_contact else None,
                "routes": [r.as_dict() for r in self.routes],
                "no_contact": self.no_contact,
                "alternative": self.alternative.as_dict() if self.alternative else None,
                "coordinator": self.coordinator.as_dict() if self.coordinator else None,
                "warnings": list(self.warnings)}


# -- reading the graph ---------------------------------------------------------------

def _name(graph: nx.MultiDiGraph, node_id: str) -> str:
    return str(graph.nodes[node_id].get("name", node_id))


def _has_contact(graph: nx.MultiDiGraph, node_id: str) -> bool:
    return bool(graph.nodes[node_id].get("contact"))


def _out(graph: nx.MultiDiGraph, node_id: str, type_: str) -> list[str]:
    """Targets of ``type_`` edges from a node: those with a contact first, then by name."""
    found = [v for _, v, k in graph.out_edges(node_id, keys=True) if k == type_ and v in graph]
    return sorted(set(found), key=lambda v: (not _has_contact(graph, v), _name(graph, v).lower(), v))


def _in(graph: nx.MultiDiGraph, node_id: str, type_: str) -> list[str]:
    found = [u for u, _, k in graph.in_edges(node_id, keys=True) if k == type_ and u in graph]
    return sorted(set(found), key=lambda u: (_name(graph, u).lower(), u))


def _note(graph: nx.MultiDiGraph, u: str, v: str) -> str | None:
    data = graph.get_edge_data(u, v, key="REFERS_TO") or {}
    return data.get("note")


def follow_referrals(graph: nx.MultiDiGraph, start: str, max_hops: int) -> tuple[list[str], list[str] | None]:
    """The REFERS_TO chain from ``start``: ``(chain, loop)``, ``loop`` being the repeating part (or None).

    The chain stops at a record that refers nobody on, before a record would repeat, or
    after ``max_hops`` hand-offs.

    >>> from graph.stores.base import graph_from_records
    >>> g = graph_from_records([{"id": i, "label": "Producer", "name": i.upper()} for i in "abcd"],
    ...     [{"type": "REFERS_TO", "from": "a", "to": "b"}, {"type": "REFERS_TO", "from": "b", "to": "c"},
    ...      {"type": "REFERS_TO", "from": "c", "to": "b"}])
    >>> follow_referrals(g, "a", 10)
    (['a', 'b', 'c'], ['b', 'c', 'b'])
    >>> follow_referrals(g, "d", 10)
    (['d'], None)
    """
    chain = [start]
    while len(chain) <= max_hops:
        onward = _out(graph, chain[-1], "REFERS_TO")
        if not onward:
            return chain, None
        nxt = onward[0]
        if nxt in chain:
            return chain, chain[chain.index(nxt):] + [nxt]
        chain.append(nxt)
    return chain, None


def loop_warning(graph: nx.MultiDiGraph, loop: list[str]) -> str:
    names = " → ".join(_name(graph, n) for n in loop)
    return (f"Enquiries are referred round in a loop: {names}. Pathways stopped before going round again; "
            "the registry needs correcting.")


def _resolve(graph: nx.MultiDiGraph, start: str, cfg: dict, warnings: list[str]) -> list[str] | None:
    """The chain from ``start`` cut at its last record with a contact, or None when none has one."""
    chain, loop = follow_referrals(graph, start, cfg["max_referral_hops"])
    if loop:
        warning = loop_warning(graph, loop)
        if warning not in warnings:
            warnings.append(warning)
    with_contact = [i for i, n in enumerate(chain) if _has_contact(graph, n)]
    if not with_contact:
        return None
    cut = with_contact[-1]
    if cut < len(chain) - 1:
        warnings.append(f"{_name(graph, chain[cut])} refers enquiries to {_name(graph, chain[cut + 1])}, which has "
                        f"no contact details recorded, so Pathways sends you to {_name(graph, chain[cut])}.")
    return chain[: cut + 1]


def _answers(graph: nx.MultiDiGraph, node_id: str) -> bool:
    """Whether a record answers enquiries itself: it has a contact or refers them on."""
    return _has_contact(graph, node_id) or bool(_out(graph, node_id, "REFERS_TO"))


def _climb(graph: nx.MultiDiGraph, path: list[str], max_hops: int) -> list[str] | None:
    """``path`` extended up PART_OF to the first body that answers enquiries, or None when none does."""
    path = list(path)
    while not _answers(graph, path[-1]) and len(path) <= max_hops + 1:
        parents = [p for p in _out(graph, path[-1], "PART_OF") if p not in path]
        if not parents:
            return None
        path.append(parents[0])
    return path if _answers(graph, path[-1]) else None


def _owner_paths(graph: nx.MultiDiGraph, statistic: str, max_hops: int) -> list[list[str]]:
    """Paths from the statistic to each candidate owner, best first."""
    if _answers(graph, statistic):
        return [[statistic]]
    climbed = (_climb(graph, [statistic, producer], max_hops) for producer in _in(graph, statistic, "PRODUCES"))
    return [path for path in climbed if path]


def organisation_route(graph: nx.MultiDiGraph, org: str, settings: dict | None = None) -> Route | None:
    """Who answers for an organisation: it, or the body it is part of, to the end of their referrals.

    >>> from graph.stores.base import graph_from_records
    >>> g = graph_from_records([{"id": "team", "label": "Producer", "name": "Team"},
    ...     {"id": "dept", "label": "Producer", "name": "Dept", "contact": {"email": "s@dept.gov.uk"}}],
    ...     [{"type": "PART_OF", "from": "team", "to": "dept"}])
    >>> organisation_route(g, "team").path
    ['team', 'dept']
    """
    cfg = config(settings)
    path = _climb(graph, [org], cfg["max_referral_hops"])
    chain = _resolve(graph, path[-1], cfg, []) if path else None
    if chain is None:
        return None
    return _route(graph, path[:-1] + chain, "", "producer")


def _owner_why(graph: nx.MultiDiGraph, path: list[str], chain: list[str]) -> str:
    stat, owner = path[0], path[-1]
    parts = []
    if owner == stat:
        parts.append(f"{_name(graph, stat)} lists its own contact route.")
    else:
        parts.append(f"{_name(graph, path[1])} produces {_name(graph, stat)}.")
        if len(path) > 2:
            parts.append(f"It is part of {' and '.join(_name(graph, p) for p in path[2:])}, "
                         f"which {'has the contact route' if len(chain) == 1 else 'refers enquiries on'}.")
    if len(chain) > 1:
        hops = " then ".join(_name(graph, n) for n in chain[1:])
        parts.append(f"Enquiries are handed on to {hops}: contact {_name(graph, chain[-1])} directly.")
        note = _note(graph, chain[-2], chain[-1])
        if note:
            parts.append(f"“{note}”")
    return " ".join(parts)


MEMBERSHIP_WORDS = {"open": "open to anyone", "invite": "by invitation", "closed": "closed"}


def _route(graph: nx.MultiDiGraph, path: list[str], why: str, kind: str) -> Route:
    end = graph.nodes[path[-1]]
    return Route(path[-1], end.get("label", ""), str(end.get("name", path[-1])), end.get("contact"), list(path),
                 why, kind, end.get("how_to_join"), end.get("membership"))


def _topics(graph: nx.MultiDiGraph, statistic: str, depth: int) -> list[list[str]]:
    """Paths from the statistic to each of its topics, then to broader topics, nearest first."""
    paths, seen = [], set()
    frontier = [[statistic, t] for t in _in_order(graph, _out(graph, statistic, "ABOUT"))]
    for level in range(depth + 1):
        nxt = []
        for path in frontier:
            if path[-1] in seen:
                continue
            seen.add(path[-1])
            paths.append(path)
            if level < depth:
                nxt += [path + [b] for b in _in_order(graph, _out(graph, path[-1], "BROADER")) if b not in path]
        frontier = nxt
    return paths


def _in_order(graph: nx.MultiDiGraph, ids: Iterable[str]) -> list[str]:
    return sorted(ids, key=lambda n: (_name(graph, n).lower(), n))


def _topic_phrase(graph: nx.MultiDiGraph, topic_path: list[str]) -> str:
    topic = _name(graph, topic_path[-1])
    if len(topic_path) == 2:
        return f"{topic}, which this statistic is about"
    return f"{topic}, the broader topic that {_name(graph, topic_path[1])} is part of"


def signpost(graph: nx.MultiDiGraph, statistic_id: str, public: str | None = None,
             settings: dict | None = None, nation: str | None = None) -> Signpost:
    """Who to contact about a statistic, by the rules in this module's docstring.

    ``graph`` is the registry (or any part of it holding the statistic's surroundings);
    ``public`` is the asker's own public (its id), whose intermediaries come first;
    ``nation`` the asker's nation, whose user groups and intermediaries come first.
    """
    cfg = config(settings)
    if statistic_id not in graph:
        raise NodeNotFound(statistic_id)
    node = graph.nodes[statistic_id]
    if node.get("label") != "Statistic":
        raise InvalidRecord([Problem(f"node '{statistic_id}'", "statistic",
                                     f"is a {node.get('label')}, not a Statistic")])
    if public is not None and (public not in graph or graph.nodes[public].get("label") != "Public"):
        raise InvalidRecord([Problem(f"node '{public}'", "public", "no Public with this id")])
    answer = Signpost({"id": statistic_id, "label": "Statistic", "name": str(node.get("name", statistic_id))}, None)
    warnings = answer.warnings
    used: set[str] = {statistic_id}
    covers = _nations.covered(node)
    answer.statistic["nations"] = sorted(covers)
    wanted = frozenset({nation}) if nation else frozenset()

    def fits(n: str) -> bool:
        """Whether a user group or intermediary works in the statistic's nations (and the asker's)."""
        theirs = _nations.nations_of(graph.nodes[n])
        return _nations.compatible(theirs, covers) and _nations.compatible(theirs, wanted)

    def own_nation(n: str) -> bool:
        theirs = _nations.nations_of(graph.nodes[n])
        return bool(wanted) and bool(theirs) and theirs <= wanted

    def take(chain: list[str]) -> bool:
        """Claim the organisations on a route; False when any is already offered (or passed through)."""
        if any(n in used for n in chain):
            return False
        used.update(chain)
        return True

    # 1–2: the owner and the end of its referral chain.
    for path in _owner_paths(graph, statistic_id, cfg["max_referral_hops"]):
        chain = _resolve(graph, path[-1], cfg, warnings)
        if chain is None:
            continue
        full = path[:-1] + chain
        if answer.first_contact is None:
            if take(full[1:]):
                answer.first_contact = _route(graph, full, _owner_why(graph, path, chain), "owner")
        elif take(chain):
            answer.routes.append(_route(graph, full, "Also produces it. " + _owner_why(graph, path, chain),
                                        "producer"))

    # 3: user groups for the topics, nearest first; then intermediaries.
    topic_paths = _topics(graph, statistic_id, cfg["broader_depth"])
    groups = 0
    ordered = [(tpath, group) for tpath in topic_paths for group in _in(graph, tpath[-1], "COVERS")]
    ordered.sort(key=lambda tg: not own_nation(tg[1]))
    for tpath, group in ordered:
        if groups >= cfg["max_user_groups"]:
            break
        if graph.nodes[group].get("label") != "UserGroup" or group in used or not fits(group):
            continue
        chain = _resolve(graph, group, cfg, warnings)
        convener = None
        if chain is None:
            for convener in _in(graph, group, "CONVENES"):
                onward = _resolve(graph, convener, cfg, warnings)
                if onward is not None and not any(n in used for n in onward):
                    chain = [group, *onward]
                    break
        if chain is None or not take(chain):
            continue
        why = f"A user group covering {_topic_phrase(graph, tpath)}."
        if convener is not None:
            why += (f" It has no contact route of its own: ask {_name(graph, chain[-1])}, which "
                    f"{'convenes it' if chain[-1] == convener else 'handles enquiries for the body that convenes it'}.")
        elif len(chain) > 1:
            why += f" It hands enquiries on to {_name(graph, chain[-1])}."
        membership = graph.nodes[group].get("membership")
        if membership:
            why += f" Membership is {MEMBERSHIP_WORDS.get(membership, membership)}."
        route = _route(graph, tpath + chain, why, "user_group")
        route.how_to_join = graph.nodes[group].get("how_to_join")
        route.membership = graph.nodes[group].get("membership")
        route.group = {"id": group, "name": _name(graph, group)}
        answer.routes.append(route)
        groups += 1

    described = [p for p in _out(graph, statistic_id, "DESCRIBES")]
    publics = ([public] if public else []) + [p for p in described if p != public]
    candidates: dict[str, tuple] = {}
    weighing = merge(DEFAULTS, settings)  # the evidence reads every section it needs (burden, reach, discovery)
    for rank, tpath in enumerate(topic_paths):
        for inter in _in(graph, tpath[-1], "WORKS_ON"):
            if graph.nodes[inter].get("label") != "Intermediary" or inter in candidates or not fits(inter):
                continue
            reached = [p for p in publics if graph.has_edge(inter, p, key="REACHES")]
            if not reached:
                continue
            shown_by = {p: _reach.evidence(graph, inter, p, weighing) for p in reached}
            best = max(reached, key=lambda p: (p == public, shown_by[p].points))
            key = (best != public, not own_nation(inter), len(tpath), -shown_by[best].points,
                   _name(graph, inter).lower())
            candidates[inter] = (key, tpath, best, shown_by[best])
    shown = 0
    for inter, (_key, tpath, best, shown_by) in sorted(candidates.items(), key=lambda kv: kv[1][0]):
        if shown >= cfg["max_intermediaries"]:
            break
        chain = _resolve(graph, inter, cfg, warnings)
        if chain is None or not take(chain):
            continue
        whom = "you told us about" if best == public else "this statistic describes"
        why = (f"A trusted intermediary working on {_name(graph, tpath[-1])} that reaches "
               f"{_name(graph, best)}, whom {whom}. {_evidence_words(shown_by)}")
        if len(chain) > 1:
            why += f" It hands enquiries on to {_name(graph, chain[-1])}."
        answer.routes.append(_route(graph, [statistic_id, best] + chain, why, "intermediary"))
        shown += 1

    # 4: the coordinator.
    answer.coordinator = _coordinator(graph, cfg, used, warnings)

    # 5: no reachable contact — say so, and offer the nearest user group or the coordinator.
    if answer.first_contact is None:
        warnings.insert(0, f"No reachable contact is recorded for {answer.statistic['name']}: not on the statistic, "
                           "its producers, the bodies they are part of, or anyone they refer enquiries to.")
        groups_offered = [r for r in answer.routes if r.kind == "user_group"]
        if groups_offered:
            answer.alternative = groups_offered[0]
            answer.routes.remove(groups_offered[0])
        elif answer.coordinator is not None:
            answer.alternative, answer.coordinator = answer.coordinator, None
    return answer


def _evidence_words(found: _reach.Evidence) -> str:
    """What its reach rests on, in one sentence or two: the engagements through it when there are any,
    then what it states with a source (or that the reach has no source)."""
    said = [f.words for f in found.factors if f.key in ("role", "sourced", "recorded")]
    return " ".join(([found.summary] if found.engagements else []) + said[:1])


def _coordinator(graph: nx.MultiDiGraph, cfg: dict, used: set[str], warnings: list[str]) -> Route | None:
    why = ("If none of these can help, or you have been passed from team to team, the Office for Statistics "
           "Regulation can tell you who is responsible for a statistic and hears concerns about it.")
    coordinator = cfg.get("coordinator")
    if coordinator and coordinator in graph:
        chain = _resolve(graph, coordinator, cfg, warnings)
        if chain is not None:
            if chain[-1] in used:
                return None
            used.update(chain)
            return Route(chain[-1], graph.nodes[chain[-1]].get("label", ""), _name(graph, chain[-1]),
                         graph.nodes[chain[-1]].get("contact"), chain, why, "coordinator")
    fallback = cfg.get("coordinator_contact") or {}
    if fallback.get("contact"):
        return Route(None, "Coordinator", str(fallback.get("name") or "Coordinator"), dict(fallback["contact"]),
                     [], why, "coordinator")
    return None
