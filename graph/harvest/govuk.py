"""The GOV.UK source: statistics series, their producers, topics and team mailboxes.

Two GOV.UK APIs are read. The Search API lists an organisation's editions of official and
accredited official statistics (each result is one edition: a title, a link, a date and
the document collections it belongs to). Editions are grouped into series by their
statistics collection; an edition in no collection joins the series its title names
once the period is stripped (:func:`series_title`). The Content API of each collection
then gives the organisations that publish it (the producers), the GOV.UK taxons it is
tagged with (the topics), which of its documents are accredited ("national statistics"),
and the body text, where a team sometimes gives its mailbox.

Most collection bodies give no mailbox, so for the Ministry of Justice two more
sources of its teams' mailboxes are read, because the MoJ publishes them itself:

- its statistics catalogue API, ``https://data.justice.gov.uk/api/publications``
  (:func:`read_catalogue`): each series' GOV.UK collection page (``indexUri``), owner
  mailbox (``ownerEmail``) and frequency, which becomes the series' ``release``. It is
  read when the Ministry of Justice is among the organisations, live or from the
  recording; a recording without it is no error, just a note that it was not read.
- the mapping file of ministryofjustice/data-catalogue (:data:`MAPPING_FILE`), given as
  one more ``--recorded`` input and known by its shape (:func:`read_mapping`):
  collection slug to subject areas and, for most, a contact mailbox. Its subject
  areas (the department's own classification) become topics of the series, beside
  GOV.UK's taxons.

A mailbox is taken from the first of these that gives one: the collection's own body,
then the catalogue, then the mapping file; the record's ``source`` then also names where
the mailbox came from. Only what the sources say is used: a series none gives a
mailbox for gets no contact of its own (enquiries then go to its producer), and only
organisational mailboxes are kept, never a named person's address (:func:`is_personal`),
wherever it is found.

The default organisation is the Ministry of Justice: the only one recorded
(``moj-govuk-search-content.yaml``, 20 November 2024; the catalogue
``justice-data-publications.yaml``, 13 November 2024; and the mapping file at
data-catalogue f566181d). Records are dated by the latest of the recordings read.
"""
from __future__ import annotations

import datetime as _dt
import re
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .. import model
from ..nations import nations_in
from . import fetch
from .base import Harvest, HarvestError, slug

SOURCE = "govuk"
DEFAULT_ORGANISATIONS = ("ministry-of-justice",)
GOVUK = "https://www.gov.uk"
SEARCH = GOVUK + "/api/search.json"
COLLECTION_API = GOVUK + "/api/content/government/collections/"
ORGANISATION_API = GOVUK + "/api/content/government/organisations/"
MOJ = "ministry-of-justice"
CATALOGUE = "https://data.justice.gov.uk/api/publications"
CATALOGUE_NAME = "MoJ statistics catalogue (data.justice.gov.uk/api/publications)"
MAPPING_REPO, MAPPING_COMMIT = "ministryofjustice/data-catalogue", "f566181d08f074691e321a60e95a173141f82ff9"
MAPPING_FILE = "ingestion/moj_statistical_publications_source/publication_collection_mappings.yaml"
MAPPING_NAME = f"{MAPPING_REPO} {MAPPING_FILE.rpartition('/')[2]}"
# The mapping file's page at the commit recorded (the file itself names no version).
MAPPING_PAGE = f"https://github.com/{MAPPING_REPO}/blob/{MAPPING_COMMIT}/{MAPPING_FILE}"
MAPPING_FIELDS = ("subject_areas", "contact_email")
PAGE = 1500
DOCUMENT_TYPES = ("national_statistics", "official_statistics")
FIELDS = ("description", "document_collections", "link", "public_timestamp", "title", "first_published_at")
ORGANISATION_PATH = "/government/organisations/"
COLLECTION_PATH = "/government/collections/"

# Collections that gather one-off releases rather than editions of one series.
CATCH_ALL = re.compile(r"\bad[\s-]*hoc\b|\btopical\b", re.IGNORECASE)
# Documents in no collection that are no edition of a series: one-off ad hoc releases, notices of a
# release to come, and notes about the statistics themselves (policies, changes, archives).
NOT_AN_EDITION = re.compile(r"\bad[\s-]*hoc\b|^future publication\b|^intention to publish\b|^statistical notice\b|"
                            r"\bpolicy and procedures\b|^changes to\b|\barchive$|\bfor comment$", re.IGNORECASE)
# GOV.UK statuses of an organisation that no longer exists under that name.
DEFUNCT = ("closed", "changed_name", "replaced", "merged", "split", "devolved", "left_gov", "no_longer_exists")
ORGANISATION_KINDS = {
    "ministerial_department": "department", "non_ministerial_department": "department",
    "executive_agency": "agency", "executive_office": "agency", "devolved_administration": "devolved_government",
    "executive_ndpb": "public_body", "advisory_ndpb": "public_body", "tribunal": "public_body",
    "public_corporation": "public_body", "independent_monitoring_body": "public_body",
    "ad_hoc_advisory_group": "public_body", "sub_organisation": "team", "other": "public_body",
}
# Words in the name part of a mailbox that say it belongs to a team or service, not a person.
ROLE_WORDS = re.compile(
    r"stat|data|team|enquir|inquir|info|contact|help|desk|office|unit|service|press|media|feedback|foi|analy|"
    r"research|admin|mailbox|correspondence|quer|support|general|secretariat|publication|survey|evidence|insight|"
    r"digital|inbox|programme|project|hub|centre|center|division|directorate|branch|group|panel|board",
    re.IGNORECASE)
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec")
# A year or a span of years as titles write them: 2024, 2023/24, 2014-15, 2019-2020.
YEAR = re.compile(r"\(?(?:19|20)\d{2}(?:[/-](?:19|20)?\d{2})?\)?")
# Words that, beside a year, month or quarter, make up the period at the end of a title.
PERIOD_WORDS = ("to", "and", "from", "for", "in", "of", "the", "at", "as", "on", "end", "ending", "ended", "year",
                "years", "update", "updated", "financial", "calendar", "quarter", "quarters", "q1", "q2", "q3", "q4",
                "-", "–", "—", "/")

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Edition:
    """One search result: an edition of a statistic, with the collections it belongs to."""

    title: str
    link: str
    date: str
    description: str
    collections: tuple[tuple[str, str], ...]
    organisation: str


