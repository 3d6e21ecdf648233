"""The whole-registry answers the app shares between requests, each held by the read model's
snapshot of the current revision (:meth:`graph.readmodel.Snapshot.value`): computed once, lazily,
by the first request that needs it, and gone with the snapshot after the next write.

Per-record answers are computed per request instead; the search index lives with the snapshot too
(:func:`graph.search.index_of`), updated from each change rather than rebuilt.
"""
from __future__ import annotations

from typing import Callable, Hashable, TypeVar

from .store import get_settings, snapshot

T = TypeVar("T")


def per_revision(name: str, key: Hashable, compute: Callable[[], T], keep: int = 8) -> T:
    """``compute()``, remembered for the current revision and ``key`` (the ``keep`` newest keys per name)."""
    return snapshot().value(name, lambda _snap: compute(), key=key, keep=keep)


def burden_index(as_of):
    """The burden index of every public and intermediary as of a date (the dashboard, the API and
    the gaps page share it)."""
    from graph import burden
    return per_revision("burden_index", as_of,
                        lambda: burden.burden_index(snapshot().graph, as_of, get_settings()))


def joined_needs():
    """Every need joined up with similar needs (the waiting list, each need's page and the API share it)."""
    from graph import needs
    return per_revision("needs.joined", None, lambda: needs.joined_items(snapshot().graph, get_settings()), keep=1)
