"""Atom 1.0 feeds of decisions on needs and "we did" items, per producer and per topic.

Users follow a producer or a topic to see when a need they raised moves on the
waiting list or when the producer publishes what it did after an engagement.
The XML is built with ``xml.etree`` so every user-typed text is escaped.

>>> entries = [Entry("tag:pathways,2026:need/a/1", "Need A: planned", "2026-03-01", "http://x/records/a",
...                  "Planned <soon>")]
>>> xml = atom("tag:pathways,2026:producer/ons", "ONS", "http://x/records/ons", "http://x/feed", entries)
>>> b"<title>Need A: planned</title>" in xml and b"Planned &lt;soon&gt;" in xml
True
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import networkx as nx

from . import model
from .feedback import you_said_we_did
from .needs import STATUS_WORDS, HistoryEntry, topics_of
from .walk import narrower_topics, producer_and_parts

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:pathways.registry,2026:"


@dataclass
class Entry:
    id: str
    title: str
    updated: str          # a date (YYYY-MM-DD) or an RFC 3339 time
    link: str
    summary: str
    category: str = ""


def rfc3339(value: str | None) -> str:
    """A date or time as Atom wants it (RFC 3339, with a zone).

    >>> rfc3339("2026-03-01"), rfc3339("2026-03-01T10:00:00+00:00")
    ('2026-03-01T00:00:00Z', '2026-03-01T10:00:00+00:00')
    """
    if not value:
        return "1970-01-01T00:00:00Z"
    if len(value) == 10 and model.parse_date(value):
        return value + "T00:00:00Z"
    return value


def atom(feed_id: str, title: str, alternate: str, self_url: str, entries: list[Entry],
         subtitle: str = "") -> bytes:
    """The feed document; ``updated`` is the newest entry's (or the epoch when there are none)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = feed_id
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    if subtitle:
        ET.SubElement(feed, f"{{{ATOM}}}subtitle").text = subtitle
    newest = max((rfc3339(e.updated) for e in entries), default=rfc3339(None))
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = newest
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=alternate)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_url)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Pathways"
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "Pathways"
    for entry in sorted(entries, key=lambda e: rfc3339(e.updated), reverse=True):
        node = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(node, f"{{{ATOM}}}id").text = entry.id
        ET.SubElement(node, f"{{{ATOM}}}title").text = entry.title
        ET.SubElement(node, f"{{{ATOM}}}updated").text = rfc3339(entry.updated)
        ET.SubElement(node, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=entry.link)
        if entry.category:
            ET.SubElement(node, f"{{{ATOM}}}category", term=entry.category)
        ET.SubElement(node, f"{{{ATOM}}}summary", type="text").text = entry.summary
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def needs_in_scope(graph: nx.MultiDiGraph, producer: str | None, topic: str | None) -> list[str]:
    producers = producer_and_parts(graph, producer) if producer else None
    topics = narrower_topics(graph, topic) if topic else None
    out = []
    for node, rec in graph.nodes(data=True):
        if rec.get("label") != "Need":
            continue
        if producers is not None and not any(
                v in producers for _, v, k in graph.out_edges(node, keys=True) if k == "OWNED_BY"):
            continue
        if topics is not None and not topics.intersection(topics_of(graph, node)):
            continue
        out.append(node)
    return out


def entries_for(graph: nx.MultiDiGraph, base_url: str, histories: dict[str, list[HistoryEntry]],
                producer: str | None = None, topic: str | None = None) -> list[Entry]:
    """Decisions on needs (each status in a need's history) and "we did" items in scope.

    ``histories`` maps need ids to :func:`graph.needs.history`; a need without one gets
    a single entry for its current status on the date it was raised.
    """
    entries: list[Entry] = []
    for need in needs_in_scope(graph, producer, topic):
        rec = graph.nodes[need]
        steps = [h for h in histories.get(need, []) if h.event in ("raised", "recorded", "status")]
        if not steps:
            steps = [HistoryEntry(date=rec.get("raised") or "", event="raised", status=rec.get("status"))]
        for n, step in enumerate(steps):
            status = step.status or "captured"
            words = STATUS_WORDS.get(status, status)
            detail = [rec.get("statement", "")]
            if step.reason:
                detail.append(f"Reason: {step.reason}")
            if step.response:
                detail.append(f"What was decided: {step.response}")
            elif n == len(steps) - 1 and rec.get("response"):
                detail.append(f"What was decided: {rec['response']}")
            entries.append(Entry(
                id=f"{TAG}need/{need}/{n}/{status}", title=f"{rec.get('name', need)}: {words.lower()}",
                updated=step.at or step.date, link=f"{base_url}/records/{need}", summary="\n".join(detail),
                category="decision"))
    for item in you_said_we_did(graph, producer=producer, topic=topic):
        if not item.we_did:
            continue
        summary = f"You said: {item.you_said}\nWe did: {item.we_did}" if item.you_said else f"We did: {item.we_did}"
        entries.append(Entry(
            id=f"{TAG}engagement/{item.id}/we-did", title=f"You said, we did: {item.name}",
            updated=item.published or item.end or item.start or "", link=item.url or f"{base_url}/records/{item.id}",
            summary=summary, category="you-said-we-did"))
    return entries


def feed_for(graph: nx.MultiDiGraph, base_url: str, histories: dict[str, list[HistoryEntry]],
             producer: str | None = None, topic: str | None = None) -> bytes:
    """The Atom feed for one producer or one topic."""
    node = producer or topic
    kind = "producers" if producer else "topics"
    name = graph.nodes[node].get("name", node)
    entries = entries_for(graph, base_url, histories, producer=producer, topic=topic)
    return atom(f"{TAG}{kind}/{node}", f"{name}: decisions on needs and you said, we did",
                f"{base_url}/records/{node}", f"{base_url}/feeds/{kind}/{node}.atom", entries,
                subtitle="Changes on the waiting list of user needs and what was done after engagement, "
                         "from Pathways")
