"""The registry as Open Referral HSDS 3.0: organisations, their contact routes as services,
topics, publics and nations as taxonomy terms.

Directories of services in the UK exchange data as the Human Services Data Specification
(HSDS) 3.0. This module maps the registry's graph onto it, with pure functions, so that
the export (``pathways export --format hsds``, ``GET /api/v1/export/hsds``) and the
read-only HSDS API under ``/hsds/`` give the same objects:

- every Producer, Intermediary and UserGroup is an ``organization`` (``PART_OF`` gives
  ``parent_organization_id``; ``identifiers`` give ``organization_identifiers``);
- every contact route is a ``service``: a producer's enquiry route, or the route a group of
  its statistics publishes, is "ask about these statistics"; an intermediary's contact is
  "reach these publics"; a user group's contact is "take part in it";
- topics, publics and the four nations are ``taxonomy_term`` s of three ``taxonomy`` s
  (a topic's ``parent_id`` is its broader topic), attached to services with ``attribute`` s;
  nations are also the ``service_area`` s;
- what an intermediary declares about itself (accepting requests, how to approach it, its stated
  capacity, whether it expects participants to be paid) is its reach service's
  ``application_process``, and one not accepting requests is ``status: temporarily closed``.

Every id is a uuid5 of the registry id (and of what the object is), so the same registry
exports the same ids, and exporting twice gives the same bytes. ``assured_date`` is the
``verified`` date of the records that carry the route; ``last_modified`` comes from the
audit trail (:func:`change_times`). What HSDS cannot hold is left out: engagements, needs,
the weights of reach (strength, trust), burden (capacity, rest), referrals between
organisations, memberships and partnerships, each record's ``source``, and statistics
that have no route (see docs/api.md, "HSDS"). The source and date of each reach (a
``REACHES`` relationship's ``source`` and ``verified``) are written into the reach service's
description, beside the public they are about.

>>> from graph.stores.base import graph_from_records
>>> g = graph_from_records(
...     [{"id": "ons", "label": "Producer", "name": "Office for National Statistics", "kind": "department",
...       "contact": {"email": "info@ons.gov.uk"}, "verified": "2025-01-01"},
...      {"id": "cpi", "label": "Statistic", "name": "Consumer price inflation", "nations": ["england", "wales"]}],
...     [{"type": "PRODUCES", "from": "ons", "to": "cpi"}])
>>> ds = build(g)
>>> [(s["name"], s["email"], s["assured_date"]) for s in ds.services.values()]
[('Ask Office for National Statistics about its statistics', 'info@ons.gov.uk', '2025-01-01')]
>>> [a["name"] for a in next(iter(ds.services.values()))["service_areas"]]
['England', 'Wales']
>>> validate(ds)
[]
"""
from __future__ import annotations

import datetime as _dt
import functools
import io
import json
import math
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import networkx as nx

from .model import NATION_NAMES, NATIONS
from .reach import declarations

HSDS_VERSION = "3.0"
# No HSDS 3.0 profile is applied (the UK one is forthcoming): the base specification's documentation.
PROFILE = "https://docs.openreferral.org/en/latest/hsds/"
SCHEMA_DIR = Path(__file__).with_name("hsds_schema")
# Where the vendored schemas are published; their "$ref": "attribute.json" resolve beside it (never fetched).
SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:pathways:hsds")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000

# The files of an export, each a JSON array of dereferenced objects, and the schema each item meets.
FILES = {"organizations.json": "organization.json", "services.json": "service.json",
         "taxonomies.json": "taxonomy.json", "taxonomy_terms.json": "taxonomy_term.json"}

TAXONOMIES = {
    "topics": ("Pathways topics", "The topics of official statistics recorded in the Pathways registry. A "
                                  "term's parent is the broader topic it belongs to."),
    "publics": ("Pathways publics", "The publics recorded in the Pathways registry: groups of people that "
                                    "statistics describe and that intermediaries reach."),
    "nations": ("Nations of the UK", "The four nations of the United Kingdom."),
}
ROLE_WORDS = {"represents": "represents them", "serves": "serves them", "informs": "informs them"}
MEMBERSHIP_WORDS = {"open": "Membership is open.", "invite": "Membership is by invitation.",
                    "closed": "Membership is closed."}
ORGANISATION_WORDS = {
    "Producer": "A producer of official statistics",
    "Intermediary": "An intermediary between official statistics and the publics it reaches",
    "UserGroup": "A user group of official statistics",
}
REGISTER_TYPES = {"govuk": "GOV.UK organisation slug", "nisra": "NISRA release calendar organisation code"}
# The counts in a bulk change's audit summary; one that changed nothing is no change.
CHANGE_COUNTS = ("created", "updated", "deleted", "edges_written", "edges_deleted")