@dataclass(frozen=True)
class Organisation:
    """An organisation as the Content API links it: its GOV.UK slug, title and acronym."""

    slug: str
    title: str
    acronym: str = ""
    kind: str = ""
    status: str = ""
    parents: tuple["Organisation", ...] = ()


@dataclass(frozen=True)
class Taxon:
    """A GOV.UK topic (taxon) a collection is tagged with, and its broader taxons."""

    title: str
    url: str
    parents: tuple["Taxon", ...] = ()


@dataclass
class Collection:
    """What a collection's Content API response says about its series."""

    slug: str
    title: str
    description: str
    organisations: list[Organisation]
    taxons: list[Taxon]
    mailbox: str | None
    document_types: dict[str, str]


@dataclass(frozen=True)
class Listing:
    """What a source other than the collection says of it: a team mailbox, a release frequency, subject areas."""

    mailbox: str | None = None
    release: str | None = None
    subjects: tuple[str, ...] = ()


@dataclass
class Listings:
    """One such source: its listings by collection slug, its name for ``source``, and named persons dropped."""

    name: str
    by_slug: dict[str, Listing] = field(default_factory=dict)
    personal: int = 0


@dataclass
class Series:
    """Editions grouped as one statistic: by collection (``slug``), or by title for loose editions."""

    title: str
    slug: str | None
    editions: list[Edition] = field(default_factory=list)

    @property
    def latest(self) -> Edition:
        return max(self.editions, key=lambda e: (e.date, e.link))


def from_recorded(paths: Path | Sequence[Path], organisations: Sequence[str] = (),
                  progress: Progress | None = None) -> Harvest:
    """Harvest from saved responses: VCR cassettes, folders of them, or folders :class:`~.fetch.Live` saved.

    ``paths`` is one path or several, read as one recording (a URL from the first that
    holds it). A YAML file shaped as a data-catalogue mapping file (:func:`read_mapping`),
    given or in a folder given, is read as that, not as responses. Records are dated by
    the recording (the latest of the responses' ``Date``), never by today.
    """
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not paths:
        raise HarvestError("--recorded", "", "names no file or folder")
    mappings: list[Listings] = []

    def take(file: Path, data) -> bool:
        found = read_mapping(data, str(file))
        if found is not None:
            mappings.append(found)
        return found is not None

    reader = fetch.Readers([fetch.recorded_reader(p, take) for p in paths])
    where = ", ".join(map(str, paths))
    if not reader.readers:
        raise HarvestError(where, "", "holds no recorded responses (only a collection mapping file): "
                                      "give the GOV.UK recording too")
    if not reader.recorded:
        raise HarvestError(where, "recorded", "says no date it was recorded (no Date headers or saved dates), "
                                              "so records cannot be dated")
    if len(reader.readers) == 1:
        reader = reader.readers[0]
    return harvest(reader, organisations, reader.recorded, progress, _merged(mappings))


def from_live(reader: fetch.Reader, organisations: Sequence[str] = (), progress: Progress | None = None) -> Harvest:
    """Harvest from the live GOV.UK APIs through ``reader``; records are dated today."""
    return harvest(reader, organisations, _dt.date.today().isoformat(), progress)


def harvest(reader: fetch.Reader, organisations: Sequence[str], recorded: str,
            progress: Progress | None = None, mapping: Listings | None = None) -> Harvest:
    """Every series the organisations publish on GOV.UK, with producers, topics and mailboxes.

    For the Ministry of Justice the catalogue at :data:`CATALOGUE` is read through the same
    reader; ``mapping`` is a data-catalogue mapping file read beforehand (:func:`read_mapping`).
    All responses are read and checked before any record is made, so bad input raises
    :class:`~.base.HarvestError` and nothing partial is returned.
    """
    requested = tuple(dict.fromkeys(organisations or DEFAULT_ORGANISATIONS))
    notes: list[str] = []
    editions = _unique(e for org in requested for e in read_editions(reader, org))
    collections, loose, skipped = group(editions)
    notes += skipped
    read: dict[str, Collection] = {}
    for done, key in enumerate(sorted(collections)):
        if progress:
            progress("collections", done, len(collections))
        read[key] = read_collection(reader, key)
    if progress:
        progress("collections", len(collections), len(collections))
    known = {o.slug: o for c in read.values() for o in c.organisations}
    for org in requested:
        if org not in known:
            known[org] = read_organisation(reader, org)
    others = []
    if MOJ in requested:
        try:
            others.append(read_catalogue(reader))
        except fetch.NotRecorded:
            notes.append(f"Team mailboxes from the {CATALOGUE_NAME} were not read: the recording does not hold "
                         f"{CATALOGUE}.")
    if mapping is not None:
        others.append(mapping)
    return _records(requested, collections, loose, read, known, recorded, notes, others)


