"""GOV.UK consultations of the registry's producers, as Engagement records.

``pathways harvest govuk --consultations`` reads, for each producer the registry knows by
its GOV.UK organisation (``identifiers.govuk``), the Search API's list of its
``open_consultation``, ``closed_consultation`` and ``consultation_outcome`` documents, then
each document from the Content API. Each becomes one Engagement:

- ``method`` ``consultation`` and ``iap2`` ``consult`` (the IAP2 level a consultation is);
  ``start`` and ``end`` its opening and closing dates (a closing date the model refuses as
  no real date, such as GOV.UK's placeholder year 2216, is left out and reported);
- ``status`` from the document type, as of the day it was recorded (:func:`status_of`);
- for an outcome, ``feedback_published`` (the date GOV.UK published the outcome, else the
  public feedback) and ``feedback_url`` (the consultation's page, where the outcome is
  published). Open and closed consultations get neither, so a closed one without an outcome
  comes to owe feedback like any held engagement (:func:`graph.feedback.debt_days`);
- a RAN relationship from every registry producer among its organisations;
- ``source`` its GOV.UK page and ``verified`` the date the response was recorded (a live
  harvest: today; a recording: the recording's date), never the day it is replayed.

Descriptions, bodies and outcomes are not copied into the record (they are long prose and
stay on GOV.UK); they are only read to propose publics.

**Proposed publics.** The publics a consultation involved are proposed from its title,
description, body, outcome and topics (:func:`propose_publics`): a Public is proposed only
when its name, one of its aliases or one of its keywords appears there as a whole phrase
(word forms folded as search folds them). Each becomes an INVOLVED relationship with
``confirmed`` false: shown as "proposed, not confirmed" and not counted towards burden
until an editor confirms it. Proposals are made when the engagement is first recorded (or
while it has no INVOLVED link at all), never again after: an editor's confirmations and
removals are kept on every later harvest.

**When no public can be proposed.** The registry requires a held or reported engagement to
involve a public, and the harvest does not invent one: such a consultation is left out and
named in a note (dry run or not), so an editor can record it by hand or give a public an
alias that names it and harvest again. A consultation that had not opened when it was
recorded is planned and is recorded without publics when none is proposed.
"""
from __future__ import annotations

import datetime as _dt
import html
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import networkx as nx

from .. import model
from ..search import normalise
from . import fetch, govuk
from .base import Harvest, HarvestError, slug
from .govuk import GOVUK, ORGANISATION_PATH, _date, _object, _text

SOURCE = "govuk-consultations"
DOCUMENT_TYPES = ("open_consultation", "closed_consultation", "consultation_outcome")
FIELDS = ("content_store_document_type", "link", "public_timestamp", "title")
PAGE = 1500
CONTENT_API = GOVUK + "/api/content"
ID_PREFIX = "eng.govuk."
# Where a Content API document names the subjects it is about.
TOPIC_LINKS = ("taxons", "policy_areas", "topics", "policies")
# Body fields that say what was proposed and what came of it.
TEXT_FIELDS = ("body", "public_feedback_detail", "final_outcome_detail")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Consultation:
    """What the Content API says of one consultation."""

    path: str
    title: str
    document_type: str
    opening: str | None
    closing: str | None  # the ISO date as GOV.UK gives it, possibly not a real date for the registry
    organisations: tuple[str, ...]  # GOV.UK organisation slugs
    text: str  # title, description, body, outcome and topic titles, as plain text
    feedback_published: str | None

    @property
    def page(self) -> str:
        return GOVUK + self.path


def producers_in(graph: nx.MultiDiGraph) -> dict[str, str]:
    """The registry's producers by their GOV.UK organisation slug (``identifiers.govuk``).

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("ofqual", label="Producer", name="Ofqual", identifiers={"govuk": "ofqual"})
    >>> g.add_node("x", label="Producer", name="X")
    >>> producers_in(g)
    {'ofqual': 'ofqual'}
    """
    out: dict[str, str] = {}
    for node_id, data in sorted(graph.nodes(data=True)):
        key = (data.get("identifiers") or {}).get("govuk") if data.get("label") == "Producer" else None
        if isinstance(key, str) and key:
            out.setdefault(key, node_id)
    return out


