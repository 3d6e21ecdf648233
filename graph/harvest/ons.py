"""The ONS topic taxonomy and the bulletin series listed under each topic.

The ONS website's topics come from its topic API (dp-topic-api): ``/topics`` lists
the top-level topics, ``/topics/{id}/subtopics`` the topics under one, and
``/topics/{id}/content`` what is published under it (bulletins, articles,
datasets ...). The recorded input is that API's own MongoDB data: the init scripts
``ons-topics-init.js`` and ``ons-content-init.js`` from ONSdigital/dp-data-tools-go
(a 2021 snapshot), where each ``db.<collection>.insertOne({...})`` holds one document
with a ``current`` (published) and a ``next`` version.

Each topic (not the root) becomes a Topic with a BROADER link to its parent. Each
bulletin *series* (``/…/bulletins/<series>``, whatever the edition after it) becomes a
Statistic produced by the ONS and ABOUT every topic that lists it. Articles, datasets
and methodologies are not series and are left out; so are ONS's descriptions (write
your own).
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import Callable, Sequence

from ..model import NATIONS
from ..nations import nations_in
from . import base, fetch
from .base import Harvest, HarvestError

Progress = Callable[[str, int, int], None]

API = "https://api.beta.ons.gov.uk/v1"
SITE = "https://www.ons.gov.uk"
ROOT = "topic_root"
TOPICS_FILE = "ons-topics-init.js"
CONTENT_FILE = "ons-content-init.js"
# The recorded files carry no date. The data README names the commit (9af466f of
# ONSdigital/dp-data-tools-go) and calls it "a 2021 snapshot"; the newest edition it
# links to is January 2021's. So the first day of 2021: never later than the snapshot,
# so its records fall due for a check no later than they should.
RECORDED_ONS = "2021-01-01"
PRODUCER = {"id": "ons", "label": "Producer", "name": "Office for National Statistics", "kind": "department",
            "source": SITE + "/", "aliases": ["ONS"], "identifiers": {"govuk": "office-for-national-statistics"}}
ACCEPTED_ORGANISATIONS = {"ons", "office-for-national-statistics"}


# --- reading ----------------------------------------------------------------------------------

def insert_documents(text: str, where: str) -> list[dict]:
    """The documents of a MongoDB init script: the object in each ``insertOne(…)`` call.

    >>> insert_documents('db.topics.remove({})\\ndb.topics.insertOne({"id": "a"})\\ndb.x.insertOne({"id": "b"});', "t.js")
    [{'id': 'a'}, {'id': 'b'}]
    >>> insert_documents('db.topics.insertOne({"id": "a",})', "t.js")
    Traceback (most recent call last):
    ...
    graph.harvest.base.HarvestError: t.js: insertOne #1 (character 20): is not a JSON object (Expecting property name enclosed in double quotes at character 31)
    """
    decoder = json.JSONDecoder()
    out = []
    for n, match in enumerate(re.finditer(r"\.insertOne\(\s*", text), 1):
        try:
            document, _end = decoder.raw_decode(text, match.end())
        except ValueError as exc:
            raise HarvestError(where, f"insertOne #{n} (character {match.end()})",
                               f"is not a JSON object ({exc.msg} at character {exc.pos})") from None
        if not isinstance(document, dict):
            raise HarvestError(where, f"insertOne #{n} (character {match.end()})", "is not a JSON object")
        out.append(document)
    return out


def published(document: dict, where: str, n: int) -> dict:
    """The published version of a stored document: ``current``, else ``next``, else the document itself.

    >>> published({"id": "a", "current": {"title": "A"}, "next": {"title": "A2"}}, "t.js", 1)
    {'title': 'A'}
    """
    for key in ("current", "next"):
        if isinstance(document.get(key), dict):
            return document[key]
    if "current" in document or "next" in document:
        raise HarvestError(where, f"document #{n}", "has neither a current nor a next version")
    return document


def topic_rows(documents: Sequence[dict], where: str) -> list[tuple[str, str, str | None]]:
    """(id, title, parent id) of every topic but the root, parents from ``subtopics_ids``.

    >>> topic_rows([{"id": "topic_root", "current": {"title": "root", "subtopics_ids": ["economy"]}},
    ...             {"id": "economy", "current": {"title": "Economy", "subtopics_ids": ["inflation"]}},
    ...             {"id": "inflation", "current": {"title": "Inflation and price indices"}}], "t.js")
    [('economy', 'Economy', None), ('inflation', 'Inflation and price indices', 'economy')]
    """
    topics: dict[str, dict] = {}
    for n, document in enumerate(documents, 1):
        topic = published(document, where, n)
        topic_id = document.get("id") or topic.get("id")
        if not isinstance(topic_id, str) or not topic_id:
            raise HarvestError(where, f"document #{n}.id", "is missing")
        if topic_id != ROOT and not (isinstance(topic.get("title"), str) and topic["title"].strip()):
            raise HarvestError(where, f"topic {topic_id}.title", "is missing")
        topics[topic_id] = topic
    parent: dict[str, str] = {}
    for topic_id, topic in topics.items():
        for child in topic.get("subtopics_ids") or []:
            if topic_id != ROOT:
                parent.setdefault(child, topic_id)
    return [(topic_id, " ".join(topic["title"].split()), parent.get(topic_id))
            for topic_id, topic in topics.items() if topic_id != ROOT]


def bulletin_links(content: dict, where: str) -> list[tuple[str, str]]:
    """(href, title) of the bulletins in one topic's content, recorded or as the API answers it.

    A recorded document lists ``bulletins`` and ``spotlight`` as ``[{href, title}]``; the API
    answers ``{"items": [{"title", "type", "links": {"self": {"href"}}}]}``.

    >>> bulletin_links({"bulletins": [{"href": "/economy/x/bulletins/cpi/latest", "title": "CPI"}],
    ...                 "articles": [{"href": "/economy/x/articles/a/latest", "title": "A"}]}, "c.js")
    [('/economy/x/bulletins/cpi/latest', 'CPI')]
    >>> bulletin_links({"items": [{"title": "CPI", "type": "bulletins",
    ...                            "links": {"self": {"href": "/economy/x/bulletins/cpi/latest"}}}]}, "c.js")
    [('/economy/x/bulletins/cpi/latest', 'CPI')]
    """
    if isinstance(content.get("items"), list):
        found = [(i, item.get("type"), (item.get("links") or {}).get("self", {}).get("href"), item.get("title"))
                 for i, item in enumerate(content["items"]) if isinstance(item, dict)]
        where_of = "items"
    else:
        found = []
        for key in ("bulletins", "spotlight"):
            for i, item in enumerate(content.get(key) or []):
                if not isinstance(item, dict):
                    raise HarvestError(where, f"{key}[{i}]", "is not an object")
                found.append((i, key, item.get("href"), item.get("title")))
        where_of = None
    out = []
    for i, kind, href, title in found:
        if kind not in ("bulletins", "spotlight"):
            continue
        if not isinstance(href, str) or not isinstance(title, str) or not title.strip():
            raise HarvestError(where, f"{where_of or kind}[{i}]", "needs an href and a title")
        if kind == "spotlight" and "/bulletins/" not in href:
            continue
        out.append((href, " ".join(title.split())))
    return out


def series_path(href: str) -> str | None:
    """The path of the bulletin series an edition's link belongs to (None when it is not a bulletin).

    >>> series_path("/economy/inflationandpriceindices/bulletins/consumerpriceinflation/latest")
    '/economy/inflationandpriceindices/bulletins/consumerpriceinflation'
    >>> series_path("/economy/x/articles/y/latest") is None
    True
    """
    match = re.match(r"^(/[a-z0-9/]+?/bulletins/[a-z0-9-]+)(?:/|$)", href.strip())
    return match.group(1) if match else None


def acronyms(title: str) -> list[str]:
    """Acronyms the title gives for itself: "(NEET)" after the words it abbreviates.

    >>> acronyms("Young people not in education, employment or training (NEET), UK")
    ['NEET']
    >>> acronyms("Gross Domestic Product (GDP)"), acronyms("Coronavirus (COVID-19) Infection Survey, UK")
    (['GDP'], [])
    >>> acronyms("National Survey of Bereaved People (VOICES)")
    []
    """
    out = []
    for match in re.finditer(r"\(([A-Z][A-Za-z0-9-]{1,11})\)", title):
        acronym = match.group(1)
        letters = re.sub(r"s$", "", acronym) if re.fullmatch(r"[A-Z]+s", acronym) else acronym
        if not re.fullmatch(r"[A-Z]{2,}", letters):
            continue
        initials = [w[0].upper() for w in re.findall(r"[A-Za-z]+", title[:match.start()])]
        if _ends_with_subsequence(initials, letters):
            out.append(acronym)
    return out


def _ends_with_subsequence(initials: list[str], letters: str) -> bool:
    """Whether ``letters`` are initials of the words before, in order, the last being the last word's."""
    if not initials or initials[-1] != letters[-1]:
        return False
    i = len(initials) - 1
    for letter in reversed(letters[:-1]):
        i -= 1
        while i >= 0 and initials[i] != letter:
            i -= 1
        if i < 0:
            return False
    return True


