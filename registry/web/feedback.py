"""You said, we did: per producer and topic, feedback debt, and Atom feeds of decisions."""
from __future__ import annotations

import datetime as _dt

from flask import Blueprint, Response, render_template, request

from graph import feedback, feeds, needs, tables
from graph.errors import InvalidRecord, NodeNotFound, Problem

from .. import downloads
from ..cache import feedback_debt, feedback_items, joined_needs
from ..forms import form_status
from ..store import get_graph, get_settings, get_store
from ..urls import public_base_url

bp = Blueprint("feedback", __name__)
ATOM = "application/atom+xml"


def feed_link(kind: str, node_id: str, name: str) -> dict:
    """A ``<link rel="alternate">`` for a producer's or a topic's feed (record.html and list.html render it).

    >>> feed_link("producers", "ons", "ONS")["href"], feed_link("topics", "t.housing", "Housing")["title"]
    ('/feeds/producers/ons.atom', 'Housing: decisions on needs and you said, we did')
    """
    return {"rel": "alternate", "type": ATOM, "href": f"/feeds/{kind}/{node_id}.atom",
            "title": f"{name}: decisions on needs and you said, we did"}


def page_feeds(graph, items, producer: str | None, topic: str | None) -> list[dict]:
    """The feeds a you said, we did page offers: the chosen producer's and topic's, or, unfiltered, the
    feed of each producer whose engagements it lists."""
    if producer or topic:
        return [feed_link(kind, n, graph.nodes[n].get("name", n))
                for kind, n in (("producers", producer), ("topics", topic)) if n]
    producers = {p.id: p.name for item in items for p in item.producers}
    return [feed_link("producers", p, name) for p, name in sorted(producers.items(), key=lambda kv: kv[1].lower())]


def _node_of(graph, node_id: str | None, label: str) -> str | None:
    if node_id and (node_id not in graph or graph.nodes[node_id].get("label") != label):
        raise NodeNotFound(node_id)
    return node_id


@bp.get("/you-said-we-did")
def you_said_we_did():
    """What participants said in each engagement, what the producer did, and when it was published.

    ``?format=csv`` or ``json`` downloads the engagements listed, with the same filters.
    """
    fmt = downloads.requested_format()
    graph, settings = get_graph(), get_settings()
    producer = (request.args.get("producer") or "").strip() or None
    topic = (request.args.get("topic") or "").strip() or None
    errors = {}
    for key, value, label in (("producer", producer, "Producer"), ("topic", topic, "Topic")):
        if value and (value not in graph or graph.nodes[value].get("label") != label):
            errors[key] = f"Select a {label.lower()} from the list"
    items = feedback.you_said_we_did(graph, producer=None if "producer" in errors else producer,
                                     topic=None if "topic" in errors else topic, items=feedback_items())
    if fmt:
        if errors:
            raise InvalidRecord([Problem("query", k, m) for k, m in errors.items()])
        data = {"filters": {k: v for k, v in (("producer", producer), ("topic", topic)) if v}, "count": len(items),
                "engagements": [item.as_dict() for item in items]}
        return downloads.download(fmt, "you said we did", tables.feedback_table(items), data)
    today = _dt.date.today()
    debts = feedback.debt(graph, today, settings, producer=None if "producer" in errors else producer,
                          rows=feedback_debt(today))
    ran = {u for u, _, k in graph.edges(keys=True) if k == "RAN"}
    options = {
        "producer": [{"value": "", "text": "Any producer"}] + sorted(
            ({"value": p, "text": graph.nodes[p].get("name", p)} for p in ran), key=lambda o: o["text"].lower()),
        "topic": [{"value": "", "text": "Any topic"}] + sorted(
            ({"value": t, "text": rec.get("name", t)} for t, rec in graph.nodes(data=True)
             if rec.get("label") == "Topic"), key=lambda o: o["text"].lower()),
    }
    for key, value in (("producer", producer), ("topic", topic)):
        for opt in options[key]:
            opt["selected"] = opt["value"] == (value or "")
    head_links = page_feeds(graph, items, None if "producer" in errors else producer,
                            None if "topic" in errors else topic)
    return render_template("feedback/list.html", items=items, debts=debts, options=options, errors=errors,
                           head_links=head_links, downloads=downloads.download_links(),
                           producer=producer, topic=topic, graph_names={n: graph.nodes[n].get("name", n)
                                                                        for d in debts for n in d.publics},
                           debt_days=settings["burden"]["feedback_debt_days"],
                           error_title=bool(errors)), form_status(errors)


def producer_section(node: dict) -> dict:
    """A producer's you said, we did, its feedback debt and its feed (read around the producer only)."""
    graph, settings = get_graph(), get_settings()
    return {"items": feedback.you_said_we_did(graph, producer=node["id"], items=feedback_items()),
            "debts": feedback.debt(graph, _dt.date.today(), settings, producer=node["id"],
                                    rows=feedback_debt(_dt.date.today())),
            "waiting": needs.waiting_list(graph, settings, producer=node["id"], joined=joined_needs()).items,
            "debt_days": settings["burden"]["feedback_debt_days"],
            "head_links": [feed_link("producers", node["id"], node["name"])]}


def topic_section(node: dict) -> dict:
    """Open needs and you said, we did on a topic, and its feed (read around the topic only)."""
    graph, settings = get_graph(), get_settings()
    return {"items": feedback.you_said_we_did(graph, topic=node["id"], items=feedback_items()),
            "waiting": needs.waiting_list(graph, settings, topic=node["id"], joined=joined_needs()).items,
            "head_links": [feed_link("topics", node["id"], node["name"])]}


def _histories(store, graph, need_ids) -> dict:
    return {n: needs.history(graph.nodes[n], store.audit_entries(target=n, limit=500)) for n in need_ids}


def _feed(producer: str | None = None, topic: str | None = None) -> Response:
    store = get_store()
    graph = get_graph()
    if producer:
        _node_of(graph, producer, "Producer")
    else:
        _node_of(graph, topic, "Topic")
    base = public_base_url()
    scope = feeds.needs_in_scope(graph, producer, topic)
    body = feeds.feed_for(graph, base, _histories(store, graph, scope), producer=producer, topic=topic)
    return Response(body, mimetype="application/atom+xml")


@bp.get("/feeds/producers/<producer_id>.atom")
def producer_feed(producer_id: str):
    """Decisions on the producer's needs and its you said, we did, as an Atom feed."""
    return _feed(producer=producer_id)


@bp.get("/feeds/topics/<topic_id>.atom")
def topic_feed(topic_id: str):
    """Decisions on needs about the topic and you said, we did on it, as an Atom feed."""
    return _feed(topic=topic_id)