def search_url(organisation: str, start: int = 0, count: int = PAGE) -> str:
    """The Search API query for one page of an organisation's consultations.

    >>> fetch.canonical(search_url("ofqual")) == fetch.canonical(
    ...     "https://www.gov.uk/api/search.json?filter_organisations=ofqual"
    ...     "&filter_content_store_document_type=open_consultation"
    ...     "&filter_content_store_document_type=closed_consultation"
    ...     "&filter_content_store_document_type=consultation_outcome"
    ...     "&fields=content_store_document_type&fields=link&fields=public_timestamp&fields=title"
    ...     "&count=1500&start=0")
    True
    """
    return govuk.search_url(organisation, start, count, DOCUMENT_TYPES, FIELDS)


def content_url(path: str, base: str = GOVUK) -> str:
    """The Content API address of a GOV.UK page (``base``: GOV.UK, or a mirror of its API).

    >>> content_url("/government/consultations/post-office-network")
    'https://www.gov.uk/api/content/government/consultations/post-office-network'
    >>> content_url("/government/consultations/x", "http://127.0.0.1:8080/")
    'http://127.0.0.1:8080/api/content/government/consultations/x'
    """
    return (CONTENT_API if base == GOVUK else base.rstrip("/") + "/api/content") + path


GOVUK_HOSTS = ("www.gov.uk", "gov.uk")
MAX_ADDRESS = 2000


def consultation_path(address: str) -> str:
    """The GOV.UK path of a consultation's address as an editor pastes it, or a HarvestError saying why not.

    The page's address (``https://www.gov.uk/government/consultations/…``), with or without
    ``https://``, a query or a fragment, or its Content API address. Anything not on GOV.UK is
    refused before anything is fetched; whether it is a consultation is for the Content API to say.

    >>> consultation_path("https://www.gov.uk/government/consultations/post-office-network?utm=x#reply")
    '/government/consultations/post-office-network'
    >>> consultation_path("www.gov.uk/api/content/government/consultations/post-office-network/")
    '/government/consultations/post-office-network'
    >>> consultation_path("https://www.gov.scot/publications/a-consultation/")
    Traceback (most recent call last):
    ...
    graph.harvest.base.HarvestError: address: url: is on www.gov.scot, not GOV.UK: paste the address of a consultation on www.gov.uk
    >>> consultation_path("https://www.gov.uk/")
    Traceback (most recent call last):
    ...
    graph.harvest.base.HarvestError: address: url: is GOV.UK's home page, not a consultation: paste the address of the consultation's own page
    """
    text = (address or "").strip()
    if not text:
        raise HarvestError("address", "url", "enter the address of a consultation on GOV.UK")
    if len(text) > MAX_ADDRESS or any(ord(c) < 32 or c.isspace() for c in text):
        raise HarvestError("address", "url", "is not a web address: paste it without spaces or line breaks")
    if "://" not in text:
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:(?!\d)", text):  # mailto:, javascript: and the like
            raise HarvestError("address", "url", "is not a GOV.UK web address (https://www.gov.uk/…)")
        text = "https://" + text
    try:
        parts = urllib.parse.urlsplit(text)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise HarvestError("address", "url", "is not a web address") from None
    if parts.scheme not in ("http", "https") or parts.username or parts.password or port not in (None, 443, 80):
        raise HarvestError("address", "url", "is not a GOV.UK web address (https://www.gov.uk/…)")
    if host not in GOVUK_HOSTS:
        raise HarvestError("address", "url", f"is on {host or 'no site'}, not GOV.UK: paste the address of a "
                                             "consultation on www.gov.uk")
    path = re.sub(r"/{2,}", "/", urllib.parse.unquote(parts.path)).rstrip("/")
    if path.startswith("/api/content/"):
        path = path[len("/api/content"):]
    if not path:
        raise HarvestError("address", "url", "is GOV.UK's home page, not a consultation: paste the address of "
                                             "the consultation's own page")
    if not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", path):
        raise HarvestError("address", "url", "is not the address of a GOV.UK page")
    return path


def read_listing(reader: fetch.Reader, organisation: str) -> list[str]:
    """The paths of every consultation the Search API lists for ``organisation``, page by page."""
    out: list[str] = []
    for url, where, result in govuk.search_results(reader, lambda start: search_url(organisation, start)):
        if not isinstance(result, dict):
            raise HarvestError(url, where, "is not an object")
        link = _text(result, "link", url, where)
        if not link.startswith("/") or link.startswith("//"):
            raise HarvestError(url, f"{where}.link", f"is not a GOV.UK path: {link!r}")
        out.append(link)
    return list(dict.fromkeys(out))