def search_url(organisation: str, start: int = 0, count: int = PAGE, document_types: Sequence[str] = DOCUMENT_TYPES,
               fields: Sequence[str] = FIELDS) -> str:
    """The Search API query for one page of an organisation's documents of ``document_types``
    (by default its statistics editions), asking for ``fields``.

    >>> fetch.canonical(search_url("ministry-of-justice")) == fetch.canonical(
    ...     "https://www.gov.uk/api/search.json?filter_organisations=ministry-of-justice"
    ...     "&filter_content_store_document_type=national_statistics"
    ...     "&filter_content_store_document_type=official_statistics&fields=description"
    ...     "&fields=document_collections&fields=link&fields=public_timestamp&fields=title"
    ...     "&fields=first_published_at&count=1500&start=0")
    True
    """
    query = [("filter_organisations", organisation)]
    query += [("filter_content_store_document_type", t) for t in document_types]
    query += [("fields", f) for f in fields]
    query += [("count", str(count)), ("start", str(start))]
    return f"{SEARCH}?{urllib.parse.urlencode(query)}"


def search_results(reader: fetch.Reader, url_for: Callable[[int], str]) -> Iterator[tuple[str, str, object]]:
    """``(url, where, result)`` for every result of a Search API query, page by page until ``total``.

    ``url_for(start)`` is the query for the page starting at ``start``; a page that is not the
    Search API's shape is a HarvestError naming the field.
    """
    start = 0
    while True:
        url = url_for(start)
        data = _object(reader.get_json(url), url)
        results, total = data.get("results"), data.get("total")
        if not isinstance(results, list):
            raise HarvestError(url, "results", "is missing or not a list")
        if isinstance(total, bool) or not isinstance(total, int):
            raise HarvestError(url, "total", "is missing or not a number")
        for i, result in enumerate(results):
            yield url, f"results[{i}]", result
        start += len(results)
        if start >= total:
            return
        if not results:
            raise HarvestError(url, "results", f"is empty at start={start}, though total says {total}")


def read_editions(reader: fetch.Reader, organisation: str) -> list[Edition]:
    """Every edition the Search API lists for ``organisation``."""
    return [edition(result, url, where, organisation)
            for url, where, result in search_results(reader, lambda start: search_url(organisation, start))]


def edition(result, url: str, where: str, organisation: str) -> Edition:
    """One search result as an :class:`Edition`, or a HarvestError naming the field that is wrong.

    >>> e = edition({"title": "Legal aid statistics: April to June 2024", "link": "/government/statistics/x",
    ...              "public_timestamp": "2024-09-26T09:30:00.000+01:00",
    ...              "document_collections": [{"slug": "legal-aid-statistics", "title": "Legal aid statistics"}]},
    ...             "u", "results[0]", "ministry-of-justice")
    >>> e.date, e.collections
    ('2024-09-26', (('legal-aid-statistics', 'Legal aid statistics'),))
    >>> edition({"title": "X"}, "u", "results[3]", "moj")
    Traceback (most recent call last):
    ...
    graph.harvest.base.HarvestError: u: results[3].link: is missing
    """
    if not isinstance(result, dict):
        raise HarvestError(url, where, "is not an object")
    title, link = _text(result, "title", url, where), _text(result, "link", url, where)
    if not link.startswith("/"):
        raise HarvestError(url, f"{where}.link", f"is not a GOV.UK path: {link!r}")
    stamp_field = "first_published_at" if result.get("first_published_at") and not result.get("public_timestamp") \
        else "public_timestamp"
    date = _date(result.get(stamp_field), url, f"{where}.{stamp_field}")
    collections = []
    for j, item in enumerate(result.get("document_collections") or []):
        here = f"{where}.document_collections[{j}]"
        if not isinstance(item, dict):
            raise HarvestError(url, here, "is not an object")
        key = item.get("slug") or str(item.get("link") or "").rpartition(COLLECTION_PATH)[2]
        if not key:
            raise HarvestError(url, f"{here}.slug", "is missing")
        collections.append((key, _text(item, "title", url, here)))
    description = result.get("description") if isinstance(result.get("description"), str) else ""
    return Edition(title, link, date, description, tuple(collections), organisation)


def series_title(title: str) -> str:
    """The name of a series from the title of one edition: the period or date at its end stripped.

    Words are dropped from the end while they belong to a period ("April to June 2024",
    "update to March 2024", "2019 - 2020"), provided one of them is a year, a month or a
    quarter; a title with no period at its end is returned as it is.

    >>> series_title("Proven reoffending statistics: July to September 2022")
    'Proven reoffending statistics'
    >>> series_title("HMPPS Annual Digest, April 2020 to March 2021")
    'HMPPS Annual Digest'
    >>> series_title("Prison Population Projections: 2020 to 2026"), series_title("Judicial Diversity Statistics 2017")
    ('Prison Population Projections', 'Judicial Diversity Statistics')
    >>> series_title("Prison Education Statistics 2019 - 2020"), series_title("Legal aid statistics 2022/23")
    ('Prison Education Statistics', 'Legal aid statistics')
    >>> series_title("Offender Accommodation Outcomes, update to March 2024")
    'Offender Accommodation Outcomes'
    >>> series_title("Workforce information report: quarter 3, 2014 to 2015")
    'Workforce information report'
    >>> series_title("Estimates of children with a parent in prison"), series_title("2021 Census")
    ('Estimates of children with a parent in prison', '2021 Census')
    """
    words = title.split()
    keep, periodic = len(words), False
    while keep > 1:
        word = words[keep - 1].lower().strip(",:;.")
        if YEAR.fullmatch(word) or word in MONTHS or re.fullmatch(r"q[1-4]|quarters?", word):
            periodic = True
        elif not (word in PERIOD_WORDS or re.fullmatch(r"\d{1,2}(?:st|nd|rd|th)?", word) or not word):
            break
        keep -= 1
    if not periodic:
        return title.strip()
    return " ".join(words[:keep]).rstrip(" :,;-–—") or title.strip()


