"""The whole-registry answers the app shares between requests, each held by the read model's
snapshot of the current revision (:meth:`graph.readmodel.Snapshot.value`): computed once, lazily,
by the first request that needs it, and gone with the snapshot after the next write.

Per-record answers are computed per request instead; the search index lives with the snapshot too
(:func:`graph.search.index_of`), updated from each change rather than rebuilt.
"""
from __future__ import annotations

from typing import Callable, Hashable, TypeVar

from graph import model

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


def load_status(as_of=None):
    """The ``load_status`` of :func:`graph.discovery.load_from_burden` for a date (today by default),
    shared by every request of this revision: each intermediary's burden status is worked out once
    per revision instead of once per request (a public's page ranks hundreds of intermediaries)."""
    import datetime as _dt

    from graph import discovery
    day = as_of or _dt.date.today()
    return per_revision("load_status", day, lambda: discovery.load_from_burden(snapshot().graph, get_settings(), day))


def feedback_debt(as_of):
    """Every engagement owing feedback as of a date (:func:`graph.burden.feedback_debt`), once per
    revision: the burden dashboard, the you-said-we-did page and each producer's page share it."""
    from graph import burden
    return per_revision("feedback_debt", as_of, lambda: burden.feedback_debt(snapshot().graph, as_of, get_settings()))


def choices(label: str) -> list[dict]:
    """``[{"id", "name"}]`` of every record of a label, by name (the options of a page's select), once per revision."""
    return per_revision("choices", label, lambda: [{"id": n["id"], "name": n["name"]}
                                                   for n in snapshot().records(label)], keep=len(model.LABELS))
