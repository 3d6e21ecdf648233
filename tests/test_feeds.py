"""Atom feeds per producer and per topic: valid Atom, decisions from the audit trail, user text escaped."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from graph import feeds, needs
from graph.stores import Change
from graph.stores.base import graph_from_records

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")
NASTY = 'Rent & <b>"bills"</b>'

NODES = [
    {"id": "ons", "label": "Producer", "name": "ONS & partners", "kind": "department"},
    {"id": "dwp", "label": "Producer", "name": "DWP", "kind": "department"},
    {"id": "t.society", "label": "Topic", "name": "Society"},
    {"id": "t.housing", "label": "Topic", "name": "Housing"},
    {"id": "s.ehs", "label": "Statistic", "name": "English Housing Survey"},
    {"id": "n.rent", "label": "Need", "name": NASTY, "status": "captured", "raised": "2026-02-01",
     "statement": f"As a renter, I need {NASTY}, so that I can budget."},
    {"id": "n.other", "label": "Need", "name": "Other", "status": "captured", "raised": "2026-02-01",
     "statement": "As a nurse, I need shift data, so that I can plan."},
    {"id": "e.panel", "label": "Engagement", "name": "Renters panel", "method": "panel_meeting",
     "start": "2026-01-10", "you_said": "Too many tables <script>", "we_did": "Fewer tables",
     "feedback_published": "2026-03-05", "feedback_url": "https://example.org/we-did"},
]
EDGES = [
    {"type": "BROADER", "from": "t.housing", "to": "t.society"},
    {"type": "ABOUT", "from": "s.ehs", "to": "t.housing"},
    {"type": "OWNED_BY", "from": "n.rent", "to": "ons"},
    {"type": "CONCERNS", "from": "n.rent", "to": "s.ehs"},
    {"type": "OWNED_BY", "from": "n.other", "to": "dwp"},
    {"type": "RAN", "from": "ons", "to": "e.panel"},
    {"type": "ON", "from": "e.panel", "to": "t.housing"},
]


def check_atom(body: bytes) -> ET.Element:
    """Parse a feed and check what Atom 1.0 (RFC 4287) requires of it."""
    root = ET.fromstring(body)
    assert root.tag == A + "feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(A + name)) == 1, f"feed needs exactly one {name}"
    assert RFC3339.match(root.find(A + "updated").text)
    assert root.find(f"{A}author/{A}name").text  # feed-level author covers every entry
    assert any(link.get("rel") == "self" for link in root.findall(A + "link"))
    ids = []
    for entry in root.findall(A + "entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(A + name)) == 1, f"entry needs exactly one {name}"
        assert RFC3339.match(entry.find(A + "updated").text)
        assert re.match(r"^(tag|https?):", entry.find(A + "id").text)
        assert entry.find(A + "link").get("href").startswith(("http://", "https://"))
        ids.append(entry.find(A + "id").text)
    assert len(ids) == len(set(ids)), "entry ids must be unique"
    return root


def test_producer_feed_is_atom_with_decisions_and_we_did_escaped():
    graph = graph_from_records(NODES, EDGES)
    body = feeds.feed_for(graph, "http://localhost", {}, producer="ons")
    root = check_atom(body)
    titles = [e.find(A + "title").text for e in root.findall(A + "entry")]
    assert f"{NASTY}: captured" in titles and "You said, we did: Renters panel" in titles
    assert "Other: captured" not in titles  # owned by DWP
    assert b"<b>" not in body and b"&lt;b&gt;" in body and b"<script>" not in body
    assert root.find(A + "title").text.startswith("ONS & partners")
    assert root.find(A + "updated").text == "2026-03-05T00:00:00Z"  # the newest entry


def test_topic_feed_includes_narrower_topics_and_statistics():
    graph = graph_from_records(NODES, EDGES)
    root = check_atom(feeds.feed_for(graph, "http://localhost", {}, topic="t.society"))
    links = {e.find(A + "link").get("href") for e in root.findall(A + "entry")}
    assert links == {"http://localhost/records/n.rent", "https://example.org/we-did"}


def test_empty_feed_is_still_valid():
    graph = graph_from_records(NODES, EDGES)
    root = check_atom(feeds.feed_for(graph, "http://localhost", {}, topic="t.society"))
    assert root.findall(A + "entry")
    lonely = graph_from_records([{"id": "t.x", "label": "Topic", "name": "X"}], [])
    root = check_atom(feeds.feed_for(lonely, "http://localhost", {}, topic="t.x"))
    assert root.findall(A + "entry") == []


def test_feed_pages_follow_status_changes(client, app_store):
    app_store.apply(Change(put_nodes=NODES, put_edges=EDGES))
    current = app_store.get_node("n.rent")
    moved = needs.change_status(current, "not_taken_forward", reason="No small-area sample <i>")
    app_store.apply(Change(put_nodes=[moved], expect={"n.rent": current["version"]}, actor="token:t"))
    response = client.get("/feeds/producers/ons.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = check_atom(response.data)
    entries = {e.find(A + "title").text: e for e in root.findall(A + "entry")}
    assert f"{NASTY}: not taken forward" in entries and f"{NASTY}: captured" in entries
    summary = entries[f"{NASTY}: not taken forward"].find(A + "summary").text
    assert "Reason: No small-area sample <i>" in summary  # kept as text; escaped in the XML
    assert b"<i>" not in response.data
    check_atom(client.get("/feeds/topics/t.society.atom").data)
    assert client.get("/feeds/producers/nobody.atom").status_code == 404
    assert client.get("/feeds/producers/t.society.atom").status_code == 404  # a topic is not a producer


def test_you_said_we_did_page_and_producer_section(client, app_store):
    app_store.apply(Change(put_nodes=NODES, put_edges=EDGES, audit="summary"))
    page = client.get("/you-said-we-did?producer=ons").get_data(as_text=True)
    assert "Renters panel" in page and "Fewer tables" in page and "Too many tables &lt;script&gt;" in page
    assert client.get("/you-said-we-did?topic=nowhere").status_code == 400
    record = client.get("/records/ons").get_data(as_text=True)
    assert "You said, we did" in record and "/feeds/producers/ons.atom" in record


# -- feeds announced in the page head -----------------------------------------------

HEAD_LINK = re.compile(r'<link rel="alternate" type="application/atom\+xml" href="([^"]+)" title="([^"]+)">')


def head_feeds(page: str) -> list[tuple[str, str]]:
    head = page.split("</head>", 1)[0]
    return HEAD_LINK.findall(head)


def test_producer_topic_and_you_said_we_did_pages_announce_their_feeds(client, app_store):
    app_store.apply(Change(put_nodes=NODES, put_edges=EDGES, audit="summary"))
    producer = client.get("/records/ons").get_data(as_text=True)
    assert head_feeds(producer) == [
        ("/feeds/producers/ons.atom", "ONS &amp; partners: decisions on needs and you said, we did")]
    topic = client.get("/records/t.housing").get_data(as_text=True)
    assert head_feeds(topic) == [("/feeds/topics/t.housing.atom", "Housing: decisions on needs and you said, we did")]
    assert head_feeds(client.get("/records/s.ehs").get_data(as_text=True)) == []  # a statistic has no feed
    everyone = client.get("/you-said-we-did").get_data(as_text=True)
    assert head_feeds(everyone) == [  # one per producer whose engagements the page lists
        ("/feeds/producers/ons.atom", "ONS &amp; partners: decisions on needs and you said, we did")]
    both = client.get("/you-said-we-did?producer=dwp&topic=t.society").get_data(as_text=True)
    assert [href for href, _title in head_feeds(both)] == ["/feeds/producers/dwp.atom", "/feeds/topics/t.society.atom"]
    wrong = client.get("/you-said-we-did?producer=nobody&topic=t.society").get_data(as_text=True)
    assert [href for href, _title in head_feeds(wrong)] == ["/feeds/topics/t.society.atom"]
    for page in (producer, topic, everyone, both):
        for href, _title in head_feeds(page):
            response = client.get(href)
            assert response.status_code == 200 and response.mimetype == "application/atom+xml"
            check_atom(response.data)


def test_head_links_from_sections_are_text_and_local_only(app, client, app_store):
    from registry.web.sections import Section
    app_store.apply(Change(put_nodes=NODES, put_edges=EDGES, audit="summary"))
    app.extensions["pathways.sections"] = [*app.extensions["pathways.sections"], Section(
        ("Statistic",), 99, "partials/csrf.html", lambda node: {"head_links": [
            {"type": "application/atom+xml", "href": "/feeds/x.atom", "title": '"><script>alert(1)</script>'},
            {"href": "javascript:alert(1)", "title": "bad"}, {"href": "//evil.example/f", "title": "bad"}]},
        "body")]
    page = client.get("/records/s.ehs").get_data(as_text=True)
    head = page.split("</head>", 1)[0]
    assert '<link rel="alternate" type="application/atom+xml" href="/feeds/x.atom" ' \
           'title="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">' in head
    assert "javascript:" not in head and "evil.example" not in head and "<script>alert" not in head