def is_catch_all(key: str, title: str) -> bool:
    """Whether a collection gathers one-off releases (ad hoc, topical) rather than one series.

    >>> is_catch_all("ad-hoc-justice-statistics", "Ad hoc justice statistics")
    True
    >>> is_catch_all("topical-criminal-justice-publications", "Topical criminal justice publications")
    True
    >>> is_catch_all("proven-reoffending-statistics", "Proven reoffending statistics")
    False
    """
    return bool(CATCH_ALL.search(title) or CATCH_ALL.search(key.replace("-", " ")))


def duplicate_of(key: str, title: str, titles: dict[str, str]) -> str | None:
    """The collection a ``--N`` copy duplicates (GOV.UK suffixes a reused slug), when both share a title.

    >>> duplicate_of("offender-management-statistics-quarterly--3", "Offender management statistics quarterly",
    ...              {"offender-management-statistics-quarterly": "Offender management statistics quarterly"})
    'offender-management-statistics-quarterly'
    >>> duplicate_of("households-below-average-income-hbai--2", "Households below average income (HBAI)", {})
    """
    match = re.fullmatch(r"(.+?)--\d+", key)
    if match and match.group(1) in titles and slug(titles[match.group(1)]) == slug(title):
        return match.group(1)
    return None


def group(editions: Sequence[Edition]) -> tuple[dict[str, Series], dict[str, Series], list[str]]:
    """Editions as series: by collection slug, and (loose editions) by series title; with notes.

    An edition in several collections counts in each. Catch-all collections are no
    series, and an edition only in one is skipped. A loose edition joins a collection
    when its series title is the collection's title, or that of editions in it (and of
    no other collection); the rest are series of their own, by title.
    """
    titles = {k: t for e in editions for k, t in e.collections}
    collections: dict[str, Series] = {}
    loose: list[Edition] = []
    catch_all: dict[str, int] = {}
    folded: dict[str, str] = {}
    announcements = 0
    for e in editions:
        keys = []
        for key, title in e.collections:
            if is_catch_all(key, title):
                continue
            target = duplicate_of(key, title, titles)
            if target:
                folded[key] = target
            keys.append(target or key)
        for key in dict.fromkeys(keys):
            collections.setdefault(key, Series(titles[key], key)).editions.append(e)
        if e.collections and not keys:
            title = e.collections[0][1]
            catch_all[title] = catch_all.get(title, 0) + 1
        elif not e.collections and NOT_AN_EDITION.search(e.title):
            announcements += 1
        elif not e.collections:
            loose.append(e)
    named: dict[str, set[str]] = {}
    titled: dict[str, set[str]] = {}
    for key, series in collections.items():
        named.setdefault(slug(series.title), set()).add(key)
        for e in series.editions:
            titled.setdefault(slug(series_title(e.title)), set()).add(key)
    by_title: dict[str, Series] = {}
    for e in loose:
        name = series_title(e.title)
        owners = named.get(slug(name)) or titled.get(slug(name)) or set()
        if len(owners) == 1:
            collections[next(iter(owners))].editions.append(e)
        else:
            by_title.setdefault(slug(name), Series(name, None)).editions.append(e)
    for series in by_title.values():
        series.title = series_title(series.latest.title)
    notes = [f"Skipped {n} edition(s) only in the catch-all collection '{t}': one-off releases, not a series."
             for t, n in sorted(catch_all.items())]
    notes += [f"Collection '{k}' is a copy of '{v}' (same title): its editions are counted there."
              for k, v in sorted(folded.items())]
    if announcements:
        notes.append(f"Skipped {announcements} document(s) in no collection that are ad hoc releases, notices "
                     "of a release to come or notes about the statistics (policies, changes, archives).")
    return collections, by_title, notes


def collection_url(key: str) -> str:
    """The Content API address of a collection.

    >>> collection_url("legal-aid-statistics")
    'https://www.gov.uk/api/content/government/collections/legal-aid-statistics'
    """
    return COLLECTION_API + key


def read_collection(reader: fetch.Reader, key: str) -> Collection:
    """A collection's organisations, taxons, document types and mailbox, from the Content API."""
    url = collection_url(key)
    data = _object(reader.get_json(url), url)
    title = _text(data, "title", url, "")
    links = data.get("links") if isinstance(data.get("links"), dict) else {}
    orgs = links.get("organisations")
    if not isinstance(orgs, list) or not orgs:
        raise HarvestError(url, "links.organisations", "is missing: the collection names no organisation")
    organisations = [organisation(o, url, f"links.organisations[{i}]") for i, o in enumerate(orgs)]
    taxons = [taxon(t, url, f"links.taxons[{i}]") for i, t in enumerate(links.get("taxons") or [])]
    types = {}
    for doc in links.get("documents") or []:
        if isinstance(doc, dict) and isinstance(doc.get("base_path"), str):
            types[doc["base_path"]] = str(doc.get("document_type") or "")
    details = data.get("details") if isinstance(data.get("details"), dict) else {}
    body = details.get("body") if isinstance(details.get("body"), str) else ""
    description = data.get("description") if isinstance(data.get("description"), str) else ""
    return Collection(key, title, description, organisations, taxons, team_mailbox(body), types)


def collection_slug(uri: str) -> str | None:
    """The slug of a GOV.UK collection page's address (any ``#fragment`` dropped); None for any other page.

    >>> collection_slug("https://www.gov.uk/government/collections/prison-and-probation-trusts-performance-statistics"
    ...                 "#community-performance-statistics")
    'prison-and-probation-trusts-performance-statistics'
    >>> [collection_slug(u) for u in ("https://www.gov.uk/government/statistics/hmpps-annual-digest-2023",
    ...                               "https://www.ons.gov.uk/peoplepopulationandcommunity/crimeandjustice")]
    [None, None]
    """
    parts = urllib.parse.urlsplit(uri.strip())
    if parts.netloc.lower() not in ("www.gov.uk", "gov.uk") or not parts.path.startswith(COLLECTION_PATH):
        return None
    key = parts.path[len(COLLECTION_PATH):].rstrip("/")
    return key if key and "/" not in key else None


