"""Gaps in the system: what a coordinator should fix, each with what would close it.

Every rule is a small pure function ``rule(graph, context) -> list[Finding]`` over the
registry's graph. Each finding names the record (``id``, ``label``, ``name``), says
what is wrong (``detail``) and what would close the gap (``close``); some rules
add fields of their own (``cycle``, ``other``, ``cuts_off`` …). :func:`find_gaps`
runs them all; its ``as_dict`` is the API's ``GET /api/v1/gaps``.

A report at 100,000 records holds over 100,000 findings, kept between requests, so a
finding is a slotted :class:`Finding` (its extra fields' names shared by every finding
of the rule), made into a dict only when it is written out.

>>> from graph.stores.base import graph_from_records
>>> g = graph_from_records(
...     [{"id": "p", "label": "Public", "name": "Carers", "seldom_heard": True},
...      {"id": "q", "label": "Public", "name": "Gypsies and Travellers"},
...      {"id": "i", "label": "Intermediary", "name": "Carers UK", "contact": {"url": "https://carersuk.org"}}],
...     [{"type": "REACHES", "from": "i", "to": "p"}])
>>> [item["id"] for item in publics_without_route(g, GapContext())]
['q']
>>> [item["id"] for item in single_route_publics(g, GapContext())]
['p']
"""
from __future__ import annotations

import datetime as _dt
import itertools
from dataclasses import dataclass, field
from typing import Callable

import networkx as nx

from .records import is_stale
from .settings import section_of
from .walk import broader_topics

# Records that are events or requests, not routes: left out of the broker analysis.
NOT_ROUTES = ("Engagement", "Need")


@dataclass
class GapContext:
    """What the rules need besides the graph."""

    as_of: _dt.date = field(default_factory=_dt.date.today)
    settings: dict = field(default_factory=dict)
    burden_index: Callable | None = None  # graph.burden.burden_index, injected
    wrong_details: Callable | None = None  # graph.route_reports.wrong_detail_gaps over the stored reports, injected

    def conf(self, key: str):
        return section_of(self.settings, "gaps")[key]


class Finding:
    """One gap found: the record (``id``, ``label``, ``name``), what is wrong (``detail``), what would
    close it (``close``) and the rule's own fields, read as attributes, as ``finding["key"]`` or
    with :meth:`get`; :meth:`as_dict` is the finding as the API gives it.

    >>> f = Finding("p", "Public", "Carers", "No route.", "Find one.", seldom_heard=True)
    >>> f["id"], f.seldom_heard, f.get("cycle"), f.as_dict()["seldom_heard"], list(f.as_dict())[:3]
    ('p', True, None, True, ['id', 'label', 'name'])
    >>> import copy, pickle
    >>> copy.copy(f) == f == pickle.loads(pickle.dumps(f))
    True
    """

    __slots__ = ("id", "label", "name", "detail", "close", "_keys", "_values")
    _shared_keys: dict[tuple, tuple] = {}  # one tuple of extra field names per rule, not one per finding

    def __init__(self, id: str, label, name, detail: str, close: str, **extra):
        self.id, self.label, self.name, self.detail, self.close = id, label, name, detail, close
        keys = tuple(extra)
        self._keys = self._shared_keys.setdefault(keys, keys)
        self._values = tuple(extra.values())

    def __getattr__(self, key: str):
        # only called for a name that is not a slot: the rule's own fields (never a private name,
        # which copy and pickle look for before the slots are filled)
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._values[self._keys.index(key)]
        except ValueError:
            raise AttributeError(key) from None

    def __getitem__(self, key: str):
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key: str) -> bool:
        return key in self.__slots__[:5] or key in self._keys

    def get(self, key: str, default=None):
        return getattr(self, key, default)

    def as_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "name": self.name, "detail": self.detail, "close": self.close,
                **dict(zip(self._keys, self._values))}

    def __eq__(self, other) -> bool:
        return isinstance(other, Finding) and self.as_dict() == other.as_dict()

    __hash__ = None

    def __repr__(self) -> str:
        return f"Finding({self.as_dict()!r})"