def plain_text(fragment: str) -> str:
    """HTML as the words a reader sees: tags dropped, entities decoded, space collapsed.

    >>> plain_text('<div class="govspeak"><p>Older&nbsp;people &amp; carers</p><p>Next</p></div>')
    'Older people & carers Next'
    """
    text = re.sub(r"<[^>]*>", " ", fragment or "")
    return " ".join(html.unescape(text).split())


def read_consultation(reader: fetch.Reader, path: str, base: str = GOVUK) -> Consultation:
    """One consultation from the Content API, or a HarvestError naming the field that is wrong."""
    url = content_url(path, base)
    data = _object(reader.get_json(url), url)
    kind = _text(data, "document_type", url, "")
    if kind not in DOCUMENT_TYPES:
        raise HarvestError(url, "document_type", f"is {kind!r}, not a consultation")
    title = _text(data, "title", url, "").strip()
    details = data.get("details") if isinstance(data.get("details"), dict) else {}
    links = data.get("links") if isinstance(data.get("links"), dict) else {}
    opening = _date(details["opening_date"], url, "details.opening_date") if details.get("opening_date") else None
    closing = _date(details["closing_date"], url, "details.closing_date") if details.get("closing_date") else None
    orgs = []
    for i, link in enumerate(links.get("organisations") or []):
        where = f"links.organisations[{i}]"
        if not isinstance(link, dict):
            raise HarvestError(url, where, "is not an object")
        base = _text(link, "base_path", url, where)
        key = base.rpartition(ORGANISATION_PATH)[2]
        if not base.startswith(ORGANISATION_PATH) or not key or "/" in key:
            raise HarvestError(url, f"{where}.base_path", f"is not an organisation's page: {base!r}")
        orgs.append(key)
    if not orgs:
        raise HarvestError(url, "links.organisations", "is missing: the consultation names no organisation")
    topics = [str(t.get("title") or "") for name in TOPIC_LINKS for t in (links.get(name) or [])
              if isinstance(t, dict)]
    texts = [title, data.get("description") if isinstance(data.get("description"), str) else ""]
    texts += [plain_text(details[k]) for k in TEXT_FIELDS if isinstance(details.get(k), str)]
    published = None
    if kind == "consultation_outcome":
        for key in ("final_outcome_publication_date", "public_feedback_publication_date"):
            if details.get(key):
                published = _date(details[key], url, f"details.{key}")
                break
    return Consultation(str(data.get("base_path") or path), title, kind, opening, closing,
                        tuple(dict.fromkeys(orgs)), " ".join(t for t in [*texts, *topics] if t), published)


def status_of(document_type: str, opening: str, recorded: str) -> str:
    """The registry's status for a consultation, as of the day it was recorded.

    The model has three: planned, held, reported. An outcome has been published: reported.
    A consultation that had not opened by the day it was recorded is planned. One that is
    open is under way: people are being asked now, which is when it weighs on them, so it
    is held (the burden model dates a running engagement as of the day it is asked about,
    and it owes no feedback before it closes). "Planned" would hide it from burden while it
    runs. A closed consultation without an outcome was held and owes its response.

    >>> status_of("consultation_outcome", "2016-04-22", "2024-11-20")
    'reported'
    >>> status_of("open_consultation", "2016-11-04", "2016-11-08"), status_of("open_consultation", "2016-12-01", "2016-11-08")
    ('held', 'planned')
    >>> status_of("closed_consultation", "2016-09-05", "2024-11-20")
    'held'
    """
    if document_type == "consultation_outcome":
        return "reported"
    if opening > recorded:
        return "planned"
    return "held"


def _phrases(record: dict) -> list[tuple[str, str]]:
    """The phrases that name a public, each with what it is (its name, an alias, a keyword)."""
    out = [("its name", record.get("name") or "")]
    out += [("an alias", a) for a in record.get("aliases") or [] if isinstance(a, str)]
    out += [("a keyword", t) for t in record.get("tags") or [] if isinstance(t, str)]
    return [(what, text) for what, text in out if normalise(text)]


def propose_publics(text: str, publics: Sequence[dict]) -> list[tuple[str, str]]:
    """The publics a consultation's text names, each with why: ``[(id, reason)]``, by id.

    Conservative: a public is proposed only when its name, an alias or a keyword appears in
    the text as a whole phrase (word forms and little words folded as search folds them, so
    "disabled person" finds "Disabled people"); words that only overlap do not count.

    >>> publics = [{"id": "pub.students", "name": "Students taking GCSEs", "aliases": ["students"]},
    ...            {"id": "pub.disabled", "name": "Disabled people"},
    ...            {"id": "pub.rural", "name": "Rural communities"}]
    >>> propose_publics("Our proposals protect students. Views of a disabled person", publics)
    [('pub.disabled', "its name 'Disabled people'"), ('pub.students', "an alias 'students'")]
    >>> propose_publics("the role of communities in the network", publics)
    []
    """
    haystack = f" {normalise(text)} "
    out = []
    for record in sorted(publics, key=lambda r: r["id"]):
        for what, phrase in _phrases(record):
            if f" {normalise(phrase)} " in haystack:
                out.append((record["id"], f"{what} {phrase!r}"))
                break
    return out


