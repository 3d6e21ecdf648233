"""One read model per process: the whole registry in memory, kept current from the store's change log.

Every page and answer reads the registry as a networkx graph. Rebuilding that graph after each
write costs seconds at 100k records, and reading small pieces of it from the store costs a round
trip each; instead the graph is loaded once and then each committed change is replayed onto it
(:func:`advance`), in proportion to the change, not to the registry. The store keeps what each
revision did (:func:`graph.stores.base.log_entry`), so several processes on one store each catch
up at their next read, and a process that made the write takes it at once.

Readers never wait for a writer and never see a half-applied change: a :class:`Snapshot` is never
modified after it is made. Advancing copies those of the three outer dictionaries of the graph (node
-> record, node -> successors, node -> predecessors; a few milliseconds each at 100k records) that a
change writes to, and only the inner dictionaries of the records it touches, so the snapshot a
request holds stays as it was.
For the same reason relationship attributes are shared (every property-less ``REACHES`` is the same
``{"type": "REACHES"}``, and so is every unsourced one with the same properties) and short strings
are interned (:func:`shared`): the graph is read-only, and frozen so a caller cannot change it by
mistake. What a load or a change makes is kept out of the garbage collector's sight
(:func:`settled`, :func:`out_of_sight`).

Answers derived from the whole registry (the search index, today's burden index, the gap report,
map views) belong to a snapshot: :meth:`Snapshot.value` computes each once, lazily, and a value with
an ``update`` function is carried to the next snapshot and updated from what changed (a
:class:`Delta`) instead of being rebuilt.
"""
from __future__ import annotations

import bisect
import gc
import itertools
import logging
import sys
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Callable, Hashable, Iterable, TypeVar

import networkx as nx

from . import model

Triple = tuple[str, str, str]
T = TypeVar("T")
_log = logging.getLogger(__name__)
_PLAIN: dict[str, dict] = {}
_SINGLE: dict[str, dict] = {}


def _plain(type_: str) -> dict:
    """The one attribute dictionary shared by every property-less relationship of a type."""
    attrs = _PLAIN.get(type_)
    if attrs is None:
        attrs = _PLAIN.setdefault(type_, {"type": type_})
    return attrs


def _single(type_: str) -> dict:
    """The one key dictionary shared by every pair joined only by a property-less ``type_``."""
    keys = _SINGLE.get(type_)
    if keys is None:
        keys = _SINGLE.setdefault(type_, {type_: _plain(type_)})
    return keys


SHARED_MAX = 200  # strings up to this long are kept once (ids, dates, sources, property names)


def shared(value):
    """``value`` with its short strings (and every dictionary key) the one interned copy.

    Records read from a store are parsed afresh: at 100,000 records the same property names,
    dates, sources and ids were held about 3.3 million times over, 189 MiB of the read model's
    memory. Long texts (descriptions) are rarely repeated and are left as they are.

    >>> a, b = shared({"verified": "2026-11-01", "tags": ["x" * 3]}), shared({"verified": "-".join(["2026", "11", "01"])})
    >>> a["verified"] is b["verified"], a["tags"] == ["xxx"]
    (True, True)
    """
    if type(value) is str:
        return sys.intern(value) if len(value) <= SHARED_MAX else value
    if type(value) is dict:
        return {sys.intern(k) if type(k) is str else k: shared(v) for k, v in value.items()}
    if type(value) is list:
        return [shared(v) for v in value]
    return value


_COMMON: dict[tuple, dict] = {}


def _common(type_: str, props: dict) -> dict | None:
    """The one key dictionary shared by every pair joined only by a ``type_`` with these unsourced
    properties (a statistic DESCRIBES a public with role "about", an engagement INVOLVED 100
    participants), or None for properties that cite a source (those are seldom the same twice,
    so keeping them here would cost more than it saves).

    >>> _common("DESCRIBES", {"role": "about"}) is _common("DESCRIBES", {"role": "about"}), _common("REACHES", {"source": "s"})
    (True, None)
    """
    if "source" in props:
        return None
    try:
        key = (type_, *sorted(props.items()))
        keys = _COMMON.get(key)
    except TypeError:  # a list or dict among the values
        return None
    if keys is None:
        keys = _COMMON.setdefault(key, {type_: {"type": type_, **props}})
    return keys


