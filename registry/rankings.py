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

What a public's page makes from its ranking (the filters' choices, each page of the list as HTML)
is kept beside it (:func:`beside_ranking`), with what the ranking read and what it read itself.
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
BESIDE_KEPT = 1024  # values kept beside rankings (filter options, pages of the list: about 30 KB of HTML each at 100k)


def _kept(here, name: str, keep: int) -> Kept:
    """The kept answers of ``name`` as of the snapshot ``here``: one object for the process, taken
    through each change (:meth:`graph.footprint.Kept.after`) when a snapshot first asks for it."""
    return here.value(name, lambda snap: Kept(keep=keep, revision=snap.revision),
                      update=lambda old, snap, delta: old.after(delta, snap.revision))


def _answer(name: str, keep: int, key, make):
    """The kept answer of ``name`` for ``key`` as of this request's snapshot, else
    ``make(snapshot, reading)`` (``reading`` a :class:`graph.footprint.Reading` of its graph), kept
    with what it read."""
    return _entry(snapshot(), name, keep, key, make)[0]


def _entry(here, name: str, keep: int, key, make) -> tuple:
    """:func:`_answer` as of the snapshot ``here``, with what it read: ``(answer, read)``, ``read`` a
    frozenset of ids or None (the whole graph)."""
    kept = _kept(here, name, keep)
    found = kept.entry(key, here.revision)
    if found is None:
        reading = Reading(here.graph)
        found = make(here, reading), None if reading.whole else frozenset(reading.read)
        kept.put(key, *found, here.revision)
    return found


def _ranking_entry(here, public_id: str, producer: str | None, topic: str | None, nation: str | None) -> tuple:
    """The kept ranking's key and ``(ranking, read)`` as of the snapshot ``here``."""
    settings, reports = get_settings(), reports_key()
    key = (public_id, producer, topic, nation, reports, id(settings))
    return key, _entry(here, "rankings", KEEP, key, lambda here, reading: D.discover(
        reading, public_id, settings, producer=producer, topic=topic, nation=nation,
        load_status=_load_status(here, reading, reports[0]), reports=recent_reports(reports)))


def ranking(public_id: str, producer: str | None = None, topic: str | None = None,
            nation: str | None = None) -> D.Discovery:
    """:func:`graph.discovery.discover` for a public and filters, kept until a change touches what it read."""
    return _ranking_entry(snapshot(), public_id, producer, topic, nation)[1][0]


def beside_ranking(public_id: str, name, make, producer: str | None = None, topic: str | None = None,
                   nation: str | None = None):
    """``make(reading, found)``, a value derived from the public's ranking ``found`` for these filters
    (``reading`` a :class:`graph.footprint.Reading` of the graph, for anything else it reads), kept
    beside the ranking under ``name`` (hashable: a page number too, say).

    It counts as having read what the ranking read as well as what it read itself, so every change
    that drops the ranking drops it too (and so do changes to what only it read): a public's page
    neither works out its filters' choices nor renders its list again until then. Raises as the
    ranking does (a filter that is not a producer, topic or nation): nothing is kept then.
    """
    here = snapshot()  # once: the value must be made from, and kept as of, the ranking's revision
    key, (found, read) = _ranking_entry(here, public_id, producer, topic, nation)

    def derived(_here, reading: Reading):
        reading.noted(read)
        return make(reading, found)
    return _entry(here, "beside_rankings", BESIDE_KEPT, (key, name), derived)[0]


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