def _item(graph: nx.MultiDiGraph, node_id: str, detail: str, close: str, **extra) -> Finding:
    record = graph.nodes[node_id]
    return Finding(node_id, record.get("label"), record.get("name", node_id), detail, close, **extra)


def _of_label(graph: nx.MultiDiGraph, label: str) -> list[str]:
    return sorted((n for n, d in graph.nodes(data=True) if d.get("label") == label),
                  key=lambda n: (str(graph.nodes[n].get("name", n)).lower(), n))


def _sources(graph: nx.MultiDiGraph, node_id: str, type_: str) -> list[str]:
    return sorted({u for u, _v, k in graph.in_edges(node_id, keys=True) if k == type_})


def _targets(graph: nx.MultiDiGraph, node_id: str, type_: str) -> list[str]:
    return sorted({v for _u, v, k in graph.out_edges(node_id, keys=True) if k == type_})


def _names(graph: nx.MultiDiGraph, ids) -> str:
    return ", ".join(str(graph.nodes[i].get("name", i)) for i in ids)


def has_contact(graph: nx.MultiDiGraph, node_id: str) -> bool:
    return bool(graph.nodes[node_id].get("contact"))


# -- publics ---------------------------------------------------------------

def publics_without_route(graph: nx.MultiDiGraph, ctx: GapContext) -> list[Finding]:
    """Publics no trusted intermediary is recorded as reaching (no REACHES)."""
    return [_item(graph, p, "No trusted intermediary is recorded as reaching this public.",
                  "Find an organisation this public trusts and record that it reaches them, or record one "
                  "already known.", seldom_heard=bool(graph.nodes[p].get("seldom_heard")))
            for p in _of_label(graph, "Public") if not _sources(graph, p, "REACHES")]


def single_route_publics(graph: nx.MultiDiGraph, ctx: GapContext) -> list[Finding]:
    """Seldom-heard publics reached by exactly one intermediary: a single point of failure."""
    out = []
    for p in _of_label(graph, "Public"):
        routes = _sources(graph, p, "REACHES")
        if graph.nodes[p].get("seldom_heard") and len(routes) == 1:
            out.append(_item(graph, p, f"A seldom-heard public reached only through {_names(graph, routes)}.",
                             "Find and record a second trusted intermediary, so this public is not lost if that "
                             "one closes or is too busy.", only_route=routes[0]))
    return out


def over_consulted(graph: nx.MultiDiGraph, ctx: GapContext) -> list[Finding]:
    """Publics whose burden of consultation is high or over their capacity (graph.burden)."""
    if ctx.burden_index is None:
        return []
    index = ctx.burden_index(graph, ctx.as_of, ctx.settings)
    out = []
    for score in index.publics:
        if score.status == "ok":
            continue
        state = "over its capacity" if score.status == "over" else "close to its capacity"
        out.append(_item(graph, score.id, f"Consulted {score.units:g} units against a capacity of "
                         f"{score.capacity:g} ({score.ratio:.0%}): {state}, by {len(score.producers)} "
                         f"producer{'s' if len(score.producers) != 1 else ''}.",
                         "Join up with the other producers, reuse what they have already heard, publish what "
                         "you did with earlier feedback, or wait before asking again.",
                         status=score.status, ratio=score.ratio))
    return out


# -- contacts and referrals --------------------------------------------------

def owner_of(graph: nx.MultiDiGraph, statistic: str) -> str | None:
    """Who answers for a statistic: itself if it has a contact, else the first producer with one,
    walking PART_OF upwards from each producer that PRODUCES it.

    >>> from graph.stores.base import graph_from_records
    >>> g = graph_from_records(
    ...     [{"id": "s", "label": "Statistic", "name": "S"}, {"id": "team", "label": "Producer", "name": "Team"},
    ...      {"id": "dept", "label": "Producer", "name": "Dept", "contact": {"email": "a@b.uk"}}],
    ...     [{"type": "PRODUCES", "from": "team", "to": "s"}, {"type": "PART_OF", "from": "team", "to": "dept"}])
    >>> owner_of(g, "s")
    'dept'
    """
    if has_contact(graph, statistic):
        return statistic
    for producer in _sources(graph, statistic, "PRODUCES"):
        seen, current = set(), producer
        while current and current not in seen:
            if has_contact(graph, current):
                return current
            seen.add(current)
            parents = _targets(graph, current, "PART_OF")
            current = parents[0] if parents else None
    return None