def _key_dict(current: dict | None, type_: str, props: dict) -> dict:
    """A new key dictionary for a pair: ``current`` (never changed) with ``type_`` set."""
    if not current:
        found = _single(type_) if not props else _common(type_, props)
        if found is not None:
            return found
    return {**(current or {}), type_: {"type": type_, **props} if props else _plain(type_)}


def _summed(counts: Mapping[str, int], steps: Mapping[str, int]) -> dict[str, int]:
    """``counts`` moved by ``steps`` (each key of either kept).

    >>> _summed({"a": 2, "b": 1}, {"b": -1, "c": 3})
    {'a': 2, 'b': 0, 'c': 3}
    """
    out = dict(counts)
    for key, step in steps.items():
        out[key] = out.get(key, 0) + step
    return out


@dataclass(frozen=True)
class Delta:
    """What moved between two snapshots: records put or deleted, relationships put or removed
    (with those removed because a record was), and ``labels``: how many records of each label came
    (+) or went (−), so that a count by label is carried through a change without the graph before it
    (every label a moved record had or has is there, 0 when as many came as went); ``links`` the same
    for relationships by type.

    >>> both = Delta(frozenset("a"), frozenset(), {"Topic": 1}) | Delta(frozenset("b"), frozenset({("T", "a", "b")}), {"Topic": -1, "Need": 1}, {"T": 1})
    >>> both.nodes == {"a", "b"}, both.labels, both.links
    (True, {'Topic': 0, 'Need': 1}, {'T': 1})
    """

    nodes: frozenset[str]
    edges: frozenset[Triple]
    labels: Mapping[str, int] = field(default_factory=dict, compare=False)
    links: Mapping[str, int] = field(default_factory=dict, compare=False)

    def __or__(self, other: "Delta") -> "Delta":
        return Delta(self.nodes | other.nodes, self.edges | other.edges, _summed(self.labels, other.labels),
                     _summed(self.links, other.links))

    def near(self, graph: nx.MultiDiGraph, labels: Iterable[str], before: Iterable[str] = ()) -> bool:
        """Whether anything that moved could change an answer about the records of ``labels``: a
        record that is one now (in ``graph``), was one (``before``: their ids in the answer being
        updated), or is next to one, or a relationship with such an end. An answer built from
        those records and their neighbours' (names, topics) can be kept when this is False.

        >>> g = build_graph([{"id": "n", "label": "Need", "name": "N"}, {"id": "p", "label": "Public", "name": "P"},
        ...                  {"id": "q", "label": "Public", "name": "Q"}], [("RAISED_BY", "n", "p", {})])
        >>> [Delta(frozenset(x), frozenset()).near(g, ["Need"]) for x in (["p"], ["q"], ["gone"])]
        [True, False, False]
        >>> Delta(frozenset(["gone"]), frozenset()).near(g, ["Need"], before=["gone"])
        True
        >>> Delta(frozenset(), frozenset({("REACHES", "q", "p")})).near(g, ["Need"])
        True
        """
        labels, before = frozenset(labels), frozenset(before)
        node = graph._node

        def close(n: str) -> bool:
            if n in before:
                return True
            record = node.get(n)
            if record is None:  # deleted: its relationships moved too, and were it one, it is in before
                return False
            if record.get("label") in labels:
                return True
            return any(node[o].get("label") in labels for o in graph._pred[n]) or \
                any(node[o].get("label") in labels for o in graph._adj[n])
        return any(close(n) for n in self.nodes) or any(close(u) or close(v) for _t, u, v in self.edges)


