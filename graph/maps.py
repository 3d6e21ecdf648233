"""Pathway maps: a view of the registry chosen by filters, bounded, with positions for large views.

A view starts from the records chosen (a focus record, a topic with its narrower
topics, a public, a producer with its teams) and takes everything within
``depth`` steps of them, following only the relationship types asked for. With
nothing chosen it is the whole registry. Labels asked for narrow what is shown
(the chosen records themselves always stay). A view never holds more than
``settings["map"]["max_nodes"]`` records: the chosen records come first, then the
nearest, then the best connected, and the view says it was cut and how to narrow it.

>>> from graph.stores.base import graph_from_records
>>> g = graph_from_records(
...     [{"id": "t", "label": "Topic", "name": "Health"}, {"id": "t2", "label": "Topic", "name": "Mental health"},
...      {"id": "s", "label": "Statistic", "name": "Wellbeing"}, {"id": "p", "label": "Producer", "name": "ONS"}],
...     [{"type": "BROADER", "from": "t2", "to": "t"}, {"type": "ABOUT", "from": "s", "to": "t2"},
...      {"type": "PRODUCES", "from": "p", "to": "s"}])
>>> v = build_view(g, MapFilters(topic="t"), {"map": {"max_nodes": 10, "physics_max_nodes": 5}})
>>> sorted(n.id for n in v.nodes), v.truncated
(['s', 't', 't2'], False)
>>> v = build_view(g, MapFilters(), {"map": {"max_nodes": 2, "physics_max_nodes": 5}})
>>> len(v.nodes), v.total, v.truncated
(2, 4, True)
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict, deque
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable

import networkx as nx

from . import layouts, model
from .errors import InvalidRecord, NodeNotFound, Problem
from .settings import section_of
from .walk import narrower_topics, producer_and_parts

BURDEN_STATUSES = ("ok", "high", "over", "unknown")
# The map writes a public's burden status under its name, at most this wide ("(burden not known)").
PUBLIC_CAPTION_ROOM = "(burden not known)"
LAYOUTS = ("pathway", "clusters", "bands")
MAX_EXPANDED = 50

# Seed filters: the query field, and the label its record must have (None: any).
SEED_FILTERS = (("focus", None), ("topic", "Topic"), ("public", "Public"), ("producer", "Producer"))


@dataclass(frozen=True)
class MapFilters:
    """What a coordinator asked to see. Empty: the whole registry.

    >>> MapFilters(labels=("Public", "Topic")).key()
    (None, None, None, None, ('Public', 'Topic'), (), None, None, (), (), None)
    """

    focus: str | None = None
    topic: str | None = None
    public: str | None = None
    producer: str | None = None
    labels: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    depth: int | None = None
    nation: str | None = None  # records whose nations leave this one out are not shown
    burden: tuple[str, ...] = ()  # publics and intermediaries with these burden statuses only
    expand: tuple[str, ...] = ()  # records whose neighbours are added to the view
    layout: str | None = None  # None: pathway when a record is chosen, else clusters; "bands": the old bands

    def key(self) -> tuple:
        return (self.focus, self.topic, self.public, self.producer, tuple(sorted(self.labels)),
                tuple(sorted(self.types)), self.depth, self.nation, tuple(sorted(self.burden)),
                tuple(sorted(self.expand)), self.layout)

    @property
    def seeded(self) -> bool:
        return any(getattr(self, name) for name, _ in SEED_FILTERS)

    def as_query(self) -> dict:
        """The filters as query arguments (for links that repeat this view).

        >>> MapFilters(topic="health", labels=("Public",), depth=2).as_query()
        {'topic': 'health', 'labels': 'Public', 'depth': 2}
        """
        out: dict = {name: getattr(self, name) for name, _ in SEED_FILTERS if getattr(self, name)}
        if self.labels:
            out["labels"] = ",".join(self.labels)
        if self.types:
            out["types"] = ",".join(self.types)
        if self.depth is not None:
            out["depth"] = self.depth
        if self.nation:
            out["nation"] = self.nation
        for name in ("burden", "expand"):
            if getattr(self, name):
                out[name] = ",".join(getattr(self, name))
        if self.layout:
            out["layout"] = self.layout
        return out

    @property
    def layout_kind(self) -> str:
        """"pathway" for a view around chosen records, "clusters" for the whole system, or "bands"."""
        return self.layout or ("pathway" if self.seeded else "clusters")


@dataclass
class MapNode:
    id: str
    label: str
    name: str
    kind: str | None
    importance: int  # relationships the record has in the whole registry
    size: float
    burden: dict | None = None  # publics and intermediaries: {"status", "ratio", "units", "capacity"}
    contact: dict | None = None
    x: float | None = None
    y: float | None = None
    lines: list[str] | None = None  # the label as the map draws it (graph.layouts.wrap_label)
    cluster: str | None = None  # the cluster it is drawn in (whole-system view)


@dataclass
class MapEdge:
    type: str
    source: str
    target: str
    strength: float | None = None
    bundle: int | None = None  # pathway view: the bundle it is drawn in (MapView.bundles), if any

    def as_dict(self) -> dict:
        return {"type": self.type, "from": self.source, "to": self.target, "strength": self.strength,
                "bundle": self.bundle}


@dataclass
class MapView:
    filters: MapFilters
    nodes: list[MapNode]
    edges: list[MapEdge]
    total: int  # records the filters matched before the bound
    truncated: bool
    message: str | None
    physics: bool  # False: positions are precomputed (x, y on every node)
    revision: int | None = None
    notes: list[str] = field(default_factory=list)
    layout: str = "pathway"  # pathway | clusters | bands
    clusters: list[dict] = field(default_factory=list)  # {"id", "name", "count", "x", "y", "radius"}
    collapsed: bool = False  # the map opens with its clusters closed (a large system)
    bundles: list[list[float]] = field(default_factory=list)  # [x, y]: the middle each bundle's lines pass through

    def as_dict(self) -> dict:
        """The API's form: ``{"nodes", "edges", "total", "truncated", "message", "physics", "filters",
        "layout", "clusters", "collapsed", "bundles"}``."""
        return {"nodes": [asdict(n) for n in self.nodes], "edges": [e.as_dict() for e in self.edges],
                "total": self.total, "truncated": self.truncated, "message": self.message,
                "physics": self.physics, "filters": self.filters.as_query(), "revision": self.revision,
                "layout": self.layout, "clusters": self.clusters, "collapsed": self.collapsed,
                "bundles": self.bundles}


def parse_filters(args: dict, settings: dict | None = None) -> MapFilters:
    """Filters from query arguments (strings), refusing bad values with the field named.

    >>> parse_filters({"labels": "Public, Topic", "depth": "2"}).labels
    ('Public', 'Topic')
    >>> parse_filters({"labels": "Planet"})
    Traceback (most recent call last):
    ...
    graph.errors.InvalidRecord: map filters: labels: 'Planet' is not a kind of record; use any of: Producer, Statistic, Topic, Public, Intermediary, UserGroup, Engagement, Need
    """
    max_depth = int(section_of(settings, "map")["max_depth"])
    problems: list[Problem] = []
    values: dict = {}
    for name, _label in SEED_FILTERS:
        value = (args.get(name) or "").strip()
        if value and not model.ID_PATTERN.fullmatch(value):
            problems.append(Problem("map filters", name, f"'{value[:100]}' is not a record id"))
        values[name] = value or None
    for name, allowed in (("labels", model.LABELS), ("types", model.RELATIONSHIPS)):
        raw = args.get(name) or ""
        items = raw if isinstance(raw, (list, tuple)) else raw.split(",")
        chosen = tuple(dict.fromkeys(i.strip() for i in items if i and i.strip()))
        for item in chosen:
            if item not in allowed:
                word = "kind of record" if name == "labels" else "relationship type"
                problems.append(Problem("map filters", name, f"'{item[:100]}' is not a {word}; use any of: "
                                        + ", ".join(allowed)))
        values[name] = chosen
    for name, allowed, word in (("burden", BURDEN_STATUSES, "burden status"),):
        raw = args.get(name) or ""
        chosen = tuple(dict.fromkeys(i.strip() for i in raw.split(",") if i.strip()))
        for item in chosen:
            if item not in allowed:
                problems.append(Problem("map filters", name, f"'{item[:100]}' is not a {word}; use any of: "
                                        + ", ".join(allowed)))
        values[name] = chosen
    raw = args.get("expand") or ""
    expand = tuple(dict.fromkeys(i.strip() for i in raw.split(",") if i.strip()))
    for item in expand:
        if not model.ID_PATTERN.fullmatch(item):
            problems.append(Problem("map filters", "expand", f"'{item[:100]}' is not a record id"))
    if len(expand) > MAX_EXPANDED:
        problems.append(Problem("map filters", "expand", f"at most {MAX_EXPANDED} records can be expanded"))
    values["expand"] = expand
    nation = (args.get("nation") or "").strip() or None
    if nation and nation not in model.NATIONS:
        problems.append(Problem("map filters", "nation", f"'{nation[:100]}' is not a nation; use any of: "
                                + ", ".join(model.NATIONS)))
    values["nation"] = nation
    layout = (args.get("layout") or "").strip() or None
    if layout and layout not in LAYOUTS:
        problems.append(Problem("map filters", "layout", f"'{layout[:100]}' is not a layout; use any of: "
                                + ", ".join(LAYOUTS)))
    values["layout"] = layout
    depth = args.get("depth")
    values["depth"] = None
    if depth not in (None, ""):
        try:
            values["depth"] = int(depth)
            if not 0 <= values["depth"] <= max_depth:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(Problem("map filters", "depth", f"must be a whole number from 0 to {max_depth}"))
    if problems:
        raise InvalidRecord(problems)
    return MapFilters(**values)


def _seeds(graph: nx.MultiDiGraph, filters: MapFilters) -> list[str]:
    problems: list[Problem] = []
    seeds: dict[str, None] = {}
    for name, label in SEED_FILTERS:
        node_id = getattr(filters, name)
        if not node_id:
            continue
        if node_id not in graph:
            raise NodeNotFound(node_id)
        actual = graph.nodes[node_id].get("label")
        if label and actual != label:
            problems.append(Problem("map filters", name, f"'{node_id}' is a {actual}, not a {label}"))
            continue
        group = narrower_topics(graph, node_id) if name == "topic" else \
            producer_and_parts(graph, node_id) if name == "producer" else {node_id}
        seeds.update(dict.fromkeys(sorted(group)))
    if problems:
        raise InvalidRecord(problems)
    return list(seeds)


def _distances(graph: nx.MultiDiGraph, seeds: list[str], depth: int, types: set[str]) -> dict[str, int]:
    """Steps from the nearest seed, either direction, following ``types`` only when given."""
    dist = {s: 0 for s in seeds}
    queue = deque(seeds)
    while queue:
        current = queue.popleft()
        if dist[current] >= depth:
            continue
        for edges in (graph.out_edges(current, keys=True), graph.in_edges(current, keys=True)):
            for src, dst, key in edges:
                if types and key not in types:
                    continue
                other = dst if src == current else src
                if other not in dist:
                    dist[other] = dist[current] + 1
                    queue.append(other)
    return dist


def node_size(importance: int) -> float:
    """A node's drawn size from how many relationships it has: 10 for none, growing slowly, at most 50.

    >>> node_size(0), node_size(4), node_size(10_000)
    (10.0, 20.0, 50.0)
    """
    return float(min(50.0, 10.0 + 5.0 * math.sqrt(importance)))


def build_view(graph: nx.MultiDiGraph, filters: MapFilters, settings: dict,
               burden: Callable[[str, str], dict | None] | None = None,
               layout: Callable[[nx.Graph], object] | None = None) -> MapView:
    """The records and relationships the filters choose, bounded, with burden and positions.

    ``burden(node_id, label)`` gives a public's or intermediary's load as
    ``{"status", "ratio", …}`` (None: not known); ``layout(view_graph)`` gives the
    positions (default :func:`default_layout` for the filters' layout; the app passes a
    cached one): a :class:`graph.layouts` result or plain ``{id: (x, y)}``. Every view has
    positions, so nothing moves once drawn (``physics`` is always false).
    """
    map_settings = section_of(settings, "map")
    max_nodes = int(map_settings["max_nodes"])
    types = set(filters.types)
    labels = set(filters.labels)
    seeds = _seeds(graph, filters)
    if filters.seeded:
        depth = 1 if filters.depth is None else filters.depth
        dist = _distances(graph, seeds, depth, types)
    else:
        dist = {n: 0 for n in graph.nodes}
    for node_id in filters.expand:
        if node_id not in graph:
            raise NodeNotFound(node_id)
        step = dist.get(node_id, 0) + 1
        dist.setdefault(node_id, step - 1)
        for other in _distances(graph, [node_id], 1, types):
            dist.setdefault(other, step)
    seed_set = set(seeds) | set(filters.expand)
    loads: dict = {}

    def load(n):
        if n not in loads:
            label = graph.nodes[n].get("label")
            loads[n] = burden(n, label) if burden and label in ("Public", "Intermediary") else None
        return loads[n]

    def shown(n) -> bool:
        if n in seed_set:
            return True
        record = graph.nodes[n]
        if labels and record.get("label") not in labels:
            return False
        nations = record.get("nations")
        if filters.nation and isinstance(nations, list) and nations and filters.nation not in nations:
            return False
        if filters.burden and record.get("label") in ("Public", "Intermediary"):
            return ((load(n) or {}).get("status") or "unknown") in filters.burden
        return True
    chosen = [n for n in dist if shown(n)]
    degree = {n: graph.degree(n) for n in chosen}
    chosen.sort(key=lambda n: (n not in seed_set, dist[n], -degree[n], n))
    total = len(chosen)
    kept = chosen[:max_nodes]
    truncated = total > len(kept)
    message = None
    if truncated:
        message = (f"This view matches {total} records, more than the {max_nodes} a map can show, so it shows the "
                   f"{len(kept)} {'nearest and ' if filters.seeded else ''}best connected. To see the rest, narrow "
                   "it: choose a record to focus on, a topic, a public or a producer, fewer kinds of record, "
                   "fewer relationship types or a smaller depth.")
    kept_set = set(kept)
    edges = [MapEdge(key, u, v, data.get("strength", model.EDGE_DEFAULTS.get(key, {}).get("strength"))
                     if key == "REACHES" else None)
             for u in kept for _u, v, key, data in graph.out_edges(u, keys=True, data=True)
             if v in kept_set and (not types or key in types)]
    nodes = []
    for node_id in kept:
        record = graph.nodes[node_id]
        label = record.get("label", "")
        nodes.append(MapNode(
            id=node_id, label=label, name=record.get("name", node_id),
            kind=record.get("kind") or record.get("status") or record.get("method"),
            importance=degree[node_id], size=node_size(degree[node_id]),
            burden=load(node_id), contact=record.get("contact") if isinstance(record.get("contact"), dict) else None))
    view_graph = nx.Graph()
    view_graph.add_nodes_from((n.id, {"label": n.label, "name": n.name, "radius": drawn_radius(n.size),
                                      "importance": n.importance,
                                      "reserve": [PUBLIC_CAPTION_ROOM] if n.label == "Public" else []})
                              for n in nodes)
    view_graph.add_edges_from((e.source, e.target) for e in edges)
    kind = filters.layout_kind
    result = (layout or (lambda g: default_layout(g, kind)))(view_graph)
    placed = result.positions if isinstance(result, Layout) else result
    for n in nodes:
        point = placed[n.id]
        if isinstance(point, layouts.Placed):
            n.x, n.y, n.lines = point.x, point.y, point.lines
        else:
            n.x, n.y = point
            n.lines = layouts.wrap_label(n.name)
    clusters = []
    if isinstance(result, Layout) and result.clusters:
        cluster_of = {m: c.id for c in result.clusters for m in c.members}
        for n in nodes:
            n.cluster = cluster_of.get(n.id)
        clusters = [c.as_dict() for c in result.clusters]
    bundle_points = []
    if isinstance(result, Layout) and result.bundles and result.bundles.points:
        for e in edges:
            e.bundle = result.bundles.bundle(e.source, e.target)
        bundle_points = [[x, y] for x, y in result.bundles.points]
    collapse_above = int(map_settings["collapse_above"])
    return MapView(filters, nodes, edges, total, truncated, message, False, graph.graph.get("revision"),
                   layout=kind, clusters=clusters, collapsed=bool(clusters) and len(nodes) > collapse_above,
                   bundles=bundle_points)


@dataclass
class Layout:
    """A view's positions (``{id: graph.layouts.Placed}``) and, for the whole system, its clusters;
    for a pathway view, the lines drawn in bundles."""

    positions: dict
    clusters: list = field(default_factory=list)
    bundles: layouts.Bundles | None = None


def default_layout(graph: nx.Graph, kind: str = "clusters", groups: list[list] | None = None) -> Layout:
    """Positions for a view: :func:`graph.layouts.pathway_layout` ("pathway"),
    :func:`graph.layouts.cluster_layout` ("clusters") or :func:`layered_layout` ("bands",
    the map's earlier layout, kept to compare against). ``groups``: communities found beforehand
    for the clusters (see :func:`graph.layouts.restrict`).

    >>> result = default_layout(nx.path_graph(["a", "b", "c"]), "pathway")
    >>> sorted(result.positions), result.clusters
    (['a', 'b', 'c'], [])
    >>> len(default_layout(nx.path_graph(["a", "b", "c"])).clusters)
    1
    """
    if kind == "pathway":
        positions = layouts.pathway_layout(graph)
        points = {n: (p.x, p.y) for n, p in positions.items()}
        return Layout(positions, bundles=layouts.bundle_edges(points, graph.edges()))
    if kind == "bands":
        return Layout({n: layouts.Placed(x, y, layouts.wrap_label(graph.nodes[n].get("name") or str(n)))
                       for n, (x, y) in layered_layout(graph).items()})
    positions, clusters = layouts.cluster_layout(graph, groups)
    return Layout(positions, clusters)


def drawn_radius(size: float) -> float:
    """The radius a record is drawn with on the map (vis-network's ``size``) for its :func:`node_size`.

    >>> drawn_radius(node_size(0)), drawn_radius(node_size(10_000))
    (11.0, 31.0)
    """
    return round(size / 2 + 6, 1)


# Bands of the layered layout, top to bottom: who produces, what, about what, who uses and who
# carries it to which publics, then the engagements and needs that involve them.
LAYERS = ("Producer", "Statistic", "Topic", "UserGroup", "Intermediary", "Public", "Engagement", "Need")


def layered_layout(graph: nx.Graph, gap: float = 14.0, aspect: float = 2.0,
                   sweeps: int = 6) -> dict[str, tuple[float, float]]:
    """Positions without physics: one band per kind of record, never two records overlapping.

    Bands run top to bottom in the order of :data:`LAYERS` (producers, statistics,
    topics, user groups, intermediaries, publics, engagements, needs; any other
    kind last). Every band has the same width; a band with more records than fit
    on one row fills columns of a grid, so records are never nearer than one cell
    (twice the largest radius plus ``gap``), whatever their size: node attribute
    ``radius`` (default 10); ``label`` chooses the band. Within a band records are
    ordered by the mean position of what they are linked to (barycentre sweeps,
    down and up), so a public sits below the intermediaries that reach it and
    lines run mostly downwards instead of across. Deterministic (ties by id) and
    linear in the size of the view for each sweep; pure Python.

    >>> g = nx.Graph([("ons", "wellbeing"), ("wellbeing", "carers"), ("carers-uk", "carers")])
    >>> nx.set_node_attributes(g, {"ons": "Producer", "wellbeing": "Statistic", "carers": "Public",
    ...                            "carers-uk": "Intermediary"}, "label")
    >>> pos = layered_layout(g)
    >>> [n for n in sorted(pos, key=lambda n: pos[n][1])]
    ['ons', 'wellbeing', 'carers-uk', 'carers']
    >>> overlaps(pos, {n: 10.0 for n in g}), pos == layered_layout(g)
    ([], True)
    """
    if not len(graph):
        return {}
    radius = {n: float(graph.nodes[n].get("radius") or 10.0) for n in graph.nodes}
    cell = 2 * max(radius.values()) + gap
    columns = max(1, math.ceil(math.sqrt(len(graph) * aspect)))
    width = columns * cell
    rank = {label: i for i, label in enumerate(LAYERS)}
    bands: dict[int, list[str]] = {}
    for n in graph.nodes:
        bands.setdefault(rank.get(graph.nodes[n].get("label"), len(LAYERS)), []).append(n)
    order = [sorted(bands[b], key=lambda n: (-graph.degree(n), str(n))) for b in sorted(bands)]
    shape = []  # (rows, x spacing, top y) for each band
    top = 0.0
    for members in order:
        rows = math.ceil(len(members) / columns)
        used = math.ceil(len(members) / rows)
        shape.append((rows, width / used, top))
        top += rows * cell + 2 * cell
    x: dict = {}

    def place(i: int) -> None:
        rows, spacing, _ = shape[i]
        for k, n in enumerate(order[i]):
            x[n] = (k // rows + 0.5) * spacing

    for i in range(len(order)):
        place(i)
    neighbours = {n: sorted(graph.neighbors(n), key=str) for n in graph.nodes}  # sums in one order
    for sweep in range(sweeps):
        for i in (range(len(order)) if sweep % 2 == 0 else reversed(range(len(order)))):
            def barycentre(n):
                near = neighbours[n]
                return (sum(x[m] for m in near) / len(near) if near else x[n], str(n))
            order[i].sort(key=barycentre)
            place(i)
    positions = {}
    for i, members in enumerate(order):
        rows, _spacing, band_top = shape[i]
        for k, n in enumerate(members):
            positions[n] = (round(x[n] - width / 2, 1), round(band_top + (k % rows) * cell, 1))
    return positions


def overlaps(positions: dict, radii: dict) -> list[tuple]:
    """Pairs of records drawn nearer than the sum of their radii (touching or overlapping).

    A grid of cells as wide as the largest pair of radii, so only neighbouring cells
    are compared: linear in the number of records.

    >>> overlaps({"a": (0, 0), "b": (15, 0), "c": (100, 0)}, {"a": 10, "b": 10, "c": 10})
    [('a', 'b')]
    >>> overlaps({"a": (0, 0), "b": (20.5, 0)}, {"a": 10, "b": 10})
    []
    """
    if not positions:
        return []
    size = 2 * max(radii[n] for n in positions) or 1.0
    grid: dict[tuple[int, int], list] = {}
    for n, (px, py) in positions.items():
        grid.setdefault((math.floor(px / size), math.floor(py / size)), []).append(n)
    found = []
    for (cx, cy), members in grid.items():
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for a in members:
                    for b in grid.get((cx + dx, cy + dy), ()):
                        if str(a) < str(b) and math.dist(positions[a], positions[b]) < radii[a] + radii[b]:
                            found.append((a, b))
    return sorted(set(found), key=str)


class LRUCache:
    """A small thread-safe cache of the most recently used values, for per-revision work.

    >>> cache = LRUCache(size=2)
    >>> cache.get("a", lambda: 1), cache.get("a", lambda: 2), cache.get("b", lambda: 3)
    (1, 1, 3)
    >>> _ = cache.get("c", lambda: 4); cache.get("a", lambda: 5)  # "a" was the oldest: dropped
    5
    """

    def __init__(self, size: int = 32):
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict = OrderedDict()

    def get(self, key, compute: Callable[[], object]):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()  # outside the lock: two first requests may both compute; either result is right
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


class LayoutCache:
    """Positions computed once per (registry revision, filters): rebuilt only after a write.

    >>> calls = []
    >>> cache = LayoutCache(size=2, compute=lambda g: calls.append(1) or {"a": (0.0, 0.0)})
    >>> g = nx.Graph(); g.add_node("a")
    >>> cache.layout_for(1, ("k",))(g) == cache.layout_for(1, ("k",))(g), len(calls)
    (True, 1)
    """

    def __init__(self, size: int = 32, compute: Callable[[nx.Graph], dict] | None = None):
        self.compute = compute or default_layout
        self._cache = LRUCache(size)

    def layout_for(self, revision, filters_key: Iterable) -> Callable[[nx.Graph], object]:
        key = (revision, tuple(filters_key))
        return lambda view_graph: self._cache.get(key, lambda: self.compute(view_graph))