def referral_end(graph: nx.MultiDiGraph, start: str) -> tuple[str, bool]:
    """Follow REFERS_TO from ``start`` to the end of the chain: ``(end, looped)``.

    >>> from graph.stores.base import graph_from_records
    >>> g = graph_from_records([{"id": i, "label": "Producer", "name": i} for i in "abc"],
    ...     [{"type": "REFERS_TO", "from": "a", "to": "b"}, {"type": "REFERS_TO", "from": "b", "to": "a"}])
    >>> referral_end(g, "a"), referral_end(g, "c")
    (('b', True), ('c', False))
    """
    seen, current = [start], start
    while True:
        onward = _targets(graph, current, "REFERS_TO")
        if not onward:
            return current, False
        if onward[0] in seen:
            return current, True
        current = onward[0]
        seen.append(current)


def statistics_without_contact(graph: nx.MultiDiGraph, ctx: GapContext) -> list[Finding]:
    """Statistics where signposting finds no contact: none on the statistic, its producers or the bodies
    they are part of, or a referral chain that ends somewhere without one."""
    out = []
    for s in _of_label(graph, "Statistic"):
        owner = owner_of(graph, s)
        if owner is None:
            producers = _sources(graph, s, "PRODUCES")
            detail = ("No producer is recorded for this statistic." if not producers else
                      f"Neither the statistic nor {_names(graph, producers)} (or any body it is part of) has a "
                      "contact route.")
            out.append(_item(graph, s, detail, "Record an organisational contact (an email address, web page "
                             "or telephone number) on the statistic or on the team that produces it."))
            continue
        end, _looped = referral_end(graph, owner)
        if not has_contact(graph, end):
            out.append(_item(graph, s, f"Enquiries are referred on to {_names(graph, [end])}, which has no "
                             "contact route.", f"Record a contact route for {_names(graph, [end])}, or refer "
                             "enquiries to someone who has one.", end=end))
    return out


def referral_loops(graph: nx.MultiDiGraph, ctx: GapContext) -> list[Finding]:
    """Referral loops: REFERS_TO chains that come back to where they started ("ping-pong").

    Only ``max_loops`` are kept, so the order they are found in decides which. networkx walks
    sets of nodes while it searches, and a set of strings comes out in a different order in
    each process (string hashing is seeded per process), so the search runs over each record's
    place in the sorted ids instead: a set of small integers always comes out the same way.
    """
    referrals = sorted((u, v) for u, v, k in graph.edges(keys=True) if k == "REFERS_TO")
    ids = sorted({n for pair in referrals for n in pair})
    place = {n: i for i, n in enumerate(ids)}
    refers = nx.DiGraph()
    refers.add_nodes_from(range(len(ids)))
    refers.add_edges_from((place[u], place[v]) for u, v in referrals)
    out = []
    cycles = nx.simple_cycles(refers)
    for found in itertools.islice(cycles, ctx.conf("max_loops")):
        cycle = [ids[i] for i in found]
        first = min(range(len(cycle)), key=lambda i: cycle[i])
        cycle = cycle[first:] + cycle[:first]
        names = " → ".join(str(graph.nodes[n].get("name", n)) for n in cycle + cycle[:1])
        out.append(_item(graph, cycle[0], f"Enquiries go round in a loop: {names}.",
                         "Decide who answers these enquiries and remove the referral that sends them back.",
                         cycle=cycle))
    return sorted(out, key=lambda item: item.cycle)


