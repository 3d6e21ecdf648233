"""Which nations of the UK a record covers, and which nation a question names.

A record's ``nations`` list says it outright. Older records say where they work in
``geography`` text ("England", "UK", "Cardiff"): :func:`nations_in` reads the nations
that text names, and :func:`nations_of` falls back to it. An empty answer means "not
known", which never excludes a record.

>>> sorted(nations_in("Crime in England and Wales"))
['england', 'wales']
>>> sorted(nations_in("Labour market overview, UK")) == sorted(NATIONS)
True
>>> nations_in("Welsh homelessness"), nations_in("Scottish Household Survey"), nations_in("Census 2021")
(frozenset({'wales'}), frozenset({'scotland'}), frozenset())
>>> sorted(nations_in("Northern Ireland Labour Force Survey")), sorted(nations_in("Great Britain"))
(['northern_ireland'], ['england', 'scotland', 'wales'])
"""
from __future__ import annotations

import re

from .model import NATION_NAMES, NATIONS

ALL = frozenset(NATIONS)
GB = frozenset({"england", "wales", "scotland"})
# Whole-word patterns, longest first so "Northern Ireland" is not read as "Ireland".
_PATTERNS = [
    (re.compile(r"\b(?:united kingdom|uk)\b"), ALL),
    (re.compile(r"\b(?:great britain|gb|british)\b"), GB),
    (re.compile(r"\b(?:northern ireland|northern irish|ni)\b"), frozenset({"northern_ireland"})),
    (re.compile(r"\b(?:england|english)\b"), frozenset({"england"})),
    (re.compile(r"\b(?:wales|welsh|cymru)\b"), frozenset({"wales"})),
    (re.compile(r"\b(?:scotland|scottish|scots)\b"), frozenset({"scotland"})),
]
# "UK" in a name like "UK Health Security Agency" says who, not where; a named nation wins over it.
_SPECIFIC = ("northern_ireland", "england", "wales", "scotland")


def nations_in(text: str | None) -> frozenset[str]:
    """The nations a piece of text names; a nation named outright wins over "UK" or "GB".

    >>> sorted(nations_in("UK house price index: Wales"))
    ['wales']
    """
    low = (text or "").lower()
    named: set[str] = set()
    broad: set[str] = set()
    for pattern, nations in _PATTERNS:
        if pattern.search(low):
            (broad if len(nations) > 1 else named).update(nations)
    return frozenset(named or broad)


def nations_of(record: dict) -> frozenset[str]:
    """The nations a record covers: its ``nations``, else those its ``geography`` names.

    >>> sorted(nations_of({"nations": ["wales"]})), sorted(nations_of({"geography": "England"}))
    (['wales'], ['england'])
    >>> nations_of({"geography": "Cardiff"})
    frozenset()
    """
    listed = record.get("nations")
    if isinstance(listed, list) and listed:
        return frozenset(n for n in listed if n in ALL)
    return nations_in(record.get("geography"))


def covered(statistic: dict) -> frozenset[str]:
    """The nations a statistic covers: its ``nations``, else those its name names.

    >>> sorted(covered({"name": "Crime in England and Wales"})), covered({"name": "X", "nations": ["wales"]})
    (['england', 'wales'], frozenset({'wales'}))
    """
    return nations_of(statistic) or nations_in(statistic.get("name"))


def compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two records may be offered together: unknown on either side, or a nation in common.

    >>> compatible(frozenset({"england"}), frozenset({"wales"})), compatible(frozenset(), frozenset({"wales"}))
    (False, True)
    """
    return not a or not b or bool(a & b)


def describe(nations: frozenset[str] | list[str]) -> str:
    """Nations in words, in the usual order.

    >>> describe(["wales", "england"]), describe(ALL), describe([])
    ('England and Wales', 'UK', '')
    """
    chosen = [n for n in NATIONS if n in set(nations)]
    if set(chosen) == ALL:
        return "UK"
    names = [NATION_NAMES[n] for n in chosen]
    return " and ".join(names) if len(names) <= 2 else ", ".join(names[:-1]) + " and " + names[-1]
