"""What an answer read: a frozen graph that notes the records it is asked about, so the answer can
be kept through later writes that touch none of them.

A public's ranking (:func:`graph.discovery.discover`) or a statistic's signpost
(:func:`graph.signpost.signpost`) reads a few hundred records of a registry of 100,000. Ranking it again after every write anywhere made every statistic's and producer's
page slow after each write (each ranks the publics it names). :class:`Reading` stands in for the
graph while the answer is computed and keeps the id of every record whose data or relationships
were read, found or not; :meth:`Reading.touched` then says whether a change (a
:class:`graph.readmodel.Delta`) could have altered the answer. A change can only alter what was
read: a record put or deleted is in ``delta.nodes``, and a relationship put or removed has both
its ends in ``delta.edges``, and reading either end's relationships is noted.

Anything the stand-in does not know (iterating the whole graph, a networkx algorithm) is passed
to the real graph and marks the reading ``whole``: such an answer is never kept.

>>> from graph.readmodel import Delta, build_graph
>>> g = build_graph([{"id": "p", "label": "Public", "name": "P"}, {"id": "i", "label": "Intermediary", "name": "I"},
...                  {"id": "far", "label": "Topic", "name": "Far"}], [("REACHES", "i", "p", {"source": "s"})])
>>> r = Reading(g)
>>> [u for u, _p, k in r.in_edges("p", keys=True) if k == "REACHES"], r.nodes["i"]["name"], "x" in r
(['i'], 'I', False)
>>> sorted(r.read)
['i', 'p', 'x']
>>> [r.touched(Delta(frozenset(n), frozenset(e))) for n, e in ((["far"], []), (["x"], []), ([], [("WORKS_ON", "i", "far")]))]
[False, True, True]
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping

import networkx as nx


class _Noted(Mapping):
    """One of the graph's dictionaries by node (records, successors, predecessors), noting each key asked for."""

    def __init__(self, table: dict, reading: "Reading"):
        self._table, self._reading = table, reading

    def __getitem__(self, node):
        self._reading.read.add(node)
        return self._table[node]

    def get(self, node, default=None):
        self._reading.read.add(node)
        return self._table.get(node, default)

    def __contains__(self, node) -> bool:
        self._reading.read.add(node)
        return node in self._table

    def __iter__(self):
        self._reading.whole = True
        return iter(self._table)

    def __len__(self) -> int:
        self._reading.whole = True
        return len(self._table)


class _View:
    """One of the graph's views as discovery uses it; anything it does not know (iterating, calling,
    any other attribute) is passed to the real view and reads the whole graph."""

    name = ""  # the graph's attribute: "nodes" or "edges"

    def __init__(self, reading: "Reading"):
        self._reading = reading

    def _whole(self):
        self._reading.whole = True
        return getattr(self._reading.base, self.name)

    def __getattr__(self, name):
        return getattr(self._whole(), name)

    def __call__(self, *args, **kwargs):
        return self._whole()(*args, **kwargs)

    def __iter__(self):
        return iter(self._whole())


class _Nodes(_View):
    """``graph.nodes[id]`` and ``id in graph.nodes``."""

    name = "nodes"

    def __getitem__(self, node):
        return self._reading._node[node]

    def __contains__(self, node) -> bool:
        return node in self._reading._node


class _Edges(_View):
    """``graph.edges[u, v, key]``, noting both ends."""

    name = "edges"

    def __getitem__(self, edge):
        self._reading.read.update(edge[:2])
        return self._reading.base.edges[edge]


class Reading:
    """A read-only stand-in for a frozen registry graph that notes what is read (see the module)."""

    frozen = True  # nx.is_frozen

    def __init__(self, graph: nx.MultiDiGraph):
        self.base = graph
        self.read: set[str] = set()
        self.whole = False
        self._node = _Noted(graph._node, self)
        self._adj = _Noted(graph._adj, self)
        self._pred = _Noted(graph._pred, self)
        self.graph = graph.graph
        self.nodes = _Nodes(self)
        self.edges = _Edges(self)

    def __contains__(self, node) -> bool:
        return node in self._node

    def __iter__(self):
        self.whole = True
        return iter(self.base)

    def __len__(self) -> int:
        self.whole = True
        return len(self.base)

    def in_edges(self, node=None, keys: bool = False, data=False):
        self._one(node)
        return self.base.in_edges(node, keys=keys, data=data)

    def out_edges(self, node=None, keys: bool = False, data=False):
        self._one(node)
        return self.base.out_edges(node, keys=keys, data=data)

    def _one(self, node) -> None:
        if isinstance(node, str):
            self.read.add(node)
        else:  # every relationship, or several records'
            self.whole = True

    def has_edge(self, u, v, key=None) -> bool:
        self.read.update((u, v))
        return self.base.has_edge(u, v, key)

    def get_edge_data(self, u, v, key=None, default=None):
        self.read.update((u, v))
        return self.base.get_edge_data(u, v, key, default)

    def __getattr__(self, name):
        self.whole = True
        return getattr(self.base, name)

    def noted(self, read: frozenset[str] | None) -> None:
        """Take ``read`` (another answer's, None for the whole graph) as read here too: an answer
        made from a kept one depends on what that one read."""
        if read is None:
            self.whole = True
        else:
            self.read |= read

    def touched(self, delta) -> bool:
        """Whether ``delta`` (what moved since the graph read) could change what was read."""
        return touched(None if self.whole else self.read, moved(delta))


