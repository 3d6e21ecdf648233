"""What every harvest shares: the records a source yields, and how they are merged into the registry.

A source module (:mod:`.govuk`, :mod:`.ons`, :mod:`.nisra`) reads its responses and
returns a :class:`Harvest`: complete node records (each with ``source`` and
``verified``, the date the source was recorded) and the relationships between them.
:func:`plan` compares that with the registry and decides, field by field, what to
write, under one rule: **a harvest never overwrites what an editor changed**.

Each record a harvest writes carries ``harvested``: the source, the date and a short
fingerprint of each field as the harvest wrote it. On the next harvest from that source a
field is updated only when it still holds what the last harvest wrote (or was never set);
otherwise the editor's value is kept and the difference is reported as a conflict. A
record another source harvested first is that source's: this one only fills its gaps.
A record the source no longer lists is reported as withdrawn, never deleted.

>>> stored = {"a": {"id": "a", "label": "Topic", "name": "Crime", "version": 1,
...                 "harvested": {"by": "t", "at": "2024-01-01", "fields": {"name": fingerprint("Crime")}}}}
>>> h = Harvest("t", "2024-02-01", nodes=[{"id": "a", "label": "Topic", "name": "Crime and justice"}])
>>> p = plan(h, stored)
>>> p.updates[0]["name"], p.conflicts
('Crime and justice', [])
>>> stored["a"]["name"] = "Crime (edited)"
>>> p = plan(h, stored)
>>> p.updates, list(p.unchanged), [str(c) for c in p.conflicts]
([], ['a'], ["node 'a': name: kept the registry's 'Crime (edited)'; the source now says 'Crime and justice'"])
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from .. import model
from ..errors import Problem

# Fields a harvest never fingerprints or compares.
NOT_FIELDS = ("id", "label", "version", "harvested")


class HarvestError(Exception):
    """A response could not be used: names the URL (or file) and the field.

    >>> str(HarvestError("https://www.gov.uk/api/search.json", "results", "is missing"))
    'https://www.gov.uk/api/search.json: results: is missing'
    """

    def __init__(self, where: str, field: str, message: str):
        self.where, self.field, self.message = where, field, message
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


class Offline(HarvestError):
    """The source could not be reached at all."""


def slug(text: str, limit: int = 90) -> str:
    """A registry id made from a title: lower-case words joined by dashes.

    >>> slug("Proven reoffending statistics"), slug("Consumer price inflation, UK"), slug("Crème: 2024/25")
    ('proven-reoffending-statistics', 'consumer-price-inflation-uk', 'creme-2024-25')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return out[:limit].rstrip("-") or "x"