class ReadGraph(nx.MultiDiGraph):
    """networkx's ``MultiDiGraph`` whose edge and degree views are made at each use, not cached on it.

    networkx caches those views on the graph, and each refers back to it: a cycle, which only the
    garbage collector can free. The read model keeps its graphs out of the collector's sight
    (:func:`out_of_sight`), where a cycle is never freed; without one, a replaced graph is freed as
    soon as no request holds it. Making a view costs about half a microsecond.

    >>> import weakref
    >>> g = ReadGraph(); _ = g.add_edge("a", "b", key="T")
    >>> list(g.edges), list(g.in_degree)
    ([('a', 'b', 'T')], [('a', 0), ('b', 1)])
    >>> gone = weakref.ref(g); del g; gone() is None
    True
    """

    edges = property(nx.MultiDiGraph.edges.func, doc=nx.MultiDiGraph.edges.__doc__)
    out_edges = property(nx.MultiDiGraph.out_edges.func, doc=nx.MultiDiGraph.out_edges.__doc__)
    in_edges = property(nx.MultiDiGraph.in_edges.func, doc=nx.MultiDiGraph.in_edges.__doc__)
    degree = property(nx.MultiDiGraph.degree.func, doc=nx.MultiDiGraph.degree.__doc__)
    in_degree = property(nx.MultiDiGraph.in_degree.func, doc=nx.MultiDiGraph.in_degree.__doc__)
    out_degree = property(nx.MultiDiGraph.out_degree.func, doc=nx.MultiDiGraph.out_degree.__doc__)


def build_graph(nodes: Iterable[dict], edges: Iterable[tuple]) -> nx.MultiDiGraph:
    """The registry graph from node records and ``(type, from, to, props)`` relationships, built
    straight into networkx's dictionaries (faster than ``add_edge``, and sharing the attributes
    of property-less relationships). Frozen: treat it as read-only.

    >>> g = build_graph([{"id": "a", "label": "Topic", "name": "A"}, {"id": "b", "label": "Topic", "name": "B"}],
    ...                 [("BROADER", "a", "b", {})])
    >>> list(g.edges(keys=True, data="type")), nx.is_frozen(g)
    ([('a', 'b', 'BROADER', 'BROADER')], True)
    """
    graph = ReadGraph()
    node, succ, pred = graph._node, graph._adj, graph._pred
    for record in nodes:
        record = shared(record)
        node[record["id"]] = record
        succ[record["id"]] = {}
        pred[record["id"]] = {}
    for type_, src, dst, props in edges:
        out = succ.get(src)
        if out is None or dst not in node:
            continue
        src, dst, type_ = sys.intern(src), sys.intern(dst), sys.intern(type_)
        keys = _key_dict(out.get(dst), type_, shared({k: v for k, v in props.items() if v is not None}) if props else {})
        out[dst] = keys
        pred[dst][src] = keys
    return nx.freeze(graph)