# --- records -----------------------------------------------------------------------------------

def topic_id(title: str) -> str:
    """The registry id of an ONS topic.

    >>> topic_id("Inflation and price indices")
    'topic.inflation-and-price-indices'
    """
    return "topic." + base.slug(title)


def topic_path(row_id: str, parents: dict[str, str | None]) -> str:
    """A topic's path on the ONS website: the ids from the top topic down.

    >>> topic_path("inflation", {"economy": None, "inflation": "economy"})
    '/economy/inflation'
    """
    chain, seen = [], set()
    current: str | None = row_id
    while current is not None and current not in seen:
        seen.add(current)
        chain.append(current)
        current = parents.get(current)
    return "/" + "/".join(reversed(chain))


def build(rows: Sequence[tuple[str, str, str | None]], contents: dict[str, list[tuple[str, str]]],
          recorded: str) -> Harvest:
    """The harvest from topic rows and each topic's bulletin links."""
    parents = {row_id: parent for row_id, _title, parent in rows}
    ids = {row_id: topic_id(title) for row_id, title, _parent in rows}
    hrefs = [href for links in contents.values() for href, _t in links]
    nodes: list[dict] = [{**PRODUCER, "verified": recorded}]
    edges: list[dict] = []
    notes: list[str] = []
    for row_id, title, parent in rows:
        path = topic_path(row_id, parents)
        on_site = any(h.startswith(path + "/") for h in hrefs)
        record = {"id": ids[row_id], "label": "Topic", "name": title,
                  "source": SITE + path if on_site else f"{API}/topics/{row_id}", "verified": recorded}
        if acronyms(title):
            record["aliases"] = acronyms(title)
        nodes.append(record)
        if parent in ids:
            edges.append({"type": "BROADER", "from": ids[row_id], "to": ids[parent]})
        elif parent is not None:
            notes.append(f"topic {row_id}: its parent {parent} is not listed")
    series: dict[str, dict] = {}
    for row_id, links in contents.items():
        for href, title in links:
            path = series_path(href)
            if path is None:
                continue
            if title.startswith("**"):  # the snapshot's placeholder for a page it could not read
                notes.append(f"{href}: left out, its title in the source is {title!r}")
                continue
            entry = series.setdefault(path, {"titles": Counter(), "latest": None, "topics": []})
            entry["titles"][title] += 1
            if href.rstrip("/").endswith("/latest"):
                entry["latest"] = title
            if row_id in ids and ids[row_id] not in entry["topics"]:
                entry["topics"].append(ids[row_id])
    taken = {n["id"] for n in nodes}
    for path in sorted(series):
        entry = series[path]
        name = entry["latest"] or entry["titles"].most_common(1)[0][0]
        record_id = base.slug(name)
        if record_id in taken:
            record_id += "-ons"
        n = 1
        while record_id in taken:
            n += 1
            record_id = f"{base.slug(name)}-ons-{n}"
        taken.add(record_id)
        url = SITE + path
        record = {"id": record_id, "label": "Statistic", "name": name, "status": "official", "url": url,
                  "latest_url": url + "/latest", "source": url, "verified": recorded}
        nations = nations_in(name)
        if nations:
            record["nations"] = [n for n in NATIONS if n in nations]
        if acronyms(name):
            record["aliases"] = acronyms(name)
        nodes.append(record)
        edges.append({"type": "PRODUCES", "from": "ons", "to": record_id})
        edges += [{"type": "ABOUT", "from": record_id, "to": t} for t in entry["topics"]]
    return Harvest("ons", recorded, nodes, edges, {"ons"}, notes)