def hsds_id(kind: str, key: str) -> str:
    """The HSDS id of one object: a uuid5 of what it is and the registry key it comes from.

    The same registry id always gives the same id, so a second export, or another
    directory that has imported the first, sees the same objects.

    >>> hsds_id("organization", "ons") == hsds_id("organization", "ons") != hsds_id("service", "ons")
    True
    >>> len(hsds_id("organization", "ons")), hsds_id("organization", "ons")[14]
    (36, '5')
    """
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


# -- the audit trail -------------------------------------------------------------------

@dataclass(frozen=True)
class ChangeTimes:
    """When each record last changed, from the audit trail.

    ``records`` maps a record id to its last change by a record-level write (an editor's,
    the API's, a harvest's; a relationship's change counts for both its ends). ``bulk`` is
    the last bulk change (an import or a migration) that changed anything: it does not say
    which records it changed, so it counts for every record. :meth:`last` is therefore never
    earlier than a record's real last change, so ``modified_after`` never misses one.
    """

    records: dict[str, _dt.datetime] = field(default_factory=dict)
    bulk: _dt.datetime | None = None

    def last(self, ids: Iterable[str]) -> _dt.datetime | None:
        """The latest change of any of these records (None when the trail says nothing).

        >>> t = ChangeTimes({"a": _dt.datetime(2026, 1, 2, tzinfo=_dt.timezone.utc)},
        ...                 _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc))
        >>> t.last(["a", "b"]).day, t.last(["b"]).day, ChangeTimes().last(["a"])
        (2, 1, None)
        """
        times = [self.records[i] for i in ids if i in self.records]
        if self.bulk is not None:
            times.append(self.bulk)
        return max(times) if times else None


EDGE_TARGET = re.compile(r"^[A-Z_]+:(.+)->(.+)$")


def change_times(entries: Iterable[dict]) -> ChangeTimes:
    """Read the audit trail (``store.audit_entries`` rows, any order) into :class:`ChangeTimes`.

    >>> t = change_times([
    ...     {"at": "2026-03-01T10:00:00+00:00", "target": "PRODUCES:ons->cpi", "after": None},
    ...     {"at": "2026-02-01T10:00:00+00:00", "target": "ons", "after": {}},
    ...     {"at": "2026-04-01T10:00:00+00:00", "target": None, "after": {"created": 0, "updated": 0}},
    ...     {"at": "2026-01-01T10:00:00+00:00", "target": None, "after": {"created": 3}}])
    >>> sorted((k, v.month) for k, v in t.records.items()), t.bulk.month
    ([('cpi', 3), ('ons', 3)], 1)
    """
    records: dict[str, _dt.datetime] = {}
    bulk = None
    for entry in entries:
        at = _parse_time(entry.get("at"))
        if at is None:
            continue
        target = entry.get("target")
        if not target:
            after = entry.get("after")
            if isinstance(after, dict) and not any(after.get(k) for k in CHANGE_COUNTS):
                continue
            bulk = at if bulk is None or at > bulk else bulk
            continue
        match = EDGE_TARGET.match(target)
        for rid in match.groups() if match else (target,):
            if rid not in records or at > records[rid]:
                records[rid] = at
    return ChangeTimes(records, bulk)


def audit_trail(store, batch: int = 5000) -> Iterator[dict]:
    """Every audit entry of a store, newest first, read a page at a time."""
    before = None
    while True:
        rows = store.audit_entries(limit=batch, before_seq=before)
        yield from rows
        if len(rows) < batch:
            return
        before = rows[-1]["seq"]


def _parse_time(text) -> _dt.datetime | None:
    """An ISO 8601 timestamp as an aware UTC datetime (a naive one is taken as UTC).

    >>> _parse_time("2026-12-02T10:08:55+01:00").isoformat(), _parse_time("yesterday")
    ('2026-12-02T09:08:55+00:00', None)
    """
    if not isinstance(text, str):
        return None
    try:
        value = _dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.astimezone(_dt.timezone.utc)


def hsds_time(value: _dt.datetime) -> str:
    """HSDS's datetime: UTC with milliseconds, as the specification's examples write it.

    >>> hsds_time(_dt.datetime(2026, 12, 2, 10, 8, 55, tzinfo=_dt.timezone.utc))
    '2026-12-02T10:08:55.000Z'
    """
    value = value.astimezone(_dt.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_modified_after(text: str) -> _dt.datetime | None:
    """The ``modified_after`` filter: a date-time with its offset (or Z), or a date (midnight UTC).

    >>> parse_modified_after("2026-03-15T10:30:45.123Z").isoformat()
    '2026-03-15T10:30:45.123000+00:00'
    >>> parse_modified_after("2026-03-15").isoformat(), parse_modified_after("15/03/2026")
    ('2026-03-15T00:00:00+00:00', None)
    """
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?",
                                                     text.strip()):
        return None
    return _parse_time(text.strip())