def referral_dead_ends(graph: nx.MultiDiGraph, ctx: GapContext) -> list[Finding]:
    """Referrals to a record that has no contact route and refers nobody on: the enquiry stops there."""
    out = []
    for u, v in sorted((u, v) for u, v, k in graph.edges(keys=True) if k == "REFERS_TO"):
        if not has_contact(graph, v) and not _targets(graph, v, "REFERS_TO"):
            out.append(_item(graph, v, f"{_names(graph, [u])} refers enquiries here, but it has no contact "
                             "route.", f"Record a contact route for {_names(graph, [v])}, or change "
                             f"{_names(graph, [u])}'s referral to someone who has one.", referred_by=u))
    return out


# -- topics and user groups -------------------------------------------------

def topics_without_user_group(graph: nx.MultiDiGraph, ctx: GapContext) -> list[Finding]:
    """Topics no user group covers, directly or through a broader topic."""
    out = []
    for t in _of_label(graph, "Topic"):
        covered = any(graph.nodes[g].get("label") == "UserGroup"
                      for b in broader_topics(graph, t) for g in _sources(graph, b, "COVERS"))
        if not covered:
            stats = len(_sources(graph, t, "ABOUT"))
            out.append(_item(graph, t, f"No user group covers this topic or a broader one ({stats} "
                             f"statistic{'s' if stats != 1 else ''} recorded about it).",
                             "Ask a user group with a nearby remit to cover it, or bring its users together "
                             "in a new group.", statistics=stats))
    return sorted(out, key=lambda item: -item.statistics)


def overlapping_user_groups(graph: nx.MultiDiGraph, ctx: GapContext) -> list[Finding]:
    """Pairs of user groups whose topics overlap heavily (Jaccard at or above the threshold)."""
    threshold, min_shared = ctx.conf("overlap_threshold"), ctx.conf("overlap_min_shared")
    topics = {g: set(_targets(graph, g, "COVERS")) for g in _of_label(graph, "UserGroup")}
    if min_shared >= 1 or threshold > 0:
        # only pairs that share a topic can overlap: find them through each topic's groups
        by_topic: dict[str, list[str]] = {}
        for g in sorted(topics):
            for t in topics[g]:
                by_topic.setdefault(t, []).append(g)
        pairs = sorted({pair for groups in by_topic.values() for pair in itertools.combinations(groups, 2)})
    else:
        pairs = list(itertools.combinations(sorted(topics), 2))
    out = []
    for a, b in pairs:
        shared = topics[a] & topics[b]
        union = topics[a] | topics[b]
        if not union or len(shared) < min_shared:
            continue
        jaccard = len(shared) / len(union)
        if jaccard >= threshold:
            out.append(_item(graph, a, f"Shares {len(shared)} of {len(union)} topics with "
                             f"{_names(graph, [b])} ({jaccard:.0%}): {_names(graph, sorted(shared))}.",
                             "Check whether the two groups could meet together, share papers or agree who "
                             "covers what.", other=b, other_name=graph.nodes[b].get("name", b),
                             overlap=round(jaccard, 3), shared=sorted(shared)))
    return sorted(out, key=lambda item: -item.overlap)


# -- brokers ----------------------------------------------------------------

def route_network(graph: nx.MultiDiGraph) -> nx.Graph:
    """The registry as an undirected simple graph of organisations, publics, topics and statistics
    (engagements and needs are events, not routes)."""
    keep = [n for n, d in graph.nodes(data=True) if d.get("label") not in NOT_ROUTES]
    network = nx.Graph()
    network.add_nodes_from(keep)
    keep_set = set(keep)
    network.add_edges_from((u, v) for u, v in graph.edges() if u in keep_set and v in keep_set and u != v)
    return network


