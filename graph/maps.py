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

from . import model
from .errors import InvalidRecord, NodeNotFound, Problem
from .walk import narrower_topics, producer_and_parts

DEFAULT_MAX_NODES = 2000
DEFAULT_PHYSICS_MAX = 300
MAX_DEPTH = 4
# Seed filters: the query field, and the label its record must have (None: any).
SEED_FILTERS = (("focus", None), ("topic", "Topic"), ("public", "Public"), ("producer", "Producer"))


@dataclass(frozen=True)
class MapFilters:
    """What a coordinator asked to see. Empty: the whole registry.

    >>> MapFilters(labels=("Public", "Topic")).key()
    (None, None, None, None, ('Public', 'Topic'), (), None)
    """

    focus: str | None = None
    topic: str | None = None
    public: str | None = None
    producer: str | None = None
    labels: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    depth: int | None = None

    def key(self) -> tuple:
        return (self.focus, self.topic, self.public, self.producer, tuple(sorted(self.labels)),
                tuple(sorted(self.types)), self.depth)

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
        return out


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


@dataclass
class MapEdge:
    type: str
    source: str
    target: str
    strength: float | None = None

    def as_dict(self) -> dict:
        return {"type": self.type, "from": self.source, "to": self.target, "strength": self.strength}


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

    def as_dict(self) -> dict:
        """The API's form: ``{"nodes", "edges", "total", "truncated", "message", "physics", "filters"}``."""
        return {"nodes": [asdict(n) for n in self.nodes], "edges": [e.as_dict() for e in self.edges],
                "total": self.total, "truncated": self.truncated, "message": self.message,
                "physics": self.physics, "filters": self.filters.as_query(), "revision": self.revision}


def parse_filters(args: dict, settings: dict | None = None) -> MapFilters:
    """Filters from query arguments (strings), refusing bad values with the field named.

    >>> parse_filters({"labels": "Public, Topic", "depth": "2"}).labels
    ('Public', 'Topic')
    >>> parse_filters({"labels": "Planet"})
    Traceback (most recent call last):
    ...
    graph.errors.InvalidRecord: map filters: labels: 'Planet' is not a kind of record; use any of: Producer, Statistic, Topic, Public, Intermediary, UserGroup, Engagement, Need
    """
    max_depth = int(((settings or {}).get("map") or {}).get("max_depth", MAX_DEPTH))
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
               layout: Callable[[nx.Graph], dict] | None = None) -> MapView:
    """The records and relationships the filters choose, bounded, with burden and positions.

    ``burden(node_id, label)`` gives a public's or intermediary's load as
    ``{"status", "ratio", …}`` (None: not known); ``layout(view_graph)`` gives
    positions ``{id: (x, y)}`` when the view is too large for live physics
    (default :func:`default_layout`; the app passes a cached one).
    """
    map_settings = settings.get("map") or {}
    max_nodes = int(map_settings.get("max_nodes", DEFAULT_MAX_NODES))
    physics_max = int(map_settings.get("physics_max_nodes", DEFAULT_PHYSICS_MAX))
    types = set(filters.types)
    labels = set(filters.labels)
    seeds = _seeds(graph, filters)
    if filters.seeded:
        depth = 1 if filters.depth is None else filters.depth
        dist = _distances(graph, seeds, depth, types)
    else:
        dist = {n: 0 for n in graph.nodes}
    seed_set = set(seeds)
    chosen = [n for n in dist if n in seed_set or not labels or graph.nodes[n].get("label") in labels]
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
            burden=burden(node_id, label) if burden and label in ("Public", "Intermediary") else None,
            contact=record.get("contact") if isinstance(record.get("contact"), dict) else None))
    physics = len(nodes) <= physics_max
    if not physics:
        view_graph = nx.Graph()
        view_graph.add_nodes_from(n.id for n in nodes)
        view_graph.add_edges_from((e.source, e.target) for e in edges)
        positions = (layout or default_layout)(view_graph)
        for n in nodes:
            n.x, n.y = positions[n.id]
    return MapView(filters, nodes, edges, total, truncated, message, physics, graph.graph.get("revision"))


