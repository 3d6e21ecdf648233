"""Northern Ireland's statistics release calendar: its producers and the series they publish.

NISRA's Tech Lab publishes the release calendar of Northern Ireland's official
statistics as JSON (NISRA-Tech-Lab/latest-publications, scraped from GOV.UK's
release feeds): ``nisra_release_calendar.json`` (recent and upcoming releases) and
``nisra_release_historic.json`` (releases since 2019). Each file is
``{"name", "modified", "entries": [{id, title, summary, url, release_date,
display_date, updated, org, type}], "cancelled": [{id, updated}]}``; an upcoming
release has no ``url`` yet but a ``status`` (provisional or confirmed).

The calendar lists *editions*; the registry holds *series*. :func:`group_series`
puts the editions of one series together: by the same title once dates and periods
are taken out (:func:`series_title`), and by a shared page (``url``) when the titles
under it are near enough to be one series (a page like PSNI's statistics index lists
several). Each series becomes a Statistic produced by the organisation of its newest
edition; each organisation code becomes a Producer from :data:`ORGANISATIONS`.

The summaries are not copied (write descriptions in your own words), and no contact
is set: the data holds none, so enquiries go to the producer's route.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import base, fetch
from ..search import stem
from .base import Harvest, HarvestError

Progress = Callable[[str, int, int], None]

# Where the Tech Lab's workflow commits the JSON (GitHub Actions pushes to ``main``):
# a project's output, not an official API.
LIVE_URLS = (
    "https://raw.githubusercontent.com/NISRA-Tech-Lab/latest-publications/main/nisra_release_historic.json",
    "https://raw.githubusercontent.com/NISRA-Tech-Lab/latest-publications/main/nisra_release_calendar.json",
)
# The files a recorded folder may hold (the project's names use underscores).
FILE_NAMES = ("nisra-release-historic.json", "nisra_release_historic.json",
              "nisra-release-calendar.json", "nisra_release_calendar.json")


@dataclass(frozen=True)
class Organisation:
    """A producer the calendar names by code."""

    id: str
    name: str
    kind: str
    website: str | None = None  # its home page, where the site is its own


# The calendar's ``org`` codes. Names as GOV.UK gives them (the project's own lookup,
# lookups/org_names.R, maps these names to the codes). Ids carry "ni-" where the bare
# code would read as a GB body's (DfE, DoH, DoJ ...).
ORGANISATIONS: dict[str, Organisation] = {
    "NISRA": Organisation("nisra", "Northern Ireland Statistics and Research Agency", "agency",
                          "https://www.nisra.gov.uk/"),
    "DoF": Organisation("ni-dof", "Department of Finance (Northern Ireland)", "devolved_government",
                        "https://www.finance-ni.gov.uk/"),
    "DoH": Organisation("ni-doh", "Department of Health (Northern Ireland)", "devolved_government",
                        "https://www.health-ni.gov.uk/"),
    "DfE": Organisation("ni-dfe", "Department for the Economy (Northern Ireland)", "devolved_government",
                        "https://www.economy-ni.gov.uk/"),
    "DE": Organisation("ni-de", "Department of Education (Northern Ireland)", "devolved_government",
                       "https://www.education-ni.gov.uk/"),
    "DfC": Organisation("ni-dfc", "Department for Communities (Northern Ireland)", "devolved_government",
                        "https://www.communities-ni.gov.uk/"),
    "DfI": Organisation("ni-dfi", "Department for Infrastructure (Northern Ireland)", "devolved_government",
                        "https://www.infrastructure-ni.gov.uk/"),
    "DAERA": Organisation("ni-daera", "Department of Agriculture, Environment and Rural Affairs (Northern Ireland)",
                          "devolved_government", "https://www.daera-ni.gov.uk/"),
    "DoJ": Organisation("ni-doj", "Department of Justice (Northern Ireland)", "devolved_government",
                        "https://www.justice-ni.gov.uk/"),
    "TEO": Organisation("ni-teo", "The Executive Office (Northern Ireland)", "devolved_government",
                        "https://www.executiveoffice-ni.gov.uk/"),
    "PSNI": Organisation("psni", "Police Service of Northern Ireland", "public_body", "https://www.psni.police.uk/"),
    "BSO": Organisation("ni-bso", "HSC Business Services Organisation (Northern Ireland)", "public_body",
                        "https://www.hscbusiness.hscni.net/"),
    "NICTS": Organisation("nicts", "Northern Ireland Courts and Tribunals Service", "agency"),
    "OPONI": Organisation("oponi", "Office of the Police Ombudsman for Northern Ireland", "public_body",
                          "https://www.policeombudsman.org/"),
    "PPS": Organisation("ppsni", "Public Prosecution Service for Northern Ireland", "department",
                        "https://www.ppsni.gov.uk/"),
    "PBNI": Organisation("pbni", "Probation Board for Northern Ireland", "public_body", "https://www.pbni.org.uk/"),
    "NIPS": Organisation("nips", "Northern Ireland Prison Service", "agency"),
    "YJA": Organisation("ni-yja", "Youth Justice Agency of Northern Ireland", "agency"),
    "NIPB": Organisation("nipb", "Northern Ireland Policing Board", "public_body",
                         "https://www.nipolicingboard.org.uk/"),
    "LSA": Organisation("ni-lsa", "Legal Services Agency (Northern Ireland)", "agency"),
}
# Executive agencies inside a department: NISRA is an agency of the Department of
# Finance; the courts, prison, youth justice and legal aid agencies are the Department
# of Justice's.
PART_OF = {"NISRA": "DoF", "NICTS": "DoJ", "NIPS": "DoJ", "YJA": "DoJ", "LSA": "DoJ"}
# Codes that are also a GB body's usual abbreviation (Department for Education, the old
# Department of Health): as an alias they would let the harvest be merged into that body.
AMBIGUOUS_CODES = frozenset({"DfE", "DoH", "DoJ"})
# The calendar's ``type``: AOS accredited official, OS official, R research.
STATUS = {"AOS": "accredited_official", "OS": "official", "R": "other"}


@dataclass(frozen=True)
class Release:
    """One edition from the calendar; ``url`` is None for one not yet published."""

    id: str
    title: str
    url: str | None
    date: str
    org: str
    type: str


# --- reading the files -------------------------------------------------------------------------

def parse_release_date(value, where: str, entry_id: str) -> str:
    """The ISO date of a ``release_date`` ("2025-12-02T09:30:00Z"), or a HarvestError.

    >>> parse_release_date("2025-12-02T09:30:00Z", "f.json", "x")
    '2025-12-02'
    >>> parse_release_date("2 December 2025", "f.json", "x")
    Traceback (most recent call last):
    ...
    graph.harvest.base.HarvestError: f.json: entries[id=x].release_date: is not a date and time ('2 December 2025')
    """
    text = value if isinstance(value, str) else ""
    try:
        return _dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        raise HarvestError(where, f"entries[id={entry_id}].release_date",
                           f"is not a date and time ({value!r})") from None


def read_calendar(data, where: str) -> tuple[str, list[Release]]:
    """The ``modified`` date and the releases of one calendar file (cancelled ones left out).

    Every entry needs an ``id``, a ``title``, an ``org``, a ``type`` and a ``release_date``,
    and a ``url`` unless it is an upcoming release (with a ``status``).

    >>> data = {"modified": "2025-12-03T14:09:25Z", "cancelled": [{"id": "b"}], "entries": [
    ...     {"id": "a", "title": "Monthly Births (Northern Ireland): October 2025", "org": "NISRA", "type": "AOS",
    ...      "url": "https://www.nisra.gov.uk/publications/monthly-births", "release_date": "2025-11-28T09:30:00Z"},
    ...     {"id": "b", "title": "Cancelled", "org": "NISRA", "type": "OS", "status": "provisional",
    ...      "release_date": "2026-01-28T09:30:00Z"}]}
    >>> modified, releases = read_calendar(data, "f.json")
    >>> modified, [(r.id, r.date) for r in releases]
    ('2025-12-03', [('a', '2025-11-28')])
    >>> read_calendar({"modified": "2025-12-03T14:09:25Z"}, "f.json")
    Traceback (most recent call last):
    ...
    graph.harvest.base.HarvestError: f.json: entries: is missing (not a release calendar?)
    """
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise HarvestError(where, "entries", "is missing (not a release calendar?)")
    modified = data.get("modified")
    if not isinstance(modified, str) or not re.match(r"\d{4}-\d{2}-\d{2}", modified):
        raise HarvestError(where, "modified", f"is not a date ({modified!r})")
    cancelled = {c.get("id") for c in data.get("cancelled") or [] if isinstance(c, dict)}
    releases = []
    for i, entry in enumerate(data["entries"]):
        if not isinstance(entry, dict):
            raise HarvestError(where, f"entries[{i}]", "is not an object")
        entry_id = entry.get("id") if isinstance(entry.get("id"), str) and entry["id"].strip() else None
        if entry_id is None:
            raise HarvestError(where, f"entries[{i}].id", "is missing")
        if entry_id in cancelled:
            continue
        here = f"entries[id={entry_id}]"
        for key in ("title", "org", "type"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise HarvestError(where, f"{here}.{key}", "is missing")
        url = entry["url"].strip() if isinstance(entry.get("url"), str) else entry.get("url")
        if url is None and entry.get("status") is None:
            raise HarvestError(where, f"{here}.url", "is missing (and the release is not marked upcoming)")
        if url is not None and not (isinstance(url, str) and re.match(r"^https?://\S+$", url)):
            raise HarvestError(where, f"{here}.url", f"is not a web address ({url!r})")
        if entry["org"] not in ORGANISATIONS:
            raise HarvestError(where, f"{here}.org", f"is not a producer this harvest knows ({entry['org']!r}); "
                                                     "add it to graph.harvest.nisra.ORGANISATIONS")
        if entry["type"] not in STATUS:
            raise HarvestError(where, f"{here}.type", f"must be one of {', '.join(STATUS)} ({entry['type']!r})")
        date = parse_release_date(entry.get("release_date"), where, entry_id)
        releases.append(Release(entry_id, " ".join(entry["title"].split()), url, date, entry["org"], entry["type"]))
    return modified[:10], releases


# --- editions into series ----------------------------------------------------------------------

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_YEAR = r"(?:(?:19|20)\d\d(?:\s*[/-]\s*(?:19|20)?\d\d(?!\d))?|\d\d/\d\d)"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_QUARTER = r"(?:q[1-4]|quarter\s*(?:[1-4]|one|two|three|four)|(?:first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)"
_POINT = (rf"(?:(?:{_DAY}\s+)?{_MONTH}(?:\s*,?\s*(?:{_YEAR}|\d\d(?!\d)))?|{_QUARTER}(?:\s*[,-]?\s*{_YEAR})?"
          rf"|{_YEAR}(?:\s*[,-]?\s*{_QUARTER})?|{_DAY}(?=\s*(?:-|–|to)\s*{_DAY}?\s*{_MONTH}))")
_LEAD = (r"(?:(?:weeks?|months?|periods?|years?|quarters?|financial\s+years?|calendar\s+years?|academic\s+years?)\s+"
         r"(?:ending|ended|to)|weeks?|data\s+to|up\s+to|as\s+at|to|at|from|for(?:\s+the)?"
         r"(?:\s+(?:calendar|financial|academic|school|business))?(?:\s+(?:years?|quarters?|months?|periods?))?"
         r"|in|during|published|of)")
_SPAN = (rf"(?:{_LEAD}\s+)?{_POINT}(?:\s*(?:-|–|—|to|and|&|;)\s*(?:{_LEAD}\s+)?{_POINT})*"
         r"(?:\s*\(?(?:financial|calendar|academic)\s+years?\)?)?")
_SEP = r"[\s,:;.–—-]"
_TAIL = re.compile(rf"(?:{_SEP}|\()*\b{_SPAN}\s*\)?{_SEP}*$", re.I)
_QUALIFIER = re.compile(rf"(?:{_SEP}|\()*\b(?:provisional|final|revised|update|edition|(?:part|phase)\s*\d+|"
                        rf"experimental(?:\s+statistics)?)\b\s*\)?{_SEP}*$", re.I)
_BASED = re.compile(rf"\(?\b{_YEAR}[- ]based\b\)?|\bmid[- ]?{_YEAR}(?![\w/-])", re.I)
_INNER_YEARS = re.compile(rf"(?<!census )(?<![\w/-]){_YEAR}(?:\s*(?:-|–|to|and|&)\s*{_YEAR})*(?![\w/-])"
                          r"(?:\s*\((?:financial|calendar|academic)\s+years?\))?", re.I)


def series_title(title: str) -> str:
    """The name of the series an edition belongs to: its title without the period it covers.

    Dates, periods and years are taken off the end ("…: September 2021", "…, period
    ending 31 May 2026", "… Quarter 2 2025"), years are taken out of the middle
    ("2018-based", "… 2019 in Northern Ireland"; not "Census 2021"), and so are
    edition words at the end (provisional, final, part 2).

    >>> series_title("Monthly Births (Northern Ireland): September 2021")
    'Monthly Births (Northern Ireland)'
    >>> series_title("Deaths Registered in Northern Ireland - Week ending 05 June 2020")
    'Deaths Registered in Northern Ireland'
    >>> series_title("Police recorded crime in Northern Ireland, period ending 31 May 2026")
    'Police recorded crime in Northern Ireland'
    >>> series_title("Northern Ireland Index of Production: Quarter 2 2025")
    'Northern Ireland Index of Production'
    >>> series_title("Quarterly Direct Payment Statistics for Northern Ireland (September 2025)")
    'Quarterly Direct Payment Statistics for Northern Ireland'
    >>> series_title("2018-based Population Projections for Northern Ireland")
    'Population Projections for Northern Ireland'
    >>> series_title("Annual statistics on Motoring Offences 2019 in Northern Ireland")
    'Annual statistics on Motoring Offences in Northern Ireland'
    >>> series_title("Mortgages: Actions for possession bulletin October to December 23")
    'Mortgages: Actions for possession bulletin'
    >>> series_title("NI Labour Market statistics: October 2023 (Part 2)")
    'NI Labour Market statistics'
    >>> series_title("Census 2021: main statistics for Northern Ireland (phase 2)")
    'Census 2021: main statistics for Northern Ireland'
    >>> series_title("Census 2021 alternative populations for Northern Ireland")
    'Census 2021 alternative populations for Northern Ireland'
    """
    text = " ".join(title.split())
    previous = None
    while previous != text:
        previous = text
        for pattern in (_TAIL, _QUALIFIER):
            cut = pattern.sub("", text).strip()
            if len(cut) >= 6:
                text = cut
    text = _INNER_YEARS.sub(" ", _BASED.sub(" ", text))
    text = re.sub(r"\(\s*(?:cohort)?\s*\)", " ", text, flags=re.I)
    text = re.sub(r"\s+([,:;)])", r"\1", " ".join(text.split()))
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\b(?:from|the|for|in|of)\s*([:,;]|$)", r"\1", text, flags=re.I).strip()
    return text.strip(" -–—:,;.") or " ".join(title.split())


def series_key(title: str) -> str:
    """A series title as compared: lower case, words only, "NI" read as Northern Ireland.

    >>> series_key("Deaths Registered in NI") == series_key("Deaths registered in Northern Ireland")
    True
    >>> series_key("Drug-related & drug-misuse deaths") == series_key("Drug Related and Drug Misuse Deaths")
    True
    """
    words = re.findall(r"[a-z0-9]+", title.lower().replace("&", " and ").replace("’", "'").replace("'s", "s"))
    out = []
    for word in words:
        out += ["northern", "ireland"] if word == "ni" else [word]
    return " ".join(w for w in out if w != "the")


def group_key(title: str) -> str:
    """The key editions are grouped by: the stems of :func:`series_key`'s words, run together,
    so "pre-school" and "preschool", "Waiting Time" and "Waiting Times" are one series.

    >>> group_key("Funded pre-school education") == group_key("Funded preschool education")
    True
    >>> group_key("Emergency Care Waiting Time Statistics") == group_key("Emergency care waiting times statistics")
    True
    """
    return "".join(stem(w) for w in series_key(title).split())


# Words that say nothing about what a series is about (for comparing titles under one page).
_FILLER = frozenset("a an and at by for from in of on the to with northern ireland statistics statistical "
                    "bulletin report publication tables official data".split())


def similar(a: str, b: str) -> bool:
    """Whether two series titles under one page name the same series (two thirds of their telling words shared).

    >>> similar("Monthly Births and Deaths (Northern Ireland)", "Monthly Deaths (Northern Ireland)")
    True
    >>> similar("Monthly Deaths (Northern Ireland)", "Deaths Registered in Northern Ireland")
    False
    >>> similar("Northern Ireland Homelessness Bulletin", "Northern Ireland Housing Bulletin")
    False
    >>> similar("Benefit Cap Report Northern Ireland", "Benefit Cap Statistics")
    True
    """
    wa = {stem(w) for w in series_key(a).split() if w not in _FILLER}
    wb = {stem(w) for w in series_key(b).split() if w not in _FILLER}
    if not wa or not wb:
        return series_key(a) == series_key(b)
    return len(wa & wb) / len(wa | wb) >= 2 / 3


def group_series(releases: Iterable[Release]) -> list[list[Release]]:
    """The editions of each series, newest first; the series in order of their newest edition.

    Editions with the same series title are one series. Then, page by page, a series
    whose editions share a page with a bigger series joins it when their names are
    :func:`similar` (compared by the names the series have so far, so a title like
    "Monthly Births and Deaths" cannot chain births and deaths into one).

    >>> r = [Release("a", "Monthly Births (NI): May 2020", "https://x.test/births", "2020-06-01", "NISRA", "OS"),
    ...      Release("b", "Monthly Births (Northern Ireland): June 2020", "https://x.test/b2", "2020-07-01", "NISRA", "OS"),
    ...      Release("c", "Monthly Births and Deaths (Northern Ireland): April 2020", "https://x.test/births",
    ...              "2020-05-01", "DoF", "OS"),
    ...      Release("d", "Security Situation Statistics: June 2020", "https://x.test/births", "2020-07-02", "PSNI", "OS")]
    >>> [[e.id for e in g] for g in group_series(r)]
    [['d'], ['b', 'a', 'c']]
    """
    groups: dict[str, list[Release]] = {}
    for release in releases:
        groups.setdefault(group_key(series_title(release.title)), []).append(release)
    owner = {id(r): key for key, members in groups.items() for r in members}
    pages: dict[str, list[Release]] = {}
    for members in groups.values():
        for release in members:
            if release.url:
                pages.setdefault(release.url.rstrip("/"), []).append(release)
    for url in sorted(pages, key=lambda u: (-len(pages[u]), u)):
        keys = sorted({owner[id(r)] for r in pages[url]}, key=lambda k: (-len(groups[k]), k))
        anchor = keys[0]
        for key in keys[1:]:
            if key in groups and similar(name_of(groups[anchor]), name_of(groups[key])):
                for release in groups.pop(key):
                    owner[id(release)] = anchor
                    groups[anchor].append(release)
    out = [sorted(g, key=lambda r: (r.date, r.id), reverse=True) for g in groups.values()]
    return sorted(out, key=lambda g: (g[0].date, g[0].id), reverse=True)


def name_of(editions: Sequence[Release]) -> str:
    """The series title most editions share (the newest edition's when tied).

    >>> name_of([Release("b", "Benefit Cap Statistics: May 2025", None, "2025-06-01", "DfC", "OS"),
    ...          Release("a", "Benefit Cap Report Northern Ireland: May 2024", None, "2024-06-01", "DfC", "OS"),
    ...          Release("c", "Benefit Cap Report Northern Ireland: Nov 2023", None, "2023-12-01", "DfC", "OS")])
    'Benefit Cap Report Northern Ireland'
    """
    counts = Counter(series_key(series_title(e.title)) for e in editions)
    best = max(counts.values())
    for edition in sorted(editions, key=lambda e: (e.date, e.id), reverse=True):
        title = series_title(edition.title)
        if counts[series_key(title)] == best:
            return title
    return series_title(editions[0].title)  # pragma: no cover - the loop always returns


def frequency(dates: Iterable[str]) -> str | None:
    """How often a series comes out, from the spacing of its release dates (None when unclear).

    >>> frequency(["2025-01-03", "2025-01-10", "2025-01-17", "2025-01-24"])
    'weekly'
    >>> frequency(["2025-01-15", "2025-02-14", "2025-03-14"]), frequency(["2023-06-01", "2024-06-03", "2025-05-29"])
    ('monthly', 'annual')
    >>> frequency(["2025-01-15", "2025-02-14"]) is None
    True
    """
    days = sorted({_dt.date.fromisoformat(d) for d in dates})
    if len(days) < 3:
        return None
    gap = statistics.median((b - a).days for a, b in zip(days, days[1:]))
    for name, low, high in (("weekly", 5, 9), ("monthly", 25, 36), ("quarterly", 80, 100), ("annual", 330, 400)):
        if low <= gap <= high:
            return name
    return None


# --- records -----------------------------------------------------------------------------------

def producer_record(code: str, recorded: str, example_url: str | None) -> dict:
    """The Producer record of one calendar ``org`` code.

    >>> p = producer_record("PSNI", "2025-12-03", None)
    >>> p["id"], p["name"], p["aliases"], p["identifiers"], p["source"]
    ('psni', 'Police Service of Northern Ireland', ['PSNI'], {'nisra': 'PSNI'}, 'https://www.psni.police.uk/')
    >>> "aliases" in producer_record("DfE", "2025-12-03", None)
    False
    """
    org = ORGANISATIONS[code]
    record = {"id": org.id, "label": "Producer", "name": org.name, "kind": org.kind,
              "nations": ["northern_ireland"], "identifiers": {"nisra": code},
              "source": org.website or example_url or LIVE_URLS[1], "verified": recorded}
    if code not in AMBIGUOUS_CODES:
        record["aliases"] = [code]
    return record


def series_id(name: str, taken: set[str]) -> str:
    """A readable, unused id for a series: its slug (at most 80 characters, cut at a word), with "-ni"
    when the name does not say Northern Ireland, so it cannot take a GB series' id.

    >>> taken = set()
    >>> series_id("Quarterly Employment Survey", taken), series_id("Monthly Births (Northern Ireland)", taken)
    ('quarterly-employment-survey-ni', 'monthly-births-northern-ireland')
    >>> series_id("Quarterly employment survey", taken)
    'quarterly-employment-survey-ni-2'
    """
    from ..nations import nations_in
    stem = base.slug(name, limit=1000)
    if len(stem) > 80:  # cut at a word, not inside one
        stem = stem[:81].rsplit("-", 1)[0]
    if "northern_ireland" not in nations_in(name):
        stem += "-ni"
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate)
    return candidate


def statistic_record(editions: Sequence[Release], recorded: str, taken: set[str]) -> dict:
    """The Statistic record of one series (its editions newest first)."""
    name = name_of(editions)
    published = [e for e in editions if e.url]
    newest = published[0] if published else editions[0]
    record = {"id": series_id(name, taken), "label": "Statistic", "name": name,
              "status": STATUS[newest.type], "nations": ["northern_ireland"], "verified": recorded}
    if published:
        pages = Counter(e.url for e in published)
        # The newest page several editions share is the series page; else the newest edition is all there is.
        url = next((e.url for e in published if pages[e.url] > 1), newest.url)
        # The calendar gives no mailbox: the series page is the most specific route it cites.
        record.update(url=url, latest_release=newest.date, latest_url=newest.url, source=url, contact={"url": url})
    else:
        record["source"] = f"{LIVE_URLS[1]} (announced release {newest.id})"
    release = frequency(e.date for e in editions)
    if release:
        record["release"] = release
    return record


def build(releases: Sequence[Release], recorded: str, organisations: Sequence[str] = (),
          progress: Progress | None = None) -> Harvest:
    """The harvest of ``releases``: one Statistic per series, the Producers and their links."""
    wanted = _wanted(organisations)
    series = group_series(releases)
    nodes: list[dict] = []
    edges: list[dict] = []
    taken: set[str] = set()
    used: dict[str, str | None] = {}
    for n, editions in enumerate(series, 1):
        org = (next((e for e in editions if e.url), None) or editions[0]).org
        if wanted and org not in wanted:
            continue
        record = statistic_record(editions, recorded, taken)
        nodes.append(record)
        edges.append({"type": "PRODUCES", "from": ORGANISATIONS[org].id, "to": record["id"]})
        used.setdefault(org, record.get("url"))
        if progress and (n % 50 == 0 or n == len(series)):
            progress("series", n, len(series))
    producers = [producer_record(code, recorded, url) for code, url in sorted(used.items())]
    for code in sorted(used):
        parent = PART_OF.get(code)
        if parent in used:
            edges.append({"type": "PART_OF", "from": ORGANISATIONS[code].id, "to": ORGANISATIONS[parent].id})
    notes = []
    upcoming = sum(1 for n in nodes if "url" not in n)
    if upcoming:
        notes.append(f"{upcoming} series are only announced so far (no edition published): no web page yet")
    return Harvest("nisra", recorded, producers + nodes, edges, {p["id"] for p in producers}, notes)


def _wanted(organisations: Sequence[str]) -> set[str]:
    """The calendar codes asked for (by code, case-insensitive, or by producer id)."""
    by_name = {code.lower(): code for code in ORGANISATIONS} | {o.id: code for code, o in ORGANISATIONS.items()}
    wanted = set()
    for name in organisations:
        code = by_name.get(name.lower())
        if code is None:
            raise HarvestError("--organisation", "", f"{name!r} is not a NISRA calendar producer; choose from: "
                                                     + ", ".join(ORGANISATIONS))
        wanted.add(code)
    return wanted


def _combine(files: Sequence[tuple[str, object]]) -> tuple[str, list[Release]]:
    """The latest ``modified`` date and the releases of several files (an id listed twice is read once)."""
    dates, seen, releases = [], set(), []
    for where, data in files:
        modified, found = read_calendar(data, where)
        dates.append(modified)
        for release in found:
            if release.id not in seen:
                seen.add(release.id)
                releases.append(release)
    return max(dates), releases


def from_recorded(path: Path, organisations: Sequence[str] = (), progress: Progress | None = None) -> Harvest:
    """Harvest saved calendar files: a folder holding them, or one file."""
    path = Path(path)
    if path.is_dir():
        files = [path / name for name in FILE_NAMES if (path / name).is_file()]
        if not files:
            raise HarvestError(str(path), "", "holds no NISRA calendar file (" + ", ".join(FILE_NAMES[::2]) + ")")
    elif path.is_file():
        files = [path]
    else:
        raise HarvestError(str(path), "", "no such file or folder")
    loaded = []
    for file in files:
        try:
            loaded.append((str(file), json.loads(file.read_text("utf-8"))))
        except ValueError as exc:
            raise HarvestError(str(file), "body", f"is not valid JSON ({exc})") from None
    recorded, releases = _combine(loaded)
    return build(releases, recorded, organisations, progress)


def from_live(reader: fetch.Reader, organisations: Sequence[str] = (), progress: Progress | None = None,
              urls: Sequence[str] = LIVE_URLS) -> Harvest:
    """Harvest the calendar as the Tech Lab publishes it now (``urls``: the JSON files to read)."""
    loaded = []
    for n, url in enumerate(urls, 1):
        loaded.append((url, reader.get_json(url)))
        if progress:
            progress("calendar files", n, len(urls))
    recorded, releases = _combine(loaded)
    return build(releases, recorded, organisations, progress)