# -- the mapping -------------------------------------------------------------------------

@dataclass
class Dataset:
    """One registry as HSDS: each kind of object by its HSDS id, in a stable order.

    Organisations hold their identifiers and phones; services their phones, service areas
    and attributes (each naming its term by ``taxonomy_term_id``); terms name their taxonomy
    by ``taxonomy_id``. The ``*_full`` functions dereference them as HSDS publishes them.
    """

    organizations: dict[str, dict] = field(default_factory=dict)
    services: dict[str, dict] = field(default_factory=dict)
    taxonomy_terms: dict[str, dict] = field(default_factory=dict)
    taxonomies: dict[str, dict] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"organizations": len(self.organizations), "services": len(self.services),
                "taxonomy_terms": len(self.taxonomy_terms), "taxonomies": len(self.taxonomies)}


def build(graph: nx.MultiDiGraph, audit: Iterable[dict] = ()) -> Dataset:
    """The HSDS objects of a registry graph; ``audit`` is its audit trail (for ``last_modified``)."""
    times = change_times(audit)
    ds = Dataset()
    for key, (name, description) in TAXONOMIES.items():
        tid = hsds_id("taxonomy", key)
        ds.taxonomies[tid] = {"id": tid, "name": name, "description": description}
    terms = _terms(graph)
    for term in sorted(terms.values(), key=lambda t: (t["taxonomy_id"], t["name"].lower(), t["id"])):
        ds.taxonomy_terms[term["id"]] = term
    orgs = [_organization(graph, n) for n in _nodes(graph, "Producer", "Intermediary", "UserGroup")]
    for org in sorted(orgs, key=lambda o: (o["name"].lower(), o["id"])):
        ds.organizations[org["id"]] = org
    services = [_service(graph, route, times) for route in _routes(graph)]
    for service in sorted(services, key=lambda s: (s["name"].lower(), s["id"])):
        ds.services[service["id"]] = service
    return ds


def _nodes(graph: nx.MultiDiGraph, *labels: str) -> list[str]:
    return sorted(n for n, d in graph.nodes(data=True) if d.get("label") in labels)


def _out(graph: nx.MultiDiGraph, node: str, rel: str, label: str | None = None) -> list[str]:
    """The targets of ``node``'s ``rel`` relationships (of one label when given), sorted."""
    found = {v for _u, v, k in graph.out_edges(node, keys=True) if k == rel}
    return sorted(v for v in found if label is None or graph.nodes[v].get("label") == label)


def _term_key(taxonomy: str, key: str) -> str:
    return hsds_id("taxonomy_term", f"{taxonomy}/{key}")


def _terms(graph: nx.MultiDiGraph) -> dict[str, dict]:
    terms = {}
    for code in NATIONS:
        terms[code] = {"id": _term_key("nations", code), "code": code, "name": NATION_NAMES[code],
                       "description": f"{NATION_NAMES[code]}, a nation of the United Kingdom.",
                       "taxonomy_id": hsds_id("taxonomy", "nations")}
    for topic in _nodes(graph, "Topic"):
        record = graph.nodes[topic]
        term = {"id": _term_key("topics", topic), "code": topic, "name": record["name"],
                "description": record.get("description") or "A topic of official statistics.",
                "taxonomy_id": hsds_id("taxonomy", "topics")}
        broader = _out(graph, topic, "BROADER", "Topic")
        if broader:  # HSDS holds one parent: the first broader topic by id
            term["parent_id"] = _term_key("topics", broader[0])
        terms["topic/" + topic] = term
    for public in _nodes(graph, "Public"):
        record = graph.nodes[public]
        facts = "; ".join(filter(None, [_words(record.get("kind")), record.get("geography")]))
        terms["public/" + public] = {
            "id": _term_key("publics", public), "code": public, "name": record["name"],
            "description": record.get("description") or ("A public" + (f" ({facts})." if facts else ".")),
            "taxonomy_id": hsds_id("taxonomy", "publics")}
    return terms


def _words(code: str | None) -> str:
    """A model code as words: ``"devolved_government"`` -> ``"devolved government"``."""
    return code.replace("_", " ") if code else ""