def _check_organisations(organisations: Sequence[str]) -> None:
    unknown = [o for o in organisations if o.lower() not in ACCEPTED_ORGANISATIONS]
    if unknown:
        raise HarvestError("--organisation", "", f"the ONS harvest lists only the ONS's own series "
                                                 f"(ons); not {', '.join(map(repr, unknown))}")


def from_recorded(path: Path, organisations: Sequence[str] = (), progress: Progress | None = None) -> Harvest:
    """Harvest the recorded topic API data: a folder holding the two init scripts."""
    _check_organisations(organisations)
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    texts = {}
    for name in (TOPICS_FILE, CONTENT_FILE):
        file = folder / name
        if not file.is_file():
            raise HarvestError(str(folder), "", f"has no {name} (the ONS topic API's recorded data)")
        texts[name] = (str(file), file.read_text("utf-8"))
    where, text = texts[TOPICS_FILE]
    rows = topic_rows(insert_documents(text, where), where)
    if progress:
        progress("topics", len(rows), len(rows))
    where, text = texts[CONTENT_FILE]
    contents = {}
    documents = insert_documents(text, where)
    for n, document in enumerate(documents, 1):
        content_id = document.get("id")
        if not isinstance(content_id, str):
            raise HarvestError(where, f"document #{n}.id", "is missing")
        contents[content_id] = bulletin_links(published(document, where, n), f"{where} (content {content_id})")
        if progress:
            progress("content", n, len(documents))
    return build(rows, contents, RECORDED_ONS)