def engagement_id(path: str) -> str:
    """A readable id for a consultation's engagement, from its GOV.UK path.

    >>> engagement_id("/government/consultations/review-of-museums-in-england")
    'eng.govuk.review-of-museums-in-england'
    """
    return ID_PREFIX + slug(path.rstrip("/").rpartition("/")[2], model.MAX_ID - len(ID_PREFIX))


def engagement(found: Consultation, recorded: str) -> tuple[dict, list[str]]:
    """The Engagement record for a consultation, with notes on what was left out of it."""
    notes = []
    record = {"id": engagement_id(found.path), "label": "Engagement", "name": found.title[:model.MAX_NAME].strip(),
              "method": "consultation", "iap2": "consult", "start": found.opening,
              "status": status_of(found.document_type, found.opening, recorded)}
    if found.closing and model.parse_date(found.closing) is None:
        notes.append(f"'{found.title}' ({found.page}): its closing date {found.closing} is not a date the "
                     "registry accepts, so it is recorded without an end.")
    elif found.closing and found.closing < found.opening:
        notes.append(f"'{found.title}' ({found.page}): it closes ({found.closing}) before it opens "
                     f"({found.opening}), so it is recorded without an end.")
    elif found.closing:
        record["end"] = found.closing
    if found.document_type == "consultation_outcome":
        if found.feedback_published:
            record["feedback_published"] = found.feedback_published
        record["feedback_url"] = found.page
    record.update(source=found.page, verified=recorded)
    return record, notes


def from_recorded(paths: Path | Sequence[Path], graph: nx.MultiDiGraph, organisations: Sequence[str] = (),
                  progress: Progress | None = None) -> Harvest:
    """Harvest from saved responses (cassettes or folders, read as one); dated by the recording."""
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not paths:
        raise HarvestError("--recorded", "", "names no file or folder")
    reader = fetch.Readers([fetch.recorded_reader(p) for p in paths])
    if not reader.recorded:
        raise HarvestError(", ".join(map(str, paths)), "recorded", "says no date it was recorded (no Date headers "
                                                                   "or saved dates), so records cannot be dated")
    return harvest(reader, graph, organisations, reader.recorded, progress)


def from_live(reader: fetch.Reader, graph: nx.MultiDiGraph, organisations: Sequence[str] = (),
              progress: Progress | None = None) -> Harvest:
    """Harvest from the live GOV.UK APIs through ``reader``; records are dated today."""
    return harvest(reader, graph, organisations, _dt.date.today().isoformat(), progress)


def harvest(reader: fetch.Reader, graph: nx.MultiDiGraph, organisations: Sequence[str], recorded: str,
            progress: Progress | None = None) -> Harvest:
    """The consultations of the registry's producers (or of those named) as engagements.

    ``organisations`` are GOV.UK slugs, each of a producer in ``graph``; none means every
    producer with one, and then a recording that lacks an organisation's list is noted, not
    an error. Every response is read and checked before any record is made.
    """
    producers = producers_in(graph)
    unknown = [o for o in organisations if o not in producers]
    if unknown:
        raise HarvestError("--organisation", "", "no producer in the registry has the GOV.UK organisation "
                                                 f"{', '.join(map(repr, unknown))} (identifiers.govuk): "
                                                 "harvest its statistics first")
    requested = tuple(dict.fromkeys(organisations)) or tuple(producers)
    notes: list[str] = []
    paths: list[str] = []
    missing = []
    for org in requested:
        try:
            paths += read_listing(reader, org)
        except fetch.NotRecorded:
            if organisations:
                raise
            missing.append(org)
    if missing:
        notes.append(f"Not in the recording, so not read: the consultations of {len(missing)} organisation(s) "
                     f"({', '.join(missing)}).")
    paths = list(dict.fromkeys(paths))
    found = []
    for done, path in enumerate(paths):
        if progress:
            progress("consultations", done, len(paths))
        found.append(read_consultation(reader, path))
    if progress:
        progress("consultations", len(paths), len(paths))
    return _records(found, graph, producers, recorded, notes)