def route_neighbours(graph: nx.MultiDiGraph) -> dict[str, list[str]]:
    """:func:`route_network` as ``{node: [neighbours]}``, nodes and neighbours in the same order as
    its ``adjacency()``, built without it: at 100,000 records the ``nx.Graph`` (a dict per node, an
    entry per edge end, a dict per edge) is 29.7 MiB and these lists are 10.7.

    ``nx.Graph`` lists a node's neighbours in the order their edges were first added, walking
    ``graph.edges()``: each node's own out-edges at its turn, and an edge from another node at
    that node's turn. Each neighbour is placed by the earlier of the two.

    >>> g = nx.MultiDiGraph([("b", "a"), ("a", "c"), ("c", "a"), ("a", "b"), ("a", "b"), ("c", "c")])
    >>> route_neighbours(g) == {v: list(a) for v, a in route_network(g).adjacency()}
    True
    """
    keep = [n for n, d in graph.nodes(data=True) if d.get("label") not in NOT_ROUTES]
    turn = {n: i for i, n in enumerate(keep)}
    out: dict[str, list[str]] = {}
    for x in keep:
        placed = {}
        for i, y in enumerate(graph.succ[x]):
            if y in turn and y != x:
                placed[y] = (turn[x], i)
        for y in graph.pred[x]:
            if y in turn and y != x and (y not in placed or turn[y] < turn[x]):
                placed[y] = (turn[y], 0)
        out[x] = sorted(placed, key=placed.__getitem__)
    return out


def cut_off_by(network: nx.Graph, graph: nx.MultiDiGraph, node: str) -> list[str]:
    """Publics that would be cut off from the rest of the system if ``node`` went.

    >>> from graph.stores.base import graph_from_records
    >>> g = graph_from_records(
    ...     [{"id": "p", "label": "Public", "name": "P"}, {"id": "i", "label": "Intermediary", "name": "I"},
    ...      {"id": "t", "label": "Topic", "name": "T"}, {"id": "u", "label": "Topic", "name": "U"}],
    ...     [{"type": "REACHES", "from": "i", "to": "p"}, {"type": "WORKS_ON", "from": "i", "to": "t"},
    ...      {"type": "BROADER", "from": "t", "to": "u"}])
    >>> cut_off_by(route_network(g), g, "i")
    ['p']
    """
    part = nx.node_connected_component(network, node) - {node}
    pieces = sorted((sorted(c) for c in nx.connected_components(network.subgraph(part))),
                    key=lambda c: (-len(c), c[0]))
    return sorted(n for piece in pieces[1:] for n in piece if graph.nodes[n].get("label") == "Public")