def moved(delta) -> set[str]:
    """The ids a change moved: records put or deleted, and both ends of each relationship put or removed.

    >>> from graph.readmodel import Delta
    >>> sorted(moved(Delta(frozenset("a"), frozenset({("T", "b", "c")}))))
    ['a', 'b', 'c']
    """
    return set(delta.nodes).union(*((u, v) for _t, u, v in delta.edges))


def touched(read, ids: set[str]) -> bool:
    """Whether an answer that read ``read`` (None: the whole graph) could be changed by a change
    that moved ``ids`` (:func:`moved`).

    >>> touched({"a"}, {"b", "a"}), touched({"a"}, {"b"}), touched(None, set())
    (True, False, True)
    """
    return read is None or not read.isdisjoint(ids)


class Kept:
    """Answers by key, each with what it read and the revision it was made at, kept for the
    snapshots that follow until a change touches what it read; the ``keep`` most recently used
    are kept.

    One object serves every snapshot of a process: :meth:`after` drops, in place, the answers a
    change could have altered (found through an index from each record to the answers that read
    it), so a write costs in proportion to what it touched, not to the answers kept (copying
    16,000 load statuses on every write cost more than the write). A snapshot older than the
    change still in use by a request sees only answers made at or before its own revision, and
    an answer made from it after the change is not kept.

    >>> from graph.readmodel import Delta
    >>> kept = Kept(keep=2)
    >>> kept.put("a", 1, {"p"}, 0); kept.put("b", 2, {"q"}, 0); kept.put("c", 3, None, 0)
    >>> kept.get("a", 0), kept.get("b", 0), kept.get("c", 0)
    (None, 2, 3)
    >>> kept.after(Delta(frozenset("q"), frozenset()), 1) is kept
    True
    >>> kept.get("b", 1), kept.get("c", 1)
    (None, None)
    >>> kept.put("d", 4, {"r"}, 0); kept.get("d", 1)  # made from the older snapshot: not kept
    >>> kept.put("d", 4, {"r"}, 1); kept.get("d", 1), kept.get("d", 0)
    (4, None)
    """

    def __init__(self, keep: int = 1024, revision: int = 0):
        self._entries: OrderedDict = OrderedDict()  # key -> (value, read or None, revision made at)
        self._readers: dict[str, list] = {}  # record id -> keys of answers that read it (some stale)
        self._whole: set = set()  # keys of answers that read the whole graph
        self._refs = self._live = 0  # entries in _readers, and those of answers still kept
        self._lock = threading.Lock()
        self.keep = keep
        self.revision = revision

    def entry(self, key, revision: int) -> tuple | None:
        """``(value, read)`` for a key as of ``revision`` (``read`` a frozenset of ids, None for the
        whole graph), or None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[2] > revision:
                return None
            self._entries.move_to_end(key)
            return found[:2]

    def get(self, key, revision: int):
        found = self.entry(key, revision)
        return None if found is None else found[0]

    def put(self, key, value, read, revision: int) -> None:
        """Keep ``value``, made at ``revision`` from ``read`` (a :class:`Reading`, a set of ids, or
        None for the whole graph); not kept when a later change has already been taken."""
        if isinstance(read, Reading):
            read = None if read.whole else read.read
        read = None if read is None else frozenset(read)
        with self._lock:
            if revision != self.revision:
                return
            self._forget(key)
            self._entries[key] = (value, read, revision)
            if read is None:
                self._whole.add(key)
            else:
                for node in read:
                    self._readers.setdefault(node, []).append(key)
                self._refs += len(read)
                self._live += len(read)
            while len(self._entries) > self.keep:
                self._forget(next(iter(self._entries)))
            if self._refs > 2 * self._live + 100_000:
                self._reindex()

    def after(self, delta, revision: int) -> "Kept":
        """This object, taken to ``revision``: without the answers ``delta`` (what moved since the
        revision it was at) could have changed. Asked again for an older revision, it is left as it is."""
        with self._lock:
            if revision <= self.revision:
                return self
            for node in moved(delta):
                for key in self._readers.pop(node, ()):
                    self._refs -= 1
                    self._forget(key)
            for key in list(self._whole):
                self._forget(key)
            self.revision = revision
        return self

    def _forget(self, key) -> None:
        found = self._entries.pop(key, None)
        if found is not None:
            self._whole.discard(key)
            self._live -= len(found[1] or ())

    def _reindex(self) -> None:
        """The index from records to answers made again from the answers kept (dropped and evicted
        answers leave their keys behind)."""
        self._readers = {}
        for key, (_value, read, _made) in self._entries.items():
            for node in read or ():
                self._readers.setdefault(node, []).append(key)
        self._refs = self._live