def _organization(graph: nx.MultiDiGraph, node: str) -> dict:
    record = graph.nodes[node]
    oid = hsds_id("organization", node)
    label = record["label"]
    description = record.get("description") or (record.get("remit") if label == "UserGroup" else None) or \
        ORGANISATION_WORDS[label] + (f" ({_words(record['kind'])})." if record.get("kind") else ".")
    org = {"id": oid, "name": record["name"], "description": description}
    if record.get("aliases"):
        org["alternate_name"] = record["aliases"][0]
    contact = record.get("contact") or {}
    if contact.get("email"):
        org["email"] = contact["email"]
    if contact.get("url"):
        org["website"] = as_uri(contact["url"])
    parents = _out(graph, node, "PART_OF", "Producer")
    if parents:  # HSDS holds one parent: the first by id
        org["parent_organization_id"] = hsds_id("organization", parents[0])
    org["organization_identifiers"] = [
        {"id": hsds_id("organization_identifier", f"{node}/{register}"), "organization_id": oid,
         "identifier_type": REGISTER_TYPES.get(register, _words(register)), "identifier": value}
        for register, value in sorted((record.get("identifiers") or {}).items())]
    org["phones"] = [{"id": hsds_id("phone", f"organization/{node}"), "organization_id": oid,
                      "number": contact["phone"]}] if contact.get("phone") else []
    return org


@dataclass
class Route:
    """One contact route: who offers it, its contact, and the records it is made from."""

    kind: str  # enquiry | reach | join
    key: str  # what its id is derived from
    owner: str  # the organisation's registry id
    contact: dict
    carriers: list[str]  # the records that hold this contact (their verified dates assure it)
    statistics: list[str] = field(default_factory=list)  # enquiry routes: the statistics it answers for


def _canonical(contact: dict) -> str:
    return json.dumps(contact, sort_keys=True, ensure_ascii=False)


def _routes(graph: nx.MultiDiGraph) -> Iterator[Route]:
    """Every contact route in the registry.

    A producer's own contact is its statistics enquiry route; each statistic with a contact
    of its own adds the route that contact is (statistics of one producer with the same
    contact share it); a statistic with neither is on no route. An intermediary's or a user
    group's contact is its route.
    """
    for producer in _nodes(graph, "Producer"):
        own = graph.nodes[producer].get("contact")
        groups: dict[str, Route] = {}
        if own:
            groups[_canonical(own)] = Route("enquiry", f"producer/{producer}", producer, own, [producer])
        for stat in _out(graph, producer, "PRODUCES", "Statistic"):
            contact = graph.nodes[stat].get("contact") or own
            if not contact:
                continue
            key = _canonical(contact)
            route = groups.get(key)
            if route is None:
                route = groups[key] = Route("enquiry", f"route/{producer}/{key}", producer, contact, [])
            route.statistics.append(stat)
            if graph.nodes[stat].get("contact"):
                route.carriers.append(stat)
        yield from groups.values()
    for node in _nodes(graph, "Intermediary"):
        if graph.nodes[node].get("contact"):
            yield Route("reach", f"intermediary/{node}", node, graph.nodes[node]["contact"], [node])
    for node in _nodes(graph, "UserGroup"):
        if graph.nodes[node].get("contact"):
            yield Route("join", f"user_group/{node}", node, graph.nodes[node]["contact"], [node])


def _names(graph: nx.MultiDiGraph, ids: Iterable[str]) -> list[str]:
    return sorted((graph.nodes[i]["name"] for i in ids), key=str.lower)