def cut_offs(network, graph: nx.MultiDiGraph, nodes) -> dict[str, list[str]]:
    """:func:`cut_off_by` for each articulation point among ``nodes`` (the others are left out),
    all from one depth-first search (linear time) instead of a search of the whole component per
    node. ``network`` is an ``nx.Graph`` or ``{node: [neighbours]}``.

    The pieces left when ``v`` goes are the depth-first subtrees of its children that cannot
    climb above it (``low >= disc[v]``), each a run of the preorder, and, unless ``v`` is the
    root, the rest of its component. As in :func:`cut_off_by` the largest piece (ties: the one
    with the smallest id) is "the rest of the system" and the publics of the others are cut off.

    >>> g = nx.MultiDiGraph()
    >>> for n, label in [("a", "Public"), ("b", "Intermediary"), ("c", "Public"), ("d", "Topic"),
    ...                  ("e", "Intermediary")]:
    ...     g.add_node(n, label=label)
    >>> net = nx.Graph([("a", "b"), ("b", "d"), ("d", "e"), ("e", "c"), ("d", "c")])
    >>> cut_offs(net, g, ["b", "d", "e"]) == {n: cut_off_by(net, g, n) for n in ["b", "d"]}
    True
    >>> cut_offs(net, g, ["b", "d", "e"])
    {'b': ['a'], 'd': ['c']}
    """
    wanted = set(nodes)
    order: list[str] = []              # preorder
    disc: dict[str, int] = {}
    low: dict[str, int] = {}
    size: dict[str, int] = {}
    children: dict[str, list[str]] = {}
    comp_of: dict[str, tuple[int, int]] = {}   # node -> (first, last+1) preorder range of its component
    roots: set[str] = set()
    for root in sorted(network, key=str):
        if root in disc:
            continue
        start = len(order)
        roots.add(root)
        disc[root] = low[root] = len(order)
        order.append(root)
        children[root] = []
        stack = [(root, None, iter(network[root]))]
        while stack:
            v, parent, neighbours = stack[-1]
            advanced = False
            for w in neighbours:
                if w not in disc:
                    disc[w] = low[w] = len(order)
                    order.append(w)
                    children[w] = []
                    children[v].append(w)
                    stack.append((w, v, iter(network[w])))
                    advanced = True
                    break
                if w != parent and disc[w] < low[v]:
                    low[v] = disc[w]
            if advanced:
                continue
            stack.pop()
            size[v] = 1 + sum(size[c] for c in children[v])
            if parent is not None and low[v] < low[parent]:
                low[parent] = low[v]
        for n in order[start:]:
            comp_of[n] = (start, len(order))
    is_public = [graph.nodes[n].get("label") == "Public" for n in order]
    # the smallest id in each subtree, and over preorder prefixes and suffixes (for "the rest")
    sub_min: dict[str, str] = {}
    for v in reversed(order):
        sub_min[v] = min([v, *(sub_min[c] for c in children[v])])
    prefix_min: list[str] = list(order)   # the smallest id from the component's start to here
    suffix_min: list[str] = list(order)   # … from here to the component's end
    for i in range(1, len(order)):
        if comp_of[order[i]][0] < i and prefix_min[i - 1] < prefix_min[i]:
            prefix_min[i] = prefix_min[i - 1]
    for i in range(len(order) - 2, -1, -1):
        if i + 1 < comp_of[order[i]][1] and suffix_min[i + 1] < suffix_min[i]:
            suffix_min[i] = suffix_min[i + 1]

    def publics(ranges) -> list[str]:
        return [order[i] for first, last in ranges for i in range(first, last) if is_public[i]]

    out: dict[str, list[str]] = {}
    for v in order:
        if v not in wanted:
            continue
        separated = [c for c in children[v] if low[c] >= disc[v]]
        if v in roots:
            if len(children[v]) < 2:
                continue
            pieces = [(size[c], sub_min[c], [(disc[c], disc[c] + size[c])]) for c in children[v]]
        else:
            if not separated:
                continue
            first, last = comp_of[v]
            inside = (disc[v], disc[v] + size[v])
            rest_ranges = [(first, inside[0]), (inside[1], last)]
            joined = [c for c in children[v] if low[c] < disc[v]]
            rest_ranges += [(disc[c], disc[c] + size[c]) for c in joined]
            rest_size = (last - first) - size[v] + sum(size[c] for c in joined)
            mins = [sub_min[c] for c in joined]
            if inside[0] > first:
                mins.append(prefix_min[inside[0] - 1])
            if inside[1] < last:
                mins.append(suffix_min[inside[1]])
            pieces = [(size[c], sub_min[c], [(disc[c], disc[c] + size[c])]) for c in separated]
            pieces.append((rest_size, min(mins), rest_ranges))
        pieces.sort(key=lambda p: (-p[0], p[1]))
        out[v] = sorted(publics(r for piece in pieces[1:] for r in piece[2]))
    return out