def from_address(reader: fetch.Reader, graph: nx.MultiDiGraph, address: str, recorded: str,
                 base: str = GOVUK) -> Harvest:
    """The one consultation at a GOV.UK address, as the harvest would record it (``pathways harvest``
    ``govuk --consultations`` for one page): its engagement, RAN from the registry's producers among
    its organisations and its proposed publics, or none with a note saying why it is left out.

    A bad address (:func:`consultation_path`), a page that is not a consultation or that cannot be
    read raises a HarvestError; so does a consultation none of whose organisations is a producer
    in the registry, since the registry would not know who ran it.
    """
    path = consultation_path(address)
    found = read_consultation(reader, path, base)
    producers = producers_in(graph)
    if not any(o in producers for o in found.organisations):
        raise HarvestError(found.page, "links.organisations",
                           f"names {', '.join(found.organisations)}, and no producer in the registry has "
                           "that GOV.UK organisation (identifiers.govuk): harvest its statistics first")
    return _records([found], graph, producers, recorded, [])


def _involved_in_registry(graph: nx.MultiDiGraph, node_id: str) -> bool:
    return node_id in graph and any(k == "INVOLVED" for _s, _d, k in graph.out_edges(node_id, keys=True))


def _records(found: Sequence[Consultation], graph: nx.MultiDiGraph, producers: dict[str, str], recorded: str,
             notes: list[str]) -> Harvest:
    """The engagements and relationships of a harvest, with the consultations left out and why."""
    from .run import reconcile  # run imports the stores; only needed here

    publics = [{"id": n, **d} for n, d in graph.nodes(data=True) if d.get("label") == "Public"]
    undated, skipped, proposed = [], [], 0
    records, ran, by_page = [], [], {}
    for item in sorted(found, key=lambda c: c.path):
        if not item.opening or model.parse_date(item.opening) is None:
            undated.append(f"'{item.title}' ({item.page})")
            continue
        record, more = engagement(item, recorded)
        if record["id"] in by_page.values():
            continue
        by_page[item.page] = record["id"]
        records.append((record, item, more))
        ran += [{"type": "RAN", "from": producers[o], "to": record["id"]} for o in item.organisations if o in producers]
    # The registry's own record of a consultation (by name) keeps its id; once for the whole harvest.
    whole = reconcile(Harvest(SOURCE, recorded, [r for r, _i, _m in records], ran), graph)
    items = {item.page: (item, more) for _r, item, more in records}
    out = Harvest(SOURCE, recorded, notes=notes)
    for record in whole.nodes:
        item, more = items[record["source"]]
        involved = []
        if not _involved_in_registry(graph, record["id"]):
            involved = [{"type": "INVOLVED", "from": record["id"], "to": pid, "confirmed": False}
                        for pid, _why in propose_publics(item.text, publics)]
            if not involved and model.must_involve_public(record):
                state = (f"now {record['status']}; left as the registry has it" if record["id"] in graph
                         else record["status"])
                skipped.append(f"'{item.title}' ({item.page}, {state})")
                continue
        notes += more
        proposed += len(involved)
        out.nodes.append(record)
        out.edges += [e for e in whole.edges if e["to"] == record["id"]] + involved
    if proposed:
        notes.append(f"Proposed {proposed} public(s) as involved, from the consultations' text: each is marked "
                     "not confirmed and does not count towards burden until an editor confirms it.")
    if skipped:
        notes.append(f"Left out {len(skipped)} consultation(s) the registry would record as held or reported, "
                     "as no public of the registry could be proposed and one must be involved: "
                     + "; ".join(skipped) + ". Record them by hand, or give the public an alias that names "
                     "them and harvest again.")
    if undated:
        notes.append(f"Left out {len(undated)} consultation(s) with no opening date: " + "; ".join(undated) + ".")
    _check(out, graph)
    return out


def _check(out: Harvest, graph: nx.MultiDiGraph) -> None:
    """Every record and relationship against the model: a failure here is a bug in this module."""
    labels = {n: d.get("label") for n, d in graph.nodes(data=True)}
    labels.update({n["id"]: n["label"] for n in out.nodes})
    problems = [p for n in out.nodes for p in model.validate_node(n)]
    problems += [p for e in out.edges for p in model.validate_edge(e, labels)]
    if problems:
        raise HarvestError(SOURCE, "records", "; ".join(map(str, problems[:5])))