def release(frequency: str) -> str:
    """A catalogue frequency as a ``release``: lower case, words split.

    >>> release("Quarterly"), release("Annual"), release("AdHoc")
    ('quarterly', 'annual', 'ad hoc')
    """
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", frequency.strip()).lower()


def read_catalogue(reader: fetch.Reader) -> Listings:
    """The MoJ statistics catalogue (:data:`CATALOGUE`): each collection's owner mailbox and frequency.

    Each entry is one series: ``indexUri`` is its GOV.UK page (entries for other pages,
    such as the ONS's or one publication's, are no collection and are left out);
    ``ownerEmail`` its owner's mailbox, kept only when organisational; ``frequency`` how
    often it is released. When several entries share a collection, the mailbox is that of
    the first entry for the whole collection (no ``#fragment``), else of the first entry;
    the release names each frequency once.
    """
    url = CATALOGUE
    data = reader.get_json(url)
    if not isinstance(data, list):
        raise HarvestError(url, "body", "is not a JSON list of publications")
    entries: dict[str, list[tuple[bool, str | None, str | None]]] = {}
    personal = 0
    for i, entry in enumerate(data):
        where = f"[{i}]"
        if not isinstance(entry, dict):
            raise HarvestError(url, where, "is not an object")
        uri = _text(entry, "indexUri", url, where)
        owner = _optional_text(entry, "ownerEmail", url, where)
        if owner is not None and not EMAIL.fullmatch(owner):
            raise HarvestError(url, f"{where}.ownerEmail", f"is not an email address: {owner!r}")
        frequency = _optional_text(entry, "frequency", url, where)
        key = collection_slug(uri)
        if owner is not None and is_personal(owner, (key or "").split("-")):
            personal, owner = personal + 1, None
        if key:
            entries.setdefault(key, []).append(("#" not in uri, owner, frequency))
    out = Listings(CATALOGUE_NAME, personal=personal)
    for key, found in entries.items():
        ordered = [e for e in found if e[0]] + [e for e in found if not e[0]]
        mailbox = next((owner for _whole, owner, _f in ordered if owner), None)
        releases = dict.fromkeys(release(f) for _whole, _o, f in found if f)
        out.by_slug[key] = Listing(mailbox, " and ".join(releases) or None)
    return out


def read_mapping(data, where: str) -> Listings | None:
    """A data-catalogue mapping file: collection slug to subject areas and contact mailbox.

    ``data`` is the parsed YAML; None when it is not shaped as one (a mapping of slugs to
    mappings with ``subject_areas`` or ``contact_email``, such as a cassette is not), and a
    HarvestError naming the file and field when it is but a field is wrong. A named
    person's address is dropped (and counted).

    >>> m = read_mapping({"legal-aid-statistics": {"subject_areas": ["Legal aid"],
    ...                                            "contact_email": "statistics@justice.gov.uk"},
    ...                   "x": {"contact_email": "robert.hartley@justice.gov.uk"}, "y": None}, "m.yaml")
    >>> m.by_slug["legal-aid-statistics"], m.by_slug["x"].mailbox, m.personal
    (Listing(mailbox='statistics@justice.gov.uk', release=None, subjects=('Legal aid',)), None, 1)
    >>> read_mapping({"interactions": []}, "c.yaml") is None
    True
    >>> read_mapping({"x": {"subject_areas": "Courts"}}, "m.yaml")
    Traceback (most recent call last):
    ...
    graph.harvest.base.HarvestError: m.yaml: x.subject_areas: is not a list of names
    """
    if not isinstance(data, dict) or not data or "interactions" in data:
        return None
    if not all(isinstance(k, str) and (v is None or isinstance(v, dict)) for k, v in data.items()):
        return None
    if not any(isinstance(v, dict) and any(f in v for f in MAPPING_FIELDS) for v in data.values()):
        return None
    out = Listings(MAPPING_NAME)
    for key, value in data.items():
        value = value or {}
        areas = value.get("subject_areas") or []
        if not isinstance(areas, list) or not all(isinstance(a, str) and a.strip() for a in areas):
            raise HarvestError(where, f"{key}.subject_areas", "is not a list of names")
        mailbox = _optional_text(value, "contact_email", where, key)
        if mailbox is not None and not EMAIL.fullmatch(mailbox):
            raise HarvestError(where, f"{key}.contact_email", f"is not an email address: {mailbox!r}")
        if mailbox is not None and is_personal(mailbox, key.split("-")):
            out.personal, mailbox = out.personal + 1, None
        out.by_slug[key] = Listing(mailbox, None, tuple(dict.fromkeys(a.strip() for a in areas)))
    return out


def _merged(mappings: Sequence[Listings]) -> Listings | None:
    """Several mapping files as one: a slug from the first that lists it."""
    if not mappings:
        return None
    out = Listings(mappings[0].name, personal=sum(m.personal for m in mappings))
    for m in mappings:
        for key, listing in m.by_slug.items():
            out.by_slug.setdefault(key, listing)
    return out