def default_layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Positions for a view too large for live physics: :func:`radial_layout`, which never
    overlaps two records (a spring layout crowds the hubs so that clicks land on the wrong one).

    >>> pos = default_layout(nx.path_graph(["a", "b", "c"]))
    >>> sorted(pos), all(len(p) == 2 for p in pos.values())
    (['a', 'b', 'c'], True)
    """
    return radial_layout(graph)


def radial_layout(graph: nx.Graph, ring: float = 160.0, spacing: float = 60.0) -> dict[str, tuple[float, float]]:
    """Positions without physics: each connected part as rings around its best-connected record.

    Breadth-first from that record, each record placed within the angle its parent
    was given, in proportion to how many records hang below it, so branches do
    not cross; ring radius grows so neighbours on a ring are ``spacing`` apart.
    Parts sit side by side, largest first. Linear in the size of the graph
    (numpy-free, so it runs wherever networkx does).

    >>> g = nx.Graph([("a", "b"), ("a", "c"), ("x", "y")])
    >>> pos = radial_layout(g)
    >>> pos["a"] == (0.0, 0.0), sorted(pos) == ["a", "b", "c", "x", "y"]
    (True, True)
    >>> len(set(pos.values())) == 5
    True
    """
    positions: dict[str, tuple[float, float]] = {}
    parts = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    cursor_x = 0.0
    row_y, row_height = 0.0, 0.0
    max_row = 4000.0
    for part in parts:
        root = max(part, key=lambda n: (graph.degree(n), n))
        tree = nx.bfs_tree(graph, root, sort_neighbors=sorted)
        below: dict[str, int] = {}
        for node in reversed(list(nx.topological_sort(tree))):
            below[node] = 1 + sum(below[c] for c in tree.successors(node))
        level = nx.single_source_shortest_path_length(tree, root)
        per_level: dict[int, int] = {}
        for d in level.values():
            per_level[d] = per_level.get(d, 0) + 1
        radius = {0: 0.0}
        for d in sorted(per_level)[1:]:
            radius[d] = max(radius[d - 1] + ring, per_level[d] * spacing / (2 * math.pi))
        angle = {root: (0.0, 2 * math.pi)}
        local = {root: (0.0, 0.0)}
        for node in nx.topological_sort(tree):
            start, width = angle[node]
            children = sorted(tree.successors(node))
            total = sum(below[c] for c in children) or 1
            for child in children:
                share = width * below[child] / total
                angle[child] = (start, share)
                mid = start + share / 2
                r = radius[level[child]]
                local[child] = (r * math.cos(mid), r * math.sin(mid))
                start += share
        extent = max(radius.values()) + spacing
        if cursor_x and cursor_x + 2 * extent > max_row:
            row_y += row_height
            cursor_x, row_height = 0.0, 0.0
        cx, cy = cursor_x + extent, row_y + extent
        if not positions:
            cx, cy = 0.0, 0.0  # the largest part is centred on the origin
            cursor_x, row_y = -extent, -extent
        for node, (x, y) in local.items():
            positions[node] = (round(cx + x, 1), round(cy + y, 1))
        cursor_x += 2 * extent
        row_height = max(row_height, 2 * extent)
    return positions


class LayoutCache:
    """Positions computed once per (registry revision, filters): rebuilt only after a write.

    >>> calls = []
    >>> cache = LayoutCache(size=2, compute=lambda g: calls.append(1) or {"a": (0.0, 0.0)})
    >>> g = nx.Graph(); g.add_node("a")
    >>> cache.layout_for(1, ("k",))(g) == cache.layout_for(1, ("k",))(g), len(calls)
    (True, 1)
    """

    def __init__(self, size: int = 32, compute: Callable[[nx.Graph], dict] | None = None):
        self.size = size
        self.compute = compute or default_layout
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple, dict] = OrderedDict()

    def layout_for(self, revision, filters_key: Iterable) -> Callable[[nx.Graph], dict]:
        key = (revision, tuple(filters_key))

        def layout(view_graph: nx.Graph) -> dict:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
            positions = self.compute(view_graph)
            with self._lock:
                self._items[key] = positions
                while len(self._items) > self.size:
                    self._items.popitem(last=False)
            return positions
        return layout