def _service(graph: nx.MultiDiGraph, route: Route, times: ChangeTimes) -> dict:
    sid = hsds_id("service", route.key)
    owner = graph.nodes[route.owner]
    topics: set[str] = set()
    publics: set[str] = set()
    nations: list[str] = []
    extra: dict = {}
    if route.kind == "enquiry":
        stats = route.statistics
        names = _names(graph, stats)
        if route.key.startswith("producer/"):
            name = f"Ask {owner['name']} about its statistics"
            description = f"The statistics enquiry route of {owner['name']}."
            if names:
                description += " Ask here about: " + "; ".join(names) + "."
        else:
            others = len(names) - 1
            name = f"Ask about {names[0]}" + (f" and {others} other statistic{'s' if others > 1 else ''}"
                                              if others else "")
            description = (f"The enquiry route for {'these statistics' if others else 'this statistic'} of "
                           f"{owner['name']}: " + "; ".join(names) + ".")
        for stat in stats:
            topics.update(_out(graph, stat, "ABOUT", "Topic"))
            publics.update(v for _u, v, k, d in graph.out_edges(stat, keys=True, data=True)
                           if k == "DESCRIBES" and d.get("role") != "left_out")
            nations.extend(graph.nodes[stat].get("nations") or [])
        if not nations:
            nations = list(owner.get("nations") or [])
        sources = [route.owner, *stats]
    elif route.kind == "reach":
        reached = sorted({v for _u, v, k in graph.out_edges(route.owner, keys=True) if k == "REACHES"},
                         key=lambda v: graph.nodes[v]["name"].lower())
        publics.update(reached)
        topics.update(_out(graph, route.owner, "WORKS_ON", "Topic"))
        name = f"Reach the publics {owner['name']} works with" if reached else f"Work with {owner['name']}"
        parts = []
        if reached:
            parts.append(f"{owner['name']} is a route to these publics: " + "; ".join(
                graph.nodes[v]["name"] + _reach_words(graph, route.owner, v)
                for v in reached) + ".")
        if topics:
            parts.append("It works on: " + "; ".join(_names(graph, topics)) + ".")
        description = " ".join(parts) or (owner.get("description") or ORGANISATION_WORDS["Intermediary"] + ".")
        if owner.get("accepting_requests") == "no":  # what it declares (graph.reach.declarations)
            extra["status"] = "temporarily closed"
        nations = list(owner.get("nations") or [])
        sources = [route.owner, *sorted(publics), *sorted(topics)]
    else:
        topics.update(_out(graph, route.owner, "COVERS", "Topic"))
        name = f"Take part in {owner['name']}"
        description = " ".join(filter(None, [owner.get("remit"), owner.get("description")])) or \
            ORGANISATION_WORDS["UserGroup"] + "."
        if owner.get("membership"):
            extra["eligibility_description"] = MEMBERSHIP_WORDS[owner["membership"]]
        nations = list(owner.get("nations") or [])
        sources = [route.owner, *sorted(topics)]
    declared = declarations(owner)["words"] if route.kind == "reach" else []
    process = " ".join(filter(None, [owner.get("how_to_join") if route.kind == "join" else None,
                                     route.contact.get("note"), *declared]))
    service = {"id": sid, "organization_id": hsds_id("organization", route.owner), "name": name,
               "description": description, "status": "active", **extra}
    if route.contact.get("url"):
        service["url"] = as_uri(route.contact["url"])
    if route.contact.get("email"):
        service["email"] = route.contact["email"]
    if process:
        service["application_process"] = process
    verified = sorted(d for c in route.carriers if (d := graph.nodes[c].get("verified")))
    if verified:
        service["assured_date"] = verified[-1]  # the latest check of this contact
    changed = times.last([*sources, *sorted(publics), *sorted(topics)])
    if changed is not None:
        service["last_modified"] = hsds_time(changed)
    service["phones"] = [{"id": hsds_id("phone", f"service/{route.key}"), "service_id": sid,
                          "number": route.contact["phone"]}] if route.contact.get("phone") else []
    ordered_nations = [n for n in NATIONS if n in set(nations)]
    if ordered_nations:
        areas = [(code, NATION_NAMES[code]) for code in ordered_nations]
    elif route.kind != "enquiry" and owner.get("geography"):
        areas = [("geography", owner["geography"])]
    else:
        areas = []
    service["service_areas"] = [{"id": hsds_id("service_area", f"{route.key}/{code}"), "service_id": sid,
                                 "name": area_name} for code, area_name in areas]
    attached = [("topics", t) for t in sorted(topics)] + [("publics", p) for p in sorted(publics)] + \
               [("nations", n) for n in ordered_nations]
    service["attributes"] = [{"id": hsds_id("attribute", f"{route.key}/{taxonomy}/{key}"), "link_id": sid,
                              "link_entity": "service", "taxonomy_term_id": _term_key(taxonomy, key)}
                             for taxonomy, key in attached]
    return service


def _reach_words(graph: nx.MultiDiGraph, source: str, target: str) -> str:
    """How a reach reads in a service's description: its role, and where that comes from.

    HSDS has no field for the provenance of a link between an organisation and a public, so the
    relationship's ``source`` and ``verified`` date travel in the words.

    >>> g = nx.MultiDiGraph()
    >>> _ = g.add_edge("i", "p", key="REACHES", role="serves", source="https://example.org/about",
    ...                verified="2026-11-01")
    >>> _reach_words(g, "i", "p"), _reach_words(g, "p", "i")
    (' (serves them; source: https://example.org/about, checked 2026-11-01)', '')
    """
    data = graph.get_edge_data(source, target, key="REACHES") or {}
    words = [ROLE_WORDS[data["role"]]] if data.get("role") in ROLE_WORDS else []
    if data.get("source"):
        words.append(f"source: {data['source']}" + (f", checked {data['verified']}" if data.get("verified") else ""))
    return f" ({'; '.join(words)})" if words else ""


# RFC 3986: the characters a URI may hold as they are; anything else is percent-encoded.
URI_CHARS = "-._~:/?#[]@!$&'()*+,;=%"


def as_uri(url: str) -> str:
    """A registry web address as a URI: characters a URI cannot hold are percent-encoded (UTF-8).

    >>> as_uri("https://example.org/a b/ü?q=1")
    'https://example.org/a%20b/%C3%BC?q=1'
    >>> as_uri("https://example.org/%7Euser")
    'https://example.org/%7Euser'
    """
    from urllib.parse import quote
    text = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", url)
    return quote(text, safe=URI_CHARS)


# -- dereferenced views, pages, files ----------------------------------------------------------