def advance(graph: nx.MultiDiGraph, entries: Iterable[tuple[int, dict]]) -> tuple[nx.MultiDiGraph, Delta]:
    """A new graph with the logged changes replayed on ``graph`` (left as it was), and what moved.

    Each step sets a record or relationship outright and skips what is already gone, so replaying
    a change already partly in the graph gives the same result.

    >>> g = build_graph([{"id": "a", "label": "Topic", "name": "A"}], [])
    >>> h, delta = advance(g, [(2, {"nodes": [{"id": "b", "label": "Topic", "name": "B", "version": 1}],
    ...                             "deleted": [], "edges": [{"type": "BROADER", "from": "b", "to": "a"}],
    ...                             "unlinked": []})])
    >>> sorted(h), list(h.edges(keys=True)), sorted(g), sorted(delta.nodes), h.graph["revision"]
    (['a', 'b'], [('b', 'a', 'BROADER')], ['a'], ['b'], 2)
    >>> h2, delta = advance(h, [(3, {"nodes": [], "deleted": ["a"], "edges": [], "unlinked": []})])
    >>> sorted(h2), list(h2.edges), sorted(delta.edges), list(h.edges(keys=True))
    (['b'], [], [('BROADER', 'b', 'a')], [('b', 'a', 'BROADER')])
    >>> h3, _delta = advance(h2, [(4, {"nodes": [{"id": "b", "label": "Topic", "name": "Bee"}]})])
    >>> h3._adj is h2._adj, h3._node is h2._node, h2.nodes["b"]["name"], h3.nodes["b"]["name"]
    (True, False, 'B', 'Bee')
    """
    entries = list(entries)
    new = ReadGraph()
    new.graph.update(graph.graph)
    # Each outer table is copied only when the change writes to it: editing a record copies one of
    # the three (100,000 entries each at that size, about 3 ms a copy), a relationship two.
    writes_records = any(e.get("nodes") or e.get("deleted") for _r, e in entries)
    writes_links = any(e.get("deleted") or e.get("edges") or e.get("unlinked") or
                       any(r["id"] not in graph._node for r in e.get("nodes", ())) for _r, e in entries)
    new._node = dict(graph._node) if writes_records else graph._node
    new._adj, new._pred = (dict(graph._adj), dict(graph._pred)) if writes_links else (graph._adj, graph._pred)
    node, succ, pred = new._node, new._adj, new._pred
    owned_succ: set[str] = set()
    owned_pred: set[str] = set()

    def own(top: dict, owned: set[str], node_id: str) -> dict:
        if node_id not in owned:
            top[node_id] = dict(top[node_id])
            owned.add(node_id)
        return top[node_id]

    nodes_moved: set[str] = set()
    edges_moved: set[Triple] = set()
    labels: dict[str, int] = {}
    links: dict[str, int] = {}

    def count(record: dict | None, step: int) -> None:
        if record is not None:
            labels[record["label"]] = labels.get(record["label"], 0) + step

    def linked(types, step: int) -> None:
        for type_ in types:
            links[type_] = links.get(type_, 0) + step
    for revision, entry in entries:
        for record in entry.get("nodes", ()):
            record = shared(record)
            node_id = record["id"]
            count(node.get(node_id), -1)
            count(record, 1)
            node[node_id] = record
            if node_id not in succ:
                succ[node_id], pred[node_id] = {}, {}
                owned_succ.add(node_id)
                owned_pred.add(node_id)
            nodes_moved.add(node_id)
        for node_id in entry.get("deleted", ()):
            if node_id not in node:
                continue
            count(node[node_id], -1)
            for other, keys in list(succ[node_id].items()):
                own(pred, owned_pred, other).pop(node_id, None)
                edges_moved.update((t, node_id, other) for t in keys)
                linked(keys, -1)
            for other, keys in list(pred[node_id].items()):
                own(succ, owned_succ, other).pop(node_id, None)
                edges_moved.update((t, other, node_id) for t in keys)
                linked(keys if other != node_id else (), -1)
            del node[node_id], succ[node_id], pred[node_id]
            owned_succ.discard(node_id)
            owned_pred.discard(node_id)
            nodes_moved.add(node_id)
        for edge in entry.get("edges", ()):
            type_, src, dst = sys.intern(edge["type"]), sys.intern(edge["from"]), sys.intern(edge["to"])
            if src not in node or dst not in node:
                continue
            out = own(succ, owned_succ, src)
            linked(() if type_ in (out.get(dst) or ()) else (type_,), 1)
            keys = _key_dict(out.get(dst), type_, shared(model.edge_props(edge)))
            out[dst] = keys
            own(pred, owned_pred, dst)[src] = keys
            edges_moved.add((type_, src, dst))
        for type_, src, dst in entry.get("unlinked", ()):
            keys = succ.get(src, {}).get(dst)
            if not keys or type_ not in keys:
                continue
            rest = {k: attrs for k, attrs in keys.items() if k != type_}
            linked((type_,), -1)
            out, into = own(succ, owned_succ, src), own(pred, owned_pred, dst)
            if rest:
                out[dst] = into[src] = rest
            else:
                del out[dst], into[src]
            edges_moved.add((type_, src, dst))
        new.graph["revision"] = revision
    return nx.freeze(new), Delta(frozenset(nodes_moved), frozenset(edges_moved), labels, links)


@dataclass
class _Slot:
    """The values of one derived answer in a snapshot, by key (a few kept, the oldest dropped)."""

    values: OrderedDict
    keep: int
    lock: threading.Lock
    updatable: bool = False