def organisation(link, url: str, where: str) -> Organisation:
    """An organisation linked from a response, or a HarvestError naming the field.

    >>> organisation({"title": "Legal Aid Agency", "base_path": "/government/organisations/legal-aid-agency",
    ...               "details": {"acronym": "LAA"}}, "u", "links.organisations[1]")
    Organisation(slug='legal-aid-agency', title='Legal Aid Agency', acronym='LAA', kind='', status='', parents=())
    >>> organisation({"title": "X"}, "u", "links.organisations[0]")
    Traceback (most recent call last):
    ...
    graph.harvest.base.HarvestError: u: links.organisations[0].base_path: is missing
    """
    if not isinstance(link, dict):
        raise HarvestError(url, where, "is not an object")
    title, path = _text(link, "title", url, where), _text(link, "base_path", url, where)
    key = path.rpartition(ORGANISATION_PATH)[2]
    if not path.startswith(ORGANISATION_PATH) or not key or "/" in key:
        raise HarvestError(url, f"{where}.base_path", f"is not an organisation's page: {path!r}")
    details = link.get("details") if isinstance(link.get("details"), dict) else {}
    status = details.get("organisation_govuk_status")
    links = link.get("links") if isinstance(link.get("links"), dict) else {}
    named = "ordered_parent_organisations" if links.get("ordered_parent_organisations") else "parent_organisations"
    parents = tuple(organisation(p, url, f"{where}.links.{named}[{i}]".lstrip("."))
                    for i, p in enumerate(links.get(named) or []))
    return Organisation(key, title.strip(), str(details.get("acronym") or "").strip(),
                        str(details.get("organisation_type") or ""),
                        str(status.get("status") or "") if isinstance(status, dict) else "", parents)


def read_organisation(reader: fetch.Reader, key: str) -> Organisation:
    """A requested organisation that no collection links, from its own Content API document."""
    url = ORGANISATION_API + key
    data = _object(reader.get_json(url), url)
    return organisation({**data, "base_path": data.get("base_path") or ORGANISATION_PATH + key}, url, "")


def taxon(link, url: str, where: str) -> Taxon:
    """A taxon a collection is tagged with, and its parent taxons (the GOV.UK homepage is no topic)."""
    if not isinstance(link, dict):
        raise HarvestError(url, where, "is not an object")
    title = _text(link, "title", url, where)
    links = link.get("links") if isinstance(link.get("links"), dict) else {}
    parents = links.get("parent_taxons") or []
    page = link.get("web_url") or GOVUK + str(link.get("base_path") or "")
    return Taxon(title.strip(), page, tuple(taxon(p, url, f"{where}.links.parent_taxons[{i}]")
                                            for i, p in enumerate(parents)))