def one_to_one(obj: dict) -> dict:
    """An object without its arrays and nested objects: what HSDS's lists hold.

    >>> one_to_one({"id": "x", "name": "X", "phones": [], "organization": {}})
    {'id': 'x', 'name': 'X'}
    """
    return {k: v for k, v in obj.items() if not isinstance(v, (list, dict))}


def term_full(ds: Dataset, term_id: str) -> dict:
    """A taxonomy term with its taxonomy (``taxonomy_detail``)."""
    term = ds.taxonomy_terms[term_id]
    return {**term, "taxonomy_detail": ds.taxonomies[term["taxonomy_id"]]}


def service_summary(ds: Dataset, service_id: str) -> dict:
    """A service as ``/services`` lists it: its own fields and its organisation's."""
    service = ds.services[service_id]
    return {**one_to_one(service), "organization": one_to_one(ds.organizations[service["organization_id"]])}


def service_full(ds: Dataset, service_id: str) -> dict:
    """A service fully nested: attributes with their terms, and its organisation."""
    service = ds.services[service_id]
    org = ds.organizations[service["organization_id"]]
    return {**service, "organization": org,
            "attributes": [{**a, "taxonomy_term": term_full(ds, a["taxonomy_term_id"])}
                           for a in service["attributes"]]}


def organization_full(ds: Dataset, organization_id: str) -> dict:
    """An organisation with its identifiers, phones and the services it offers (their own fields)."""
    org = ds.organizations[organization_id]
    return {**org, "services": [one_to_one(s) for s in ds.services.values() if s["organization_id"] == org["id"]]}


def select_services(ds: Dataset, organization_id: str | None = None, taxonomy_term_id: str | None = None,
                    modified_after: _dt.datetime | None = None) -> list[str]:
    """The ids of the services every given filter admits (HSDS filters are cumulative: AND).

    ``modified_after`` keeps services changed on or after it; one whose change time is
    unknown (no audit trail) is kept, so a directory that syncs by it misses nothing.
    """
    chosen = []
    for sid, service in ds.services.items():
        if organization_id is not None and service["organization_id"] != organization_id:
            continue
        if taxonomy_term_id is not None and not any(a["taxonomy_term_id"] == taxonomy_term_id
                                                    for a in service["attributes"]):
            continue
        if modified_after is not None and "last_modified" in service and \
                _parse_time(service["last_modified"].replace("Z", "+00:00")) < modified_after:
            continue
        chosen.append(sid)
    return chosen


def page(contents: list, page_number: int = 1, per_page: int = DEFAULT_PER_PAGE) -> dict:
    """HSDS's ``Page``: one page of a list, numbered from 1, with its counts.

    >>> p = page(list("abcde"), 2, 2)
    >>> p["contents"], p["total_items"], p["total_pages"], p["size"], p["first_page"], p["last_page"], p["empty"]
    (['c', 'd'], 5, 3, 2, False, False, False)
    >>> page([], 1, 10)["empty"], page([], 1, 10)["total_pages"], page([], 1, 10)["last_page"]
    (True, 0, True)
    """
    total = len(contents)
    pages = math.ceil(total / per_page)
    chunk = contents[(page_number - 1) * per_page: page_number * per_page]
    return {"total_items": total, "total_pages": pages, "page_number": page_number, "size": len(chunk),
            "first_page": page_number == 1, "last_page": page_number >= pages, "empty": not chunk,
            "contents": chunk}