def _optional_json(reader: fetch.Reader, url: str):
    """The JSON at ``url``, or None when the API answers 404 (it does for a topic with no subtopics)."""
    try:
        return reader.get_json(url)
    except HarvestError as exc:
        if "HTTP 404" in exc.message:
            return None
        raise


def _items(answer, url: str) -> list[dict]:
    if answer is None:
        return []
    if not isinstance(answer, dict) or not isinstance(answer.get("items"), list):
        raise HarvestError(url, "items", "is missing: not a list of topics")
    return [item for item in answer["items"] if isinstance(item, dict)]


def from_live(reader: fetch.Reader, organisations: Sequence[str] = (), progress: Progress | None = None,
              api: str = API) -> Harvest:
    """Harvest the live topic API: walk the topics from the top, then read each one's content."""
    _check_organisations(organisations)
    url = f"{api}/topics"
    queue = [(item, None) for item in _items(reader.get_json(url), url)]
    rows: list[tuple[str, str, str | None]] = []
    seen: set[str] = set()
    contents: dict[str, list[tuple[str, str]]] = {}
    while queue:
        topic, parent = queue.pop(0)
        row_id, title = topic.get("id"), topic.get("title")
        if not isinstance(row_id, str) or not isinstance(title, str) or not title.strip():
            raise HarvestError(f"{api}/topics" + (f"/{parent}/subtopics" if parent else ""), "items",
                               "a topic needs an id and a title")
        if row_id in seen:
            continue
        seen.add(row_id)
        rows.append((row_id, " ".join(title.split()), parent))
        links = topic.get("links") or {}
        if "subtopics" in links:
            url = f"{api}/topics/{row_id}/subtopics"
            queue += [(item, row_id) for item in _items(_optional_json(reader, url), url)]
        if "content" in links:
            url = f"{api}/topics/{row_id}/content"
            answer = _optional_json(reader, url)
            contents[row_id] = bulletin_links(answer, url) if isinstance(answer, dict) else []
        if progress:
            progress("topics", len(rows), len(rows) + len(queue))
    return build(rows, contents, reader.recorded or _dt.date.today().isoformat())
