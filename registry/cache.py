"""The whole-registry answers the app shares between requests, each held by the read model's
snapshot of the current revision (:meth:`graph.readmodel.Snapshot.value`): computed once, lazily,
by the first request that needs it, and gone with the snapshot after the next write.

Per-record answers (a public's ranking, a statistic's signpost) are kept through writes by
:mod:`registry.rankings` instead; the search index lives with the snapshot too
(:func:`graph.search.index_of`), updated from each change rather than rebuilt.
"""
from __future__ import annotations

from typing import Callable, Hashable, TypeVar

from markupsafe import Markup

from .store import get_settings, snapshot
from .templating import option_tags, with_chosen

T = TypeVar("T")


def per_revision(name: str, key: Hashable, compute: Callable[[], T], keep: int = 8) -> T:
    """``compute()``, remembered for the current revision and ``key`` (the ``keep`` newest keys per name)."""
    return snapshot().value(name, lambda _snap: compute(), key=key, keep=keep)


def public_options(chosen: str | None = None) -> Markup:
    """The ask form's ``<option>`` tags of every public, by name, ``chosen`` selected: made once and
    kept through changes that move no public (at 100,000 records there are 8,000, and rendering
    them through the template was most of the home page's 85 ms).

    """
    options = snapshot().value("public_options", lambda snap: option_tags(snap.records("Public")),
                               update=lambda old, snap, delta: option_tags(snap.records("Public"))
                               if "Public" in delta.labels else old)
    return with_chosen(options, chosen)


def burden_index(as_of):
    """The burden index of every public and intermediary as of a date (the dashboard, the API and
    the gaps page share it)."""
    from graph import burden
    return per_revision("burden_index", as_of,
                        lambda: burden.burden_index(snapshot().graph, as_of, get_settings()))


def joined_needs():
    """Every need joined up with similar needs (the waiting list, each need's page and the API share it),
    once per revision, and kept as it is through changes that touch no need or a need's neighbour
    (joining up compares needs pairwise: seconds at 10,000 records)."""
    from graph import needs
    settings = get_settings()

    def update(items, snap, delta):
        if delta.near(snap.graph, ["Need"], (i.id for i in items)):
            return needs.joined_items(snap.graph, settings)
        return items
    return snapshot().value("needs.joined", lambda snap: needs.joined_items(snap.graph, settings), update=update)


def feedback_debt(as_of):
    """Every engagement owing feedback as of a date (:func:`graph.burden.feedback_debt`), once per
    revision: the burden dashboard, the you-said-we-did page and each producer's page share it."""
    import datetime as _dt

    from graph import burden
    settings = get_settings()
    if as_of != _dt.date.today():
        return per_revision("feedback_debt", as_of, lambda: burden.feedback_debt(snapshot().graph, as_of, settings))

    # Today's (every producer's page asks for it: seconds at 100,000 records) is kept through
    # changes that touch no engagement or an engagement's neighbour.
    def build(snap):
        return as_of, burden.feedback_debt(snap.graph, as_of, settings)

    def update(old, snap, delta):
        if old[0] != as_of or delta.near(snap.graph, ["Engagement"], (r.engagement for r in old[1])):
            return build(snap)
        return old
    day, rows = snapshot().value("feedback_debt.today", build, update=update)
    return rows if day == as_of else per_revision(  # no write since midnight
        "feedback_debt", as_of, lambda: burden.feedback_debt(snapshot().graph, as_of, settings))


def feedback_items():
    """Every engagement's "you said, we did" (:func:`graph.feedback.you_said_we_did`, unfiltered), once
    per revision: each producer's and topic's page filters it instead of reading every engagement.
    Kept as it is through changes that touch no engagement or an engagement's neighbour."""
    from graph import feedback

    def update(items, snap, delta):
        if delta.near(snap.graph, ["Engagement"], (i.id for i in items)):
            return feedback.you_said_we_did(snap.graph)
        return items
    return snapshot().value("feedback_items", lambda snap: feedback.you_said_we_did(snap.graph), update=update)


def warm() -> None:
    """Build the shared answers the first pages need, before a server listens (``pathways serve``):
    both search indexes (every search), every need joined up (the waiting list, each need's and each
    producer's page) and today's feedback owed (each producer's page).

    At 100,000 records each takes seconds; built by the first request that needs it instead, every
    request arriving meanwhile queued behind it. Later writes carry each forward (updated from the
    change, or kept when the change cannot alter it), so this is done once per process.
    """
    import datetime as _dt

    from graph import search
    from graph.readmodel import put_out_of_sight
    here = snapshot()
    search.index_of(here)
    search.text_index_of(here)
    joined_needs()
    feedback_debt(_dt.date.today())
    put_out_of_sight()  # kept for the process's life: no collection need walk them again