def fingerprint(value: Any) -> str:
    """Twelve hex digits standing for a field's value (order of keys ignored).

    >>> fingerprint({"b": 1, "a": 2}) == fingerprint({"a": 2, "b": 1}), len(fingerprint("x"))
    (True, 12)
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass
class Harvest:
    """What one source yielded: records, relationships, and what the source covers.

    ``scope`` lists the producer ids whose series this harvest lists in full; a record
    harvested from this source before, produced by one of them and missing now, is
    reported as withdrawn. ``notes`` are things worth telling whoever runs it.
    """

    source: str
    recorded: str
    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    scope: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def problems(self) -> list:
        """What is wrong with the harvest by itself: the model's rules, an id twice, a record
        without ``source`` and ``verified``, a relationship to a record it does not hold.

        >>> Harvest("t", "2024-01-01", [{"id": "a", "label": "Topic", "name": "A"}]).problems()[0].field
        'source'
        """
        labels = {n.get("id"): n.get("label") for n in self.nodes}
        out = [] if len(labels) == len(self.nodes) else [Problem(self.source, "id", "a record appears twice")]
        for node in self.nodes:
            out += model.validate_node(node)
            out += [Problem(model.node_where(node), key, "is required of a harvested record")
                    for key in ("source", "verified") if not node.get(key)]
        for edge in self.edges:
            out += model.validate_edge(edge, labels)
        return out


@dataclass(frozen=True)
class Conflict:
    """A field an editor changed since the last harvest, kept, with what the source says now."""

    id: str
    field: str
    kept: Any
    offered: Any

    def __str__(self) -> str:
        kept = "kept it deleted" if self.kept is None else f"kept the registry's {_short(self.kept)}"
        return f"node '{self.id}': {self.field}: {kept}; the source now says {_short(self.offered)}"

    def as_dict(self) -> dict:
        return {"id": self.id, "field": self.field, "kept": self.kept, "offered": self.offered}


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return repr(text if len(text) <= 80 else text[:77] + "...")


@dataclass
class Plan:
    """What a harvest will do: records to create and update, what it leaves alone and why."""

    source: str
    creates: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    unchanged: dict[str, str] = field(default_factory=dict)  # id -> label of each record left as it was
    edges: list[dict] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    withdrawn: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        """Per label: how many records are created, updated and left as they are.

        >>> Plan("t", creates=[{"label": "Topic"}]).counts()
        {'Topic': {'created': 1, 'updated': 0, 'unchanged': 0}}
        """
        out: dict[str, dict[str, int]] = {}
        for key, records in (("created", self.creates), ("updated", self.updates)):
            for r in records:
                out.setdefault(r["label"], {"created": 0, "updated": 0, "unchanged": 0})[key] += 1
        for label in self.unchanged.values():
            out.setdefault(label, {"created": 0, "updated": 0, "unchanged": 0})["unchanged"] += 1
        return dict(sorted(out.items()))

    @property
    def changed(self) -> bool:
        return bool(self.creates or self.updates or self.edges)


def merge_record(harvested: dict, stored: dict | None, source: str, at: str) -> tuple[dict, list[Conflict]]:
    """The record to write for one harvested record, and the fields kept against the source.

    >>> merge_record({"id": "a", "label": "Topic", "name": "A"}, None, "t", "2024-01-01")[0]["harvested"]["by"]
    't'
    >>> rec, conflicts = merge_record({"id": "a", "label": "Topic", "name": "A", "description": "new"},
    ...     {"id": "a", "label": "Topic", "name": "A", "description": "typed by hand", "version": 2}, "t", "2024-01-01")
    >>> rec["description"], [c.field for c in conflicts]
    ('typed by hand', ['description'])
    """
    if stored is None:
        record = {k: v for k, v in harvested.items() if v is not None}
        record["harvested"] = {"by": source, "at": at, "fields": {
            k: fingerprint(v) for k, v in record.items() if k not in NOT_FIELDS}}
        return record, []
    previous = stored.get("harvested") or {}
    # Another source's fields are treated like an editor's: only gaps are filled.
    own = previous.get("by") == source
    before = previous.get("fields", {}) if own else {}
    record = {k: v for k, v in stored.items() if k != "version"}
    prints = dict(before)
    conflicts = []
    for key, value in harvested.items():
        if key in NOT_FIELDS or value is None:
            continue
        current = stored.get(key)
        if current == value:
            prints[key] = fingerprint(value)
        elif (current is None and key not in before) or (key in before and fingerprint(current) == before[key]):
            record[key] = value
            prints[key] = fingerprint(value)
        else:
            conflicts.append(Conflict(stored["id"], key, current, value))
    if previous and not own:
        return record, conflicts
    keep_at = own and previous.get("fields") == prints and not _differs(stored, record)
    record["harvested"] = {"by": source, "at": previous["at"] if keep_at else at, "fields": prints}
    return record, conflicts


def _differs(stored: dict, record: dict) -> bool:
    return any(stored.get(k) != v for k, v in record.items() if k not in NOT_FIELDS)


def _same(stored: dict, record: dict) -> bool:
    return model.node_props({k: v for k, v in stored.items() if k != "version"}) == model.node_props(record) \
        and stored.get("name") == record.get("name")


def plan(harvest: Harvest, stored: dict[str, dict], existing_edges: Iterable[tuple[str, str, str]] = (),
         produced_by: dict[str, set[str]] | None = None) -> Plan:
    """Decide what to write for ``harvest`` given the ``stored`` records with the same ids.

    ``existing_edges`` are the (type, from, to) triples already stored among the
    harvested edges; ``produced_by`` maps the ids of records this source harvested
    before to their producers, to find what it no longer lists.
    """
    out = Plan(harvest.source, notes=list(harvest.notes))
    for node in harvest.nodes:
        record, conflicts = merge_record(node, stored.get(node["id"]), harvest.source, harvest.recorded)
        out.conflicts += conflicts
        old = stored.get(node["id"])
        if old is None:
            out.creates.append(record)
        elif _same(old, record):
            out.unchanged[node["id"]] = old["label"]
        else:
            out.updates.append(record)
    have = set(existing_edges)
    out.edges = [e for e in harvest.edges if model.edge_key(e) not in have]
    seen = {n["id"] for n in harvest.nodes}
    for record_id, producers in sorted((produced_by or {}).items()):
        if record_id not in seen and producers & harvest.scope:
            record = stored.get(record_id) or {"id": record_id}
            out.withdrawn.append({"id": record_id, "name": record.get("name", record_id)})
    return out