def _by_name(record: dict) -> tuple[str, str]:
    return str(record.get("name", "")).lower(), record["id"]


class Snapshot:
    """The registry as of one revision, with the answers derived from it. Never changed once made
    (its derived values are only added)."""

    def __init__(self, revision: int, graph: nx.MultiDiGraph, carried: dict | None = None):
        self.revision = revision
        self.graph = graph
        self._slots: dict[str, _Slot] = {}
        self._lock = threading.Lock()
        # name -> (value, Delta since it was computed), for values that update themselves; or
        # name -> (_Slot, Delta) when an earlier snapshot was still building it (wait, then update)
        self._carried: dict[str, tuple[object, Delta]] = carried or {}

    def value(self, name: str, build: Callable[["Snapshot"], object], key: Hashable = None, keep: int = 8,
              update: Callable[[object, "Snapshot", Delta], object] | None = None):
        """The derived answer ``name`` (for ``key``) of this snapshot, computed once.

        ``build(snapshot)`` computes it; when ``update`` is given (single-key answers only), the
        previous snapshot's value is updated from what changed instead, if there was one. Readers
        that ask for other answers never wait for this one.
        """
        with self._lock:
            slot = self._slots.get(name)
            if slot is None:
                slot = self._slots[name] = _Slot(OrderedDict(), keep, threading.Lock())
        if key in slot.values:
            return slot.values[key]
        with slot.lock:
            if key in slot.values:
                return slot.values[key]
            if update is not None:
                slot.updatable = True
            carried = self._take_carried(name) if update is not None else None
            if carried is not None and isinstance(carried[0], _Slot):
                # An earlier snapshot was building it when this one was made: wait for that build
                # and update it, rather than start again (a build slower than the time between
                # writes would otherwise never finish being useful).
                earlier, moved = carried
                with earlier.lock:
                    carried = (earlier.values[None], moved) if None in earlier.values else None
            value = update(carried[0], self, carried[1]) if carried is not None else build(self)
            slot.values[key] = value
            while len(slot.values) > slot.keep:
                slot.values.popitem(last=False)
            return value

    def _take_carried(self, name: str):
        with self._lock:  # the next snapshot may be reading what is carried (:meth:`advanced`)
            return self._carried.pop(name, None)

    def records(self, label: str) -> list[dict]:
        """The records of a label, by name (as a store's ``list_nodes`` orders them): listed once,
        then carried through each change, whose moved records are taken out of the lists of the
        labels they had or have (``Delta.labels``) and put back in order. Listing them again went
        over the whole registry after each write (the home page lists the publics).

        >>> first = Snapshot(1, build_graph([{"id": "a", "label": "Topic", "name": "Bee"}, {"id": "p", "label": "Public"}], []))
        >>> [r["id"] for r in first.records("Topic")]
        ['a']
        >>> graph, delta = advance(first.graph, [(2, {"nodes": [{"id": "b", "label": "Topic", "name": "Ant"},
        ...                                                     {"id": "p", "label": "Topic", "name": "Cat"}]})])
        >>> later = first.advanced(2, graph, delta)
        >>> [r["id"] for r in later.records("Topic")], later.records("Public"), [r["id"] for r in first.records("Topic")]
        (['b', 'a', 'p'], [], ['a'])
        """
        def build(snapshot):
            by_label: dict[str, list[dict]] = {}
            for record in snapshot.graph._node.values():
                by_label.setdefault(record.get("label"), []).append(record)
            for records in by_label.values():
                records.sort(key=_by_name)
            return by_label

        def update(old, snapshot, delta):
            node, by_label = snapshot.graph._node, dict(old)
            for moved_label in delta.labels:
                records = [r for r in old.get(moved_label, ()) if r["id"] not in delta.nodes]
                for node_id in delta.nodes:
                    record = node.get(node_id)
                    if record is not None and record.get("label") == moved_label:
                        bisect.insort(records, record, key=_by_name)
                by_label[moved_label] = records
            return by_label
        return self.value("records_by_label", build, update=update).get(label, [])

    def label_counts(self) -> dict[str, int]:
        """How many records there are of each label (none: absent or 0): counted once per process,
        then carried to each later snapshot and moved by each change's ``Delta.labels``, in
        proportion to the change. A public's page asks on every request whether there are too many
        producers to offer them all; counting them, or listing them (:meth:`records`), went over the
        whole registry after every write (at 100,000 records, 204 ms to list them after a write).

        >>> first = Snapshot(1, build_graph([{"id": "a", "label": "Topic"}, {"id": "b", "label": "Topic"}], []))
        >>> first.label_counts()
        {'Topic': 2}
        >>> graph, delta = advance(first.graph, [(2, {"nodes": [{"id": "b", "label": "Public"}, {"id": "c", "label": "Public"}],
        ...                                          "deleted": ["a", "gone"]})])
        >>> first.advanced(2, graph, delta).label_counts()
        {'Topic': 0, 'Public': 2}
        """
        def build(snapshot):
            counts: dict[str, int] = {}
            for record in snapshot.graph._node.values():
                counts[record["label"]] = counts.get(record["label"], 0) + 1
            return counts

        return self.value("label_counts", build, update=lambda old, _snapshot, delta: _summed(old, delta.labels))

    def counts(self) -> dict:
        """``{"nodes": {label: n}, "edges": {type: n}}`` as a store's ``counts`` gives them (the home
        page shows them): the relationships counted once, then moved by each change's ``Delta.links``
        (counting them went over every relationship after each write, 490,000 at 100,000 records).

        >>> first = Snapshot(1, build_graph([{"id": "a", "label": "Topic"}, {"id": "b", "label": "Topic"}],
        ...                                 [("BROADER", "a", "b", {})]))
        >>> first.counts()
        {'nodes': {'Topic': 2}, 'edges': {'BROADER': 1}}
        >>> graph, delta = advance(first.graph, [(2, {"deleted": ["b"], "nodes": [{"id": "c", "label": "Topic"}],
        ...                                          "edges": [{"type": "BROADER", "from": "c", "to": "a"}]})])
        >>> first.advanced(2, graph, delta).counts()
        {'nodes': {'Topic': 2}, 'edges': {'BROADER': 1}}
        """
        def build(snapshot):
            edges: dict[str, int] = {}
            for out in snapshot.graph._adj.values():
                for keys in out.values():
                    for type_ in keys:
                        edges[type_] = edges.get(type_, 0) + 1
            return edges
        edges = self.value("edge_counts", build, update=lambda old, _snapshot, delta: _summed(old, delta.links))
        return {"nodes": dict(sorted((label, n) for label, n in self.label_counts().items() if n)),
                "edges": dict(sorted((type_, n) for type_, n in edges.items() if n))}

    def advanced(self, revision: int, graph: nx.MultiDiGraph, delta: Delta) -> "Snapshot":
        """The next snapshot, carrying the values that update themselves (with what changed)."""
        with self._lock:
            carried = {name: (value, moved | delta) for name, (value, moved) in self._carried.items()}
            slots = list(self._slots.items())
        for name, slot in slots:
            if slot.updatable:
                # computed: carried with what changed; still being built: the next snapshot waits for it
                carried[name] = (slot.values[None] if None in slot.values else slot, delta)
        return Snapshot(revision, graph, carried)


