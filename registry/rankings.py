"""A public's ranked intermediaries, shared by its page, its record page, the API, Box 1 of every
statistic that describes it and producers' gaps; and each statistic's signpost answer, shared by its
page ("Contact first" and "Did this help?") and the signpost API.

:func:`graph.discovery.discover` weighs every route to the public, so each ranking is kept on the
read model's snapshot per public, filters, day and route reports, with what it read
(:class:`graph.footprint.Reading`). A write keeps every ranking it could not have changed and
drops the rest (:meth:`graph.footprint.Kept.after`, in place, in proportion to what it
touched): a new record elsewhere in the registry no longer makes every statistic's and
producer's page rank its publics again. Each intermediary's load status (its burden of
engagement, part of every ranking it is in) is kept the same way, and so is each signpost
answer (:func:`graph.signpost.signpost` reads the statistic's owners, their referral chains, its
topics and the user groups and intermediaries working on them: at 100,000 records about 10 ms a
statistic, half of its page).
"""
from __future__ import annotations

import datetime as _dt

from graph import burden
from graph import discovery as D
from graph import signpost as S
from graph.footprint import Kept, Reading

from .route_reports import ranked, recent_reports, reports_key
from .store import get_settings, snapshot

KEEP = 1024  # rankings kept (publics times the filters people use)
STATUSES_KEPT = 16384  # intermediaries' load statuses kept
SIGNPOSTS_KEPT = 4096  # signpost answers kept (statistics times the askers' publics and nations)


def _kept(here, name: str, keep: int) -> Kept:
    """The kept answers of ``name`` as of the snapshot ``here``: one object for the process, taken
    through each change (:meth:`graph.footprint.Kept.after`) when a snapshot first asks for it."""
    return here.value(name, lambda snap: Kept(keep=keep, revision=snap.revision),
                      update=lambda old, snap, delta: old.after(delta, snap.revision))


def _answer(name: str, keep: int, key, make):
    """The kept answer of ``name`` for ``key`` as of this request's snapshot, else
    ``make(snapshot, reading)`` (``reading`` a :class:`graph.footprint.Reading` of its graph), kept
    with what it read."""
    here = snapshot()
    kept = _kept(here, name, keep)
    found = kept.get(key, here.revision)
    if found is None:
        reading = Reading(here.graph)
        found = make(here, reading)
        kept.put(key, found, reading, here.revision)
    return found


def ranking(public_id: str, producer: str | None = None, topic: str | None = None,
            nation: str | None = None) -> D.Discovery:
    """:func:`graph.discovery.discover` for a public and filters, kept until a change touches what it read."""
    settings, reports = get_settings(), reports_key()
    return _answer("rankings", KEEP, (public_id, producer, topic, nation, reports, id(settings)),
                   lambda here, reading: D.discover(
                       reading, public_id, settings, producer=producer, topic=topic, nation=nation,
                       load_status=_load_status(here, reading, reports[0]), reports=recent_reports(reports)))


def rank(public_id: str, producer: str | None = None) -> D.Discovery:
    """:func:`ranking` as :func:`graph.box1.box1` and :func:`graph.box1.producer_gaps` ask for it."""
    return ranking(public_id, producer)


def signpost(statistic_id: str, public: str | None = None, nation: str | None = None) -> S.Signpost:
    """Who to contact first about a statistic (:func:`graph.signpost.signpost`, reordered by route
    reports when that setting is on: :func:`registry.route_reports.ranked`), kept until a change
    touches what it read. Raises as the signpost does (an unknown statistic or public): nothing is kept then.
    """
    settings, reports = get_settings(), reports_key()
    return _answer("signposts", SIGNPOSTS_KEPT, (statistic_id, public, nation, reports, id(settings)),
                   lambda _here, reading: ranked(S.signpost(reading, statistic_id, public, settings, nation)))


def _load_status(here, reading: Reading, day: _dt.date) -> D.LoadStatus:
    """Each intermediary's load status for a ranking being made from ``reading`` (of the snapshot
    ``here``), kept with what it read; what it read counts as read by the ranking."""
    settings = get_settings()
    kept = _kept(here, "load_statuses", STATUSES_KEPT)

    def status(node_id: str) -> str | None:
        key = (node_id, day, id(settings))
        found = kept.entry(key, here.revision)
        if found is None:
            own = Reading(reading.base)
            found = (burden.score_node(own, node_id, day, settings).status, None if own.whole else frozenset(own.read))
            kept.put(key, *found, here.revision)
        reading.noted(found[1])
        return found[0]
    return status