def files(ds: Dataset) -> dict[str, bytes]:
    """The export: one JSON array per kind of object, dereferenced as HSDS publishes them.

    Keys sorted and objects in a stable order, so the same registry gives the same bytes.
    """
    views = {"organizations.json": [organization_full(ds, o) for o in ds.organizations],
             "services.json": [service_full(ds, s) for s in ds.services],
             "taxonomies.json": list(ds.taxonomies.values()),
             "taxonomy_terms.json": [term_full(ds, t) for t in ds.taxonomy_terms]}
    return {name: (json.dumps(items, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")
            for name, items in views.items()}


def write_files(published: dict[str, bytes], folder) -> None:
    """Write the export's files (from :func:`files`) into a folder, created if needed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in published.items():
        (folder / name).write_bytes(data)


def zip_bytes(ds: Dataset) -> bytes:
    """The export as one zip, byte-identical for the same registry (fixed dates, sorted names)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files(ds).items()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


# -- validation against the official schemas ------------------------------------------------

@functools.lru_cache(maxsize=1)
def _schemas() -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(SCHEMA_DIR.glob("*.json"))
            if p.name != "openapi.json"}


@functools.lru_cache(maxsize=1)
def _validators() -> dict:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
    registry = Registry().with_resources(
        (SCHEMA_BASE + name, Resource.from_contents(schema, default_specification=DRAFT202012))
        for name, schema in _schemas().items())
    checker = format_checker()
    return {name: Draft202012Validator({"$ref": SCHEMA_BASE + schema}, registry=registry, format_checker=checker)
            for name, schema in FILES.items()}


def format_checker():
    """The formats HSDS's schemas use, checked exactly (jsonschema checks ``uri`` and ``date-time``
    only with optional packages, so they are defined here).

    >>> c = format_checker()
    >>> [c.conforms(v, "uri") for v in ("https://x.org/a?b=1", "https://x.org/a b", "no scheme")]
    [True, False, False]
    >>> [c.conforms(v, "date-time") for v in ("2026-03-15T10:30:45.123Z", "2026-03-15")]
    [True, False]
    >>> c.conforms("D9D5E0F5-D3CE-4F73-9A2F-4DD0ECC6C610", "uuid"), c.conforms("d9d5e0f5", "uuid")
    (True, False)
    """
    from jsonschema import FormatChecker
    checker = FormatChecker(formats=())

    def check(name, pattern, extra=lambda _v: True):
        regex = re.compile(pattern)
        checker.checks(name)(lambda v: not isinstance(v, str) or (bool(regex.fullmatch(v)) and extra(v)))

    check("uuid", r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
    check("email", r"[^@\s]+@[^@\s]+")
    check("uri", r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
    check("date-time", r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})",
          lambda v: _parse_time(re.sub(r"[Zz]$", "+00:00", v)) is not None)
    return checker


def validate_files(published: dict[str, bytes]) -> list[str]:
    """Every problem with an export's files: each object against its official HSDS 3.0 schema,
    then ids that repeat and references to objects the export does not hold. [] when all is well.
    """
    problems: list[str] = []
    validators = _validators()
    ids: dict[str, str] = {}
    refs: list[tuple[str, str, str]] = []
    for name in FILES:
        if name not in published:
            problems.append(f"{name}: missing")
            continue
        items = json.loads(published[name])
        for i, item in enumerate(items):
            where = f"{name}[{i}]" + (f" ({item.get('id')})" if isinstance(item, dict) else "")
            for error in sorted(validators[name].iter_errors(item), key=lambda e: list(e.absolute_path)):
                path = "/".join(map(str, error.absolute_path)) or "(object)"
                problems.append(f"{where}: {path}: {error.message}")
            _collect_ids(item, where, ids, refs, problems)
    for where, key, value in refs:
        if value not in ids:
            problems.append(f"{where}: {key}: refers to {value}, which is not in the export")
    return problems


# Objects nested in another (an organisation inside its service) repeat it; only these keys are
# new objects whose ids must be unique.
_OWN = {"organizations.json": ("organization_identifiers", "phones"),
        "services.json": ("phones", "service_areas", "attributes"),
        "taxonomies.json": (), "taxonomy_terms.json": ()}
_REF_KEYS = ("organization_id", "parent_organization_id", "service_id", "link_id", "taxonomy_term_id",
             "taxonomy_id", "parent_id")


def _collect_ids(item, where: str, ids: dict, refs: list, problems: list) -> None:
    if not isinstance(item, dict):
        return
    file = where.split("[")[0]
    owned = [item] + [child for key in _OWN[file] for child in item.get(key) or [] if isinstance(child, dict)]
    for obj in owned:
        oid = obj.get("id")
        if oid in ids:
            problems.append(f"{where}: id {oid} is also {ids[oid]}")
        else:
            ids[oid] = where
        refs.extend((where, key, obj[key]) for key in _REF_KEYS if isinstance(obj.get(key), str))


def validate(ds: Dataset) -> list[str]:
    """Every problem with a dataset's export (see :func:`validate_files`)."""
    return validate_files(files(ds))


# -- the HSDS API's own OpenAPI document ----------------------------------------------------------

def openapi_document(server_url: str) -> dict:
    """The OpenAPI 3.1 document of the read-only HSDS API at ``server_url`` (…/hsds).

    Built from HSDS's own ``openapi.json``: the operations served here, with only the query
    parameters they honour, and every schema the responses use inlined under
    ``components.schemas`` (the official document points at files on the web; this one is
    whole, so it works offline). Errors are Pathways' one envelope.
    """
    official = json.loads((SCHEMA_DIR / "openapi.json").read_text(encoding="utf-8"))
    schemas = {name.removesuffix(".json"): _local_refs(schema) for name, schema in _schemas().items()}
    compiled = SCHEMA_DIR / "compiled"
    for name in ("service_list", "organization_list"):
        schemas[name] = json.loads((compiled / f"{name}.json").read_text(encoding="utf-8"))
    schemas["organization_full"] = {"allOf": [{"$ref": "#/components/schemas/organization"}], "properties": {
        "services": {"type": "array", "items": {"$ref": "#/components/schemas/service_list"}}}}
    schemas["Page"] = official["components"]["schemas"]["Page"]
    schemas["Error"] = {"type": "object", "required": ["code", "status", "message", "errors"], "properties": {
        "code": {"type": "integer"}, "status": {"type": "string"}, "message": {"type": "string"},
        "errors": {"type": "object", "description": "what was wrong with each query value, under `query`"}}}
    params = official["components"]["parameters"]
    kept = {"page": params["page"], "per_page": params["per_page"], "modified_after": params["modified_after"],
            "taxonomy_term_id": params["taxonomy_term_id"], "organization_id": params["organization_id"],
            "taxonomy_id": params["taxonomy_id"],
            "parent_id": {"name": "parent_id", "in": "query", "required": False,
                          "description": "Only the terms whose parent has this id.", "schema": {"type": "string"}}}
    kept["page"] = {**kept["page"], "schema": {"type": "integer", "minimum": 1, "default": 1}}
    kept["per_page"] = {**kept["per_page"], "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                                       "default": DEFAULT_PER_PAGE}}
    kept["modified_after"] = {**kept["modified_after"], "schema": {"type": "string"}, "description":
                              "Return all results modified on or after this datetime (ISO 8601 with its offset "
                              "or Z, or a date meaning midnight UTC)."}
    errors = {status: {"description": text, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}}
        for status, text in (("400", "A query value is wrong; `errors.query` names it."),
                             ("404", "No such object."))}

    def listing(item_ref: str, description: str, names: list[str]) -> dict:
        return {"get": {"summary": description, "operationId": None,
                        "parameters": [{"$ref": f"#/components/parameters/{n}"} for n in names],
                        "responses": {"200": {"description": description, "content": {"application/json": {
                            "schema": {"allOf": [{"$ref": "#/components/schemas/Page"}], "properties": {
                                "contents": {"type": "array", "items": {"$ref": item_ref}}}}}}},
                            "400": errors["400"]}}}

    def single(item_ref: str, description: str, what: str) -> dict:
        return {"parameters": [{"in": "path", "name": "id", "required": True, "schema": {"type": "string"},
                                "description": f"The id of the {what}."}],
                "get": {"summary": description, "operationId": None, "responses": {
                    "200": {"description": description, "content": {"application/json": {
                        "schema": {"$ref": item_ref}}}}, "404": errors["404"]}}}

    paths = {
        "/": {"get": {**official["paths"]["/"]["get"]}},
        "/services": listing("#/components/schemas/service_list", "Paginated list of services (their own "
                             "fields and their organization's)", ["page", "per_page", "modified_after",
                                                                   "taxonomy_term_id", "organization_id"]),
        "/services/{id}": single("#/components/schemas/service", "A fully nested service", "service"),
        "/organizations": listing("#/components/schemas/organization_list", "Paginated list of organizations",
                                  ["page", "per_page"]),
        "/organizations/{id}": single("#/components/schemas/organization_full", "An organization with its "
                                      "identifiers, phones and services", "organization"),
        "/taxonomy_terms": listing("#/components/schemas/taxonomy_term", "Paginated list of taxonomy terms",
                                   ["page", "per_page", "taxonomy_id", "parent_id"]),
    }
    ids = {"/": "getAPIMetaInformation", "/services": "getPaginatedListOfServices",
           "/services/{id}": "getFullyNestedServiceById", "/organizations": "getPaginatedListOfOrganizations",
           "/organizations/{id}": "getOrganizationById", "/taxonomy_terms": "getPaginatedListOfTaxonomyTerms"}
    for path, op_id in ids.items():
        paths[path]["get"]["operationId"] = op_id
    paths["/"]["get"]["responses"] = {"200": {**official["paths"]["/"]["get"]["responses"]["200"]}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Pathways HSDS API", "version": HSDS_VERSION,
                 "summary": "The Pathways registry's engagement routes of UK official statistics as Open "
                            "Referral HSDS 3.0, read only.",
                 "description": "Organisations (producers, intermediaries, user groups), their contact routes "
                                "as services, and topics, publics and nations as taxonomy terms. Open to all: "
                                "no key, and `Access-Control-Allow-Origin: *`. Schemas: the Human Services "
                                "Data Specification 3.0, an Open Referral resource (https://openreferral.org/), "
                                "CC BY-SA 4.0."},
        "jsonSchemaDialect": official["jsonSchemaDialect"],
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {"schemas": schemas, "parameters": kept},
    }


def _local_refs(schema):
    """A schema with ``"$ref": "attribute.json"`` pointing into ``#/components/schemas/attribute``."""
    if isinstance(schema, dict):
        return {k: ("#/components/schemas/" + v.removesuffix(".json")
                    if k == "$ref" and isinstance(v, str) and v.endswith(".json") and "/" not in v
                    else _local_refs(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_local_refs(v) for v in schema]
    return schema