def sampled_betweenness(network, k: int, seed: int = 0) -> dict[str, float]:
    """``nx.betweenness_centrality(network, k=k, seed=seed)``: the same sampled sources, the same
    sums in the same order and the same normalisation, but over lists of integer positions
    instead of dicts keyed by id, and without building each node's list of predecessors
    (a predecessor is a neighbour one step nearer the source): several times quicker.
    ``network`` is an ``nx.Graph`` or ``{node: [neighbours]}`` in the graph's order.

    >>> net = nx.les_miserables_graph()
    >>> expected = nx.betweenness_centrality(net, k=20, seed=0)
    >>> sampled_betweenness(net, 20) == expected == sampled_betweenness({v: list(a) for v, a in net.adjacency()}, 20)
    True
    """
    import random

    from networkx.algorithms.centrality.betweenness import _rescale

    nodes = list(network)
    n = len(nodes)
    if k >= n:
        return nx.betweenness_centrality(network if isinstance(network, nx.Graph) else nx.Graph(network), k=k, seed=seed)
    index = {node: i for i, node in enumerate(nodes)}
    adjacency = [[index[w] for w in network[v] if w != v] for v in nodes]
    sources = random.Random(seed).sample(nodes, k)  # what networkx's seed draws
    total = [0.0] * n
    for source in sources:
        s = index[source]
        dist, sigma = [-1] * n, [0.0] * n
        dist[s], sigma[s] = 0, 1.0
        order = [s]
        i = 0
        while i < len(order):
            v = order[i]
            i += 1
            step, paths = dist[v] + 1, sigma[v]
            for w in adjacency[v]:
                if dist[w] < 0:
                    dist[w] = step
                    order.append(w)
                    sigma[w] += paths
                elif dist[w] == step:
                    sigma[w] += paths
        delta = [0.0] * n
        for w in reversed(order):
            nearer, coeff = dist[w] - 1, (1 + delta[w]) / sigma[w]
            for v in adjacency[w]:
                if dist[v] == nearer:
                    delta[v] += sigma[v] * coeff
            if w != s:
                total[w] += delta[w]
    raw = {node: total[i] for i, node in enumerate(nodes)}
    return _rescale(raw, n, normalized=True, directed=False, endpoints=False, sampled_nodes=sources)


def brokers(graph: nx.MultiDiGraph, ctx: GapContext) -> list[Finding]:
    """Intermediaries and user groups the system leans on: the highest betweenness, and those whose
    removal would cut a public off (articulation points)."""
    network = route_neighbours(graph)  # all that the sampled betweenness and cut_offs read
    nodes = len(network)
    if nodes < 3:
        return []
    if nodes > ctx.conf("betweenness_sample_above"):
        # estimated from a sample of sources, fewer the larger the graph, so the page stays quick
        edges = sum(map(len, network.values())) // 2
        by_size = ctx.conf("betweenness_work") // max(edges, 1)
        sample = max(20, min(ctx.conf("betweenness_sample"), by_size, nodes))
        between = sampled_betweenness(network, sample, seed=0)
    else:
        between = nx.betweenness_centrality(route_network(graph))
    candidates = [n for n in network if graph.nodes[n].get("label") in ("Intermediary", "UserGroup")]
    top = sorted((n for n in candidates if between[n] > 0), key=lambda n: (-between[n], n))[:ctx.conf("broker_count")]
    cuts = cut_offs(network, graph, candidates)  # only the articulation points among them
    chosen = sorted(set(top) | {n for n, publics in cuts.items() if publics}, key=lambda n: (-between[n], n))
    out = []
    for n in chosen:
        cut = cuts.get(n, [])
        detail = f"Lies on many routes through the system (betweenness {between[n]:.3f})."
        if cut:
            detail += f" Without it, {_names(graph, cut)} would be cut off."
        out.append(_item(graph, n, detail, "Make sure it is not overloaded, keep its contact up to date, "
                         "and build a second route to the publics that depend on it.",
                         betweenness=round(between[n], 4), cuts_off=cut))
    return out


# -- records -----------------------------------------------------------------

def stale_records(graph: nx.MultiDiGraph, ctx: GapContext) -> list[Finding]:
    """Records never checked, or not checked within ``stale_after_days``."""
    after = int(section_of(ctx.settings, "stale_after_days"))
    details: dict = {}  # one string per date, shared by the (often tens of thousands of) records checked then
    out = []
    for n in sorted(graph.nodes, key=lambda n: (graph.nodes[n].get("label", ""), n)):
        record = graph.nodes[n]
        if is_stale(record, ctx.as_of, after):
            verified = record.get("verified")
            if verified not in details:
                details[verified] = f"This record was {f'last checked on {verified}' if verified else 'never checked'}."
            out.append(_item(graph, n, details[verified],
                             "Check it against its source and record today's date as when it was verified.",
                             verified=verified))
    return out


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    explain: str
    find: Callable[[nx.MultiDiGraph, GapContext], list[Finding]]


def wrong_contact_details(graph: nx.MultiDiGraph, ctx: GapContext) -> list[Finding]:
    """Routes people reported as having wrong contact details (open route reports), most reported first."""
    return ctx.wrong_details(graph) if ctx.wrong_details else []