def settled(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``graph``, a freshly loaded registry, moved out of the cyclic garbage collector's sight
    (:func:`gc.freeze`); everything frozen earlier is let go first.

    A loaded registry is millions of long-lived dictionaries that can never form a cycle (plain
    records and adjacency), yet each full collection walked them all: at 100,000 records that was
    a pause of 150-350 ms every few hundred requests. Frozen objects are still freed when nothing
    refers to them; a :class:`ReadGraph` is in no cycle, so a replaced one is freed. What else was
    alive at the freeze (the request under way) is frozen too: a few kilobytes per load.

    >>> g = settled(build_graph([{"id": "a", "label": "Topic", "name": "A"}], []))
    >>> list(g), nx.is_frozen(g), gc.get_freeze_count() > 0
    (['a'], True, True)
    """
    gc.unfreeze()
    gc.freeze()
    return graph


def put_out_of_sight() -> None:
    """What is alive now moved out of the garbage collector's sight, what had died collected first.

    For long-lived answers built at start-up (:func:`registry.cache.warm`: the search indexes are
    about 130 MiB of small objects at 100,000 records), which every full collection walked, and so
    did the first change's collection before its step (:func:`out_of_sight`).

    >>> before = gc.get_freeze_count(); kept = [{"built": "at start-up"}]
    >>> put_out_of_sight(); gc.get_freeze_count() > before, any(o is kept[0] for o in gc.get_objects())
    (True, False)
    """
    gc.collect()
    gc.freeze()


SETTLE_EVERY = 1000  # changes between collections of everything frozen
_steps = itertools.count(1)


def out_of_sight(step: Callable[[], T]) -> T:
    """``step()`` (a change replayed onto the graph), with what it made moved out of the garbage
    collector's sight, as :func:`settled` does for a load.

    Each change makes three new outer dictionaries of 100,000 entries each at that size; while they
    were young every collection walked them (about 15 ms each time), until they were old: 45 ms of
    collection per write, measured over rounds of a write and three reads, against 3 ms with no
    writes. What died before the step is collected first, so no garbage is frozen; that collection
    walks only what was made since the last change.

    What else is alive at the freeze is frozen too, and a cycle among it is never freed once it
    dies: the requests under way (about five small objects a write, the request and its headers).
    So every ``SETTLE_EVERY`` changes everything is let go first and collected once: a full
    collection of the registry (150-350 ms at 100,000 records) per thousand writes.

    >>> before = gc.get_freeze_count()
    >>> out_of_sight(lambda: {"made": [1, 2]}), gc.get_freeze_count() > before
    ({'made': [1, 2]}, True)
    """
    if next(_steps) % SETTLE_EVERY == 0:
        gc.unfreeze()
    gc.collect()
    made = step()
    gc.freeze()
    return made


class ReadModel:
    """The registry of one store, in memory, for this process (see the module's docstring)."""

    def __init__(self, store):
        self.store = store
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def current(self, revision: int | None = None) -> Snapshot:
        """The snapshot of the store's current revision (``revision``, when the caller has just read
        it): one revision read when nothing changed, else the change log's new entries replayed (or,
        when the log does not reach back, a load)."""
        if revision is None:
            revision = self.store.revision()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.revision >= revision:
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.revision < revision:
                snapshot = self._snapshot = self._catch_up(snapshot)
            return snapshot

    def latest(self) -> Snapshot:
        """The newest snapshot this process has, without asking the store (after :meth:`current`
        in the same request, it also holds this process's own writes)."""
        return self._snapshot or self.current()

    def applied(self, revision: int, entry: dict) -> None:
        """Take a change this process just committed, with no read when it is the next revision.

        A bulk change ("reload") or one after another process's writes is left for the next
        :meth:`current`, which reads what it needs."""
        with self._lock:
            snapshot = self._snapshot
            if snapshot is not None and snapshot.revision == revision - 1 and not entry.get("reload"):
                self._snapshot = out_of_sight(lambda: snapshot.advanced(revision, *advance(snapshot.graph, [(revision, entry)])))

    def _catch_up(self, snapshot: Snapshot | None) -> Snapshot:
        entries = self.store.changes_since(snapshot.revision) if snapshot is not None else None
        if entries is None:
            if snapshot is not None:
                _log.warning("the change log does not reach back to revision %s: loading the registry afresh",
                             snapshot.revision)
            revision, graph = self.store.load_state(lambda rev, nodes, edges: (rev, build_graph(nodes, edges)))
            graph.graph["revision"] = revision
            graph = settled(graph)
            snapshot = Snapshot(revision, graph)
            entries = self.store.changes_since(revision) or []  # what a load that overlapped a write missed
        if entries:
            earlier = snapshot
            snapshot = out_of_sight(lambda: earlier.advanced(entries[-1][0], *advance(earlier.graph, entries)))
        return snapshot