class _Mailboxes(HTMLParser):
    """Addresses in body HTML: those in the "Contact us" block, in ``mailto:`` links, and in text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._divs: list[bool] = []

    @property
    def _in_contact(self) -> bool:
        return any(self._divs)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":
            self._divs.append("contact" in (attrs.get("class") or "").split())
        href = attrs.get("href") or ""
        if tag == "a" and href.lower().startswith("mailto:"):
            address = urllib.parse.unquote(href[7:].split("?")[0]).strip()
            self.found.append((0 if self._in_contact else 1, address))

    def handle_endtag(self, tag):
        if tag == "div" and self._divs:
            self._divs.pop()

    def handle_data(self, data):
        self.found += [(0 if self._in_contact else 2, a) for a in EMAIL.findall(data)]


def mailboxes(html: str) -> list[str]:
    """Every address in body HTML, the "Contact us" block first, then links, then text; once each.

    >>> mailboxes('<p>Ask <a href="mailto:Justice.datalab@justice.gov.uk">justice.datalab@justice.gov.uk</a></p>'
    ...           '<div class="contact"><p>statistics@justice.gov.uk</p></div>')
    ['statistics@justice.gov.uk', 'Justice.datalab@justice.gov.uk']
    >>> mailboxes("<p>on request from &lt;<a href='mailto:MOJPNCteam@justice.gov.uk'>x</a>&gt;</p>")
    ['MOJPNCteam@justice.gov.uk']
    """
    parser = _Mailboxes()
    parser.feed(html or "")
    parser.close()
    seen: dict[str, str] = {}
    for _rank, address in sorted(parser.found, key=lambda f: f[0]):
        if EMAIL.fullmatch(address):
            seen.setdefault(address.lower(), address)
    return list(seen.values())


def is_personal(address: str, names: Sequence[str] = ()) -> bool:
    """Whether a mailbox looks like a person's: its name part holds no word of a team or service,
    is not an acronym in capitals, and shares no word with the series it is given for (``names``).

    >>> is_personal("jane.smith@justice.gov.uk"), is_personal("j.smith@justice.gov.uk"), is_personal("jsmith@x.gov.uk")
    (True, True, True)
    >>> [is_personal(a) for a in ("statistics@justice.gov.uk", "Justice.datalab@justice.gov.uk",
    ...                           "MOJPNCteam@justice.gov.uk", "CrimeandPoliceStats@homeoffice.gov.uk", "CAJS@justice.gov.uk")]
    [False, False, False, False, False]
    >>> is_personal("criminal_court_sta@justice.gov.uk", ["criminal", "court", "statistics"])
    False
    >>> is_personal("mappa@justice.gov.uk", ["mappa", "annual", "reports"]), is_personal("robert.hartley@justice.gov.uk", ["workforce"])
    (False, True)
    """
    local = address.partition("@")[0]
    if ROLE_WORDS.search(local) or re.fullmatch(r"[A-Z]{3,10}", local):
        return False
    series_words = {n.lower() for n in names if len(n) >= 4}
    return not series_words & set(re.split(r"[._-]+", local.lower()))


def team_mailbox(html: str) -> str | None:
    """The first organisational mailbox in body HTML; a named person's address is never taken.

    >>> team_mailbox('<div class="contact"><a href="mailto:john.smith@justice.gov.uk">John</a></div>'
    ...              '<p>Email <a href="mailto:statistics.enquiries@justice.gov.uk">us</a></p>')
    'statistics.enquiries@justice.gov.uk'
    >>> team_mailbox('<p>Contact jane.doe@justice.gov.uk</p>') is None
    True
    """
    return next((a for a in mailboxes(html) if not is_personal(a)), None)


def producer_id(org: Organisation) -> str:
    """A short readable id: the acronym in lower case when it is one, else the GOV.UK slug.

    >>> producer_id(Organisation("ministry-of-justice", "Ministry of Justice", "MOJ"))
    'moj'
    >>> producer_id(Organisation("home-office", "Home Office", "Home Office"))
    'home-office'
    """
    if _is_acronym(org.acronym, org.title):
        return slug(org.acronym)
    return slug(org.slug)


def _is_acronym(acronym: str, title: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z0-9&]{1,11}", acronym)) and acronym.lower() != title.lower()


def producer_kind(org: Organisation) -> str:
    """The registry's kind of producer: from GOV.UK's organisation type, else from the name.

    >>> [producer_kind(Organisation("x", t)) for t in ("Ministry of Justice", "Home Office", "Legal Aid Agency",
    ...  "HM Prison and Probation Service", "Youth Justice Board for England and Wales")]
    ['department', 'department', 'agency', 'agency', 'public_body']
    >>> producer_kind(Organisation("x", "Scottish Government", kind="devolved_administration"))
    'devolved_government'
    """
    if org.kind in ORGANISATION_KINDS:
        return ORGANISATION_KINDS[org.kind]
    if re.search(r"^(?:ministry|department)\b|\boffice$", org.title, re.IGNORECASE):
        return "department"
    if re.search(r"\b(?:board|commission|authority|council|tribunal|ombudsman|inspectorate)\b", org.title, re.I):
        return "public_body"
    return "agency"


def _records(requested: Sequence[str], collections: dict[str, Series], loose: dict[str, Series],
             read: dict[str, Collection], known: dict[str, Organisation], recorded: str,
             notes: list[str], others: Sequence[Listings] = ()) -> Harvest:
    """The records and relationships of a harvest, from series and the collections read for them.

    ``others`` are the sources beside GOV.UK, in order of precedence: the first that gives a
    collection a mailbox (when its body gave none) or a release is taken.
    """
    ids = _producer_ids(known)
    out = Harvest(SOURCE, recorded, scope={ids[o] for o in requested}, notes=notes)
    producers: dict[str, dict] = {}
    topics: dict[str, dict] = {}
    edges: set[tuple[str, str, str]] = set()
    statistics: list[dict] = []
    used: set[str] = set(ids.values())
    defunct: set[str] = set()
    no_mailbox = 0
    filled = {o.name: 0 for o in others}
    subject_areas: list[tuple[str, tuple[str, ...]]] = []
    for key in sorted(collections):
        series, found = collections[key], read[key]
        orgs = [o for o in found.organisations if o.status not in DEFUNCT] or found.organisations
        defunct |= {o.title for o in found.organisations if o not in orgs}
        listed = [(o.name, o.by_slug[key]) for o in others if key in o.by_slug]
        mailbox, origin = found.mailbox, None
        if not mailbox:
            origin, mailbox = next(((name, x.mailbox) for name, x in listed if x.mailbox), (None, None))
        frequency = next((x.release for _name, x in listed if x.release), None)
        stat = _statistic(series, found, recorded, ids[orgs[0].slug], used, mailbox, origin, frequency)
        no_mailbox += "contact" not in stat
        if origin:
            filled[origin] += 1
        statistics.append(stat)
        for org in orgs:
            edges.add(("PRODUCES", ids[org.slug], stat["id"]))
        for tax in found.taxons:
            edges.add(("ABOUT", stat["id"], _topic(tax, recorded, topics, edges)))
        areas = next((x.subjects for _name, x in listed if x.subjects), ())
        if areas:  # the department's own subject areas, beside GOV.UK's taxons
            subject_areas.append((stat["id"], areas))
        _add_producers(orgs, ids, recorded, producers, edges)
    for sid, areas in subject_areas:  # after the taxons, so a topic GOV.UK also names keeps GOV.UK's page
        for area in areas:
            tid = "topic." + slug(area)
            topics.setdefault(tid, {"id": tid, "label": "Topic", "name": area, "source": MAPPING_PAGE,
                                    "verified": recorded})
            edges.add(("ABOUT", sid, tid))
    for key in sorted(loose):
        series = loose[key]
        makers = sorted({e.organisation for e in series.editions})
        stat = _statistic(series, None, recorded, ids[makers[0]], used)
        statistics.append(stat)
        edges |= {("PRODUCES", ids[m], stat["id"]) for m in makers}
        _add_producers([known[m] for m in makers], ids, recorded, producers, edges)
    _add_producers([known[o] for o in requested], ids, recorded, producers, edges)
    out.nodes = [*sorted(producers.values(), key=_id), *sorted(topics.values(), key=_id),
                 *sorted(statistics, key=_id)]
    out.edges = [{"type": t, "from": a, "to": b} for t, a, b in sorted(edges)]
    if defunct:
        notes.append("Not listed as producers, as GOV.UK says they no longer exist under that name: "
                     + ", ".join(sorted(defunct)) + ".")
    for name, n in filled.items():
        if n:
            notes.append(f"{n} collection(s) whose page gives no team mailbox have one from the {name}.")
    for o in others:
        if o.personal:
            notes.append(f"Left out {o.personal} address(es) in the {o.name} that look like a named person's, "
                         "not a team's.")
    if no_mailbox:
        where = "on their page" + (" or in the " + " or the ".join(o.name for o in others) if others else "")
        notes.append(f"{no_mailbox} of {len(collections)} collection(s) have no team mailbox {where}: "
                     "their enquiries go to the producer.")
    if loose:
        notes.append(f"{len(loose)} series are editions in no collection, grouped by title and linked to "
                     "their latest edition.")
    _check(out)
    return out


def _producer_ids(known: dict[str, Organisation]) -> dict[str, str]:
    """Each organisation's producer id (and its parents'), unique within the harvest."""
    everyone = dict(known)
    for org in known.values():
        for parent in org.parents:
            everyone.setdefault(parent.slug, parent)
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted(everyone):
        wanted = producer_id(everyone[key])
        ids[key] = wanted if wanted not in taken else slug(key)
        taken.add(ids[key])
    return ids


def _add_producers(orgs: Sequence[Organisation], ids: dict[str, str], recorded: str,
                   producers: dict[str, dict], edges: set) -> None:
    for org in orgs:
        producers.setdefault(ids[org.slug], _producer(org, ids[org.slug], recorded))
        for parent in org.parents:
            producers.setdefault(ids[parent.slug], _producer(parent, ids[parent.slug], recorded))
            edges.add(("PART_OF", ids[org.slug], ids[parent.slug]))


def _producer(org: Organisation, pid: str, recorded: str) -> dict:
    record = {"id": pid, "label": "Producer", "name": org.title, "kind": producer_kind(org),
              "identifiers": {"govuk": org.slug}, "source": GOVUK + ORGANISATION_PATH + org.slug,
              "verified": recorded}
    if _is_acronym(org.acronym, org.title):
        record["aliases"] = [org.acronym]
    return record


def _topic(tax: Taxon, recorded: str, topics: dict[str, dict], edges: set) -> str:
    """The id of a taxon's Topic, adding it (and BROADER edges to its parent taxons) on first sight."""
    tid = "topic." + slug(tax.title)
    topics.setdefault(tid, {"id": tid, "label": "Topic", "name": tax.title, "source": tax.url, "verified": recorded})
    for parent in tax.parents:
        pid = _topic(parent, recorded, topics, edges)
        if pid != tid:
            edges.add(("BROADER", tid, pid))
    return tid