RULES: tuple[Rule, ...] = (
    Rule("wrong_contact_details", "Routes reported to have wrong contact details",
         "People who used these routes said the contact details were wrong.", wrong_contact_details),
    Rule("publics_without_route", "Publics with no route",
         "Publics that no trusted intermediary is recorded as reaching.", publics_without_route),
    Rule("single_route_publics", "Seldom-heard publics with only one route",
         "A single point of failure: if that intermediary goes, so does the route.", single_route_publics),
    Rule("statistics_without_contact", "Statistics with no contact to reach",
         "Signposting from these statistics finds nobody to contact.", statistics_without_contact),
    Rule("referral_loops", "Referral loops",
         "Referrals that send people round in circles.", referral_loops),
    Rule("referral_dead_ends", "Referral dead ends",
         "Referrals to somewhere with no contact route and no onward referral.", referral_dead_ends),
    Rule("topics_without_user_group", "Topics with no user group",
         "No user group covers the topic or a broader topic.", topics_without_user_group),
    Rule("overlapping_user_groups", "User groups that may duplicate each other",
         "Pairs of user groups covering mostly the same topics.", overlapping_user_groups),
    Rule("brokers", "Brokers the system leans on",
         "Intermediaries and user groups on the most routes, or without which a public would be cut off.",
         brokers),
    Rule("over_consulted", "Over-consulted publics",
         "Publics consulted close to or over their capacity, across all producers.", over_consulted),
    Rule("stale_records", "Records not checked recently",
         "Records never checked, or not checked within the period the settings allow.", stale_records),
)


@dataclass
class GapReport:
    as_of: _dt.date
    results: list[tuple[Rule, list[Finding]]]

    def findings(self, key: str) -> list[Finding]:
        """One rule's findings; KeyError when the report has no such rule."""
        for rule, items in self.results:
            if rule.key == key:
                return items
        raise KeyError(key)

    def as_stream(self, only: str | None = None, offset: int = 0, limit: int | None = None) -> dict:
        """:meth:`as_dict` with each rule's items an iterator of dicts, made one at a time as they
        are written out (:func:`graph.jsonstream.json_chunks`): every rule, or just ``only``, each
        from ``offset`` and at most ``limit`` of them. ``counts`` are always the rules' totals.

        >>> report = GapReport(_dt.date(2026, 1, 2), [(RULES[1], [Finding("p", "Public", "P", "d", "c")])])
        >>> out = report.as_stream(offset=1)
        >>> list(out["publics_without_route"]), out["counts"], out["as_of"]
        ([], {'publics_without_route': 1}, '2026-01-02')
        """
        chosen = [(rule, items) for rule, items in self.results if only in (None, rule.key)]
        stop = None if limit is None else offset + limit
        out: dict = {rule.key: (item.as_dict() for item in itertools.islice(items, offset, stop))
                     for rule, items in chosen}
        out["counts"] = {rule.key: len(items) for rule, items in chosen}
        out["as_of"] = self.as_of.isoformat()
        return out

    def as_dict(self) -> dict:
        """``{rule key: [items]}`` for every rule, plus ``as_of`` and ``counts``."""
        return {key: list(value) if key not in ("counts", "as_of") else value
                for key, value in self.as_stream().items()}


def find_gaps(graph: nx.MultiDiGraph, ctx: GapContext, only: str | None = None) -> GapReport:
    """Run every rule (or just ``only``) over the graph.

    >>> import networkx as nx
    >>> report = find_gaps(nx.MultiDiGraph(), GapContext(as_of=_dt.date(2026, 1, 1)))
    >>> sum(report.as_dict()["counts"].values()), len(report.results)
    (0, 11)
    """
    rules = [r for r in RULES if only in (None, r.key)]
    if only and not rules:
        raise ValueError(f"no gap rule '{only}'; rules are: " + ", ".join(r.key for r in RULES))
    return GapReport(ctx.as_of, [(rule, rule.find(graph, ctx)) for rule in rules])