def _statistic(series: Series, found: Collection | None, recorded: str, producer: str, used: set[str],
               mailbox: str | None = None, origin: str | None = None, frequency: str | None = None) -> dict:
    """One series as a Statistic record; its id is made unique against ``used`` (and added to it).

    ``mailbox`` is its team's (from its collection's body, or from ``origin``, named in ``source``);
    ``frequency`` its release, when another source says it.
    """
    latest = series.latest
    name = (found.title if found else series.title).strip()
    page = GOVUK + COLLECTION_PATH + series.slug if series.slug else GOVUK + latest.link
    sid = slug(name)
    if sid in used:
        sid = f"{slug(name, 80)}-{producer}"
    base, n = sid, 2
    while sid in used:
        sid, n = f"{base}-{n}", n + 1
    used.add(sid)
    record = {"id": sid, "label": "Statistic", "name": name, "status": _status(series, found),
              "url": page, "latest_release": latest.date, "latest_url": GOVUK + latest.link}
    nations = nations_in(" ".join([name, found.description if found else "", latest.description]))
    if nations:
        record["nations"] = [n for n in model.NATIONS if n in nations]
    if frequency:
        record["release"] = frequency
    if mailbox:
        record["contact"] = {"email": mailbox, "url": page}
    source = f"{page}; team mailbox: {origin}" if mailbox and origin else page
    record.update(source=source, verified=recorded)
    return record


def _status(series: Series, found: Collection | None) -> str:
    """Accredited when the newest edition the collection types is "national statistics", else official."""
    if found:
        for e in sorted(series.editions, key=lambda e: (e.date, e.link), reverse=True):
            kind = found.document_types.get(e.link)
            if kind in DOCUMENT_TYPES:
                return "accredited_official" if kind == "national_statistics" else "official"
    return "official"


def _check(out: Harvest) -> None:
    """Every record and relationship against the model: a failure here is a bug in this module."""
    labels = {n["id"]: n["label"] for n in out.nodes}
    problems = [p for n in out.nodes for p in model.validate_node(n)]
    problems += [p for e in out.edges for p in model.validate_edge(e, labels)]
    if problems or len(labels) != len(out.nodes):
        raise HarvestError(SOURCE, "records", "; ".join(map(str, problems[:5])) or "two records share an id")


def _unique(editions) -> list[Edition]:
    """Editions once each by link (an edition two requested organisations share is listed once)."""
    seen: dict[str, Edition] = {}
    for e in editions:
        seen.setdefault(e.link, e)
    return list(seen.values())


def _object(data, url: str) -> dict:
    if not isinstance(data, dict):
        raise HarvestError(url, "body", "is not a JSON object")
    return data


def _text(data: dict, key: str, url: str, where: str) -> str:
    value = data.get(key)
    name = f"{where}.{key}" if where else key
    if value is None or value == "":
        raise HarvestError(url, name, "is missing")
    if not isinstance(value, str) or not value.strip():
        raise HarvestError(url, name, "is not text")
    return value


def _optional_text(data: dict, key: str, url: str, where: str) -> str | None:
    """A field that may be absent or null; when there, it must be text (returned stripped)."""
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip():
        raise HarvestError(url, f"{where}.{key}" if where else key, "is not text")
    return value.strip()


def _date(value, url: str, where: str) -> str:
    """The ISO date of a GOV.UK timestamp (its own local date), or a HarvestError.

    >>> _date("2024-07-25T00:00:00.000+01:00", "u", "t")
    '2024-07-25'
    >>> _date("25/07/2024", "u", "results[0].public_timestamp")
    Traceback (most recent call last):
    ...
    graph.harvest.base.HarvestError: u: results[0].public_timestamp: is not a date and time: '25/07/2024'
    """
    if not isinstance(value, str) or not value:
        raise HarvestError(url, where, "is missing")
    try:
        return _dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        raise HarvestError(url, where, f"is not a date and time: {value!r}") from None


def _id(record: dict) -> str:
    return record["id"]
