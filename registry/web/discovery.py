"""Find intermediaries: the publics, and for each the trusted intermediaries that reach it.

Also the discovery sections of record pages: a public's intermediaries, burden,
engagements and needs; a statistic's Box 1 ("Who this statistic is about"); a
producer's publics without a partner route.
"""
from __future__ import annotations

import datetime as _dt
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request
from markupsafe import Markup

from graph import box1 as B
from graph import discovery as D
from graph import proposals, tables
from graph.errors import InvalidRecord, NodeNotFound
from graph.feedback import feedback_given
from graph.model import NATION_NAMES
from graph.settings import section_of

from .. import downloads
from ..api.discovery import DiscoverySchema, discovery_json
from ..coverage import coverage_for
from ..rankings import beside_ranking, rank, ranking
from ..store import get_graph, get_settings, snapshot
from ..templating import option_tags

bp = Blueprint("discovery", __name__)
MAX_QUERY = 200
ON_RECORD_PAGE = 5


FILTER_LIST_MAX = 300  # above this many producers (or topics) the filters offer only those that change the list


def _filter_options(public_id: str, producer: str | None, topic: str | None) -> tuple[Markup, Markup, bool]:
    """The filters' ``<option>`` tags for producers and topics (the chosen ones selected), and whether
    they are narrowed: every one while there are at most ``FILTER_LIST_MAX`` (the seed has 71
    producers), else those that change the list with the ones chosen (:func:`narrowed_options`):
    a select of thousands is no use to anyone.

    Whether to narrow is asked of the read model's count of each label, kept through changes
    (:meth:`graph.readmodel.Snapshot.label_counts`): listing every producer to count them went
    over the whole registry after each write."""
    here = snapshot()
    counts = here.label_counts()
    if all(counts.get(label, 0) <= FILTER_LIST_MAX for label in ("Producer", "Topic")):
        return option_tags(here.records("Producer"), producer), option_tags(here.records("Topic"), topic), False
    return (*_beside_html(public_id, ("filter_options", producer, topic),
                          lambda graph, found: narrowed_options(graph, found, producer, topic)), True)


def narrowed_options(graph, found: D.Discovery, producer: str | None, topic: str | None) -> tuple[Markup, Markup]:
    """The ``<option>`` tags of the producers and topics that change the unfiltered ranking ``found``
    (:func:`graph.discovery.filter_choices`), by name, each with the one chosen when it is one."""
    def with_chosen(ids: list[str], chosen: str | None, label: str) -> Markup:
        if chosen in graph and chosen not in ids and graph.nodes[chosen].get("label") == label:
            ids = [*ids, chosen]
        return option_tags(sorted((graph.nodes[n] for n in ids), key=lambda r: (r.get("name", r["id"]).lower(), r["id"])),
                           chosen)
    producers, topics = D.filter_choices(graph, found)
    return with_chosen(producers, producer, "Producer"), with_chosen(topics, topic, "Topic")


def _beside_html(public_id: str, name: tuple, make, producer: str | None = None, topic: str | None = None,
                 nation: str | None = None):
    """``make(graph, ranking)``, HTML rendered from a public's ranking for these filters, kept beside
    it (:func:`registry.rankings.beside_ranking`) for this app; made afresh while templates reload
    (debugging), so an edited template shows at once."""
    if current_app.jinja_env.auto_reload:
        return make(get_graph(), ranking(public_id, producer, topic, nation))
    return beside_ranking(public_id, (*name, id(current_app)), make, producer, topic, nation)


def _ranked_list(found: D.Discovery, asked, size: int, producer: str | None, topic: str | None,
                 nation: str | None) -> Markup:
    """:func:`ranked_list_html` of the page ``asked`` (clamped: :func:`graph.tables.page_of`),
    ``size`` to a page, kept beside the ranking (rendering hundreds of rows took most of the page's time)."""
    page = tables.page_of(found.intermediaries, asked, size)
    return _beside_html(found.public["id"], ("ranked_list", page.first, page.last, page.pages),
                        lambda _graph, ranked: ranked_list_html(
                            ranked, tables.page_of(ranked.intermediaries, page.number, size), producer, topic, nation),
                        producer, topic, nation)


def ranked_list_html(found: D.Discovery, page: tables.Page, producer: str | None, topic: str | None,
                     nation: str | None) -> Markup:
    """One page of the ranked intermediaries as HTML: the table, "Showing 21 to 40 of 312
    intermediaries" and the pagination, whose links keep the filters. Rendered by the autoescaping
    template ``discovery/_ranked_list.html`` from the ranking alone, so it can be kept beside it."""
    query = urlencode([(k, v) for k, v in (("producer", producer), ("topic", topic), ("nation", nation)) if v])
    return Markup(render_template("discovery/_ranked_list.html", found=found, page=page, query=query,
                                  nation_name=NATION_NAMES.get(nation or "")))


def _matches(public: dict, words: list[str]) -> bool:
    text = " ".join([public.get("name", ""), public.get("description") or "", public.get("geography") or "",
                     " ".join(public.get("tags") or [])]).lower()
    return all(w in text for w in words)


@bp.get("/publics")
def publics():
    """Every public in the registry, with how many intermediaries reach it directly; filter by words."""
    q = (request.args.get("q") or "").strip()
    seldom = request.args.get("seldom_heard") == "yes"
    error = f"Search must be {MAX_QUERY} characters or fewer" if len(q) > MAX_QUERY else None
    rows = []
    if not error:
        words = q.lower().split()
        here = snapshot()
        into = here.graph.pred
        for public in here.records("Public"):
            if not (words and not _matches(public, words)) and not (seldom and not public.get("seldom_heard")):
                rows.append({**public, "reached_by": sum(1 for keys in into[public["id"]].values() if "REACHES" in keys)})
    return render_template("discovery/publics.html", q=q, seldom=seldom, rows=rows, error=error,
                           error_title=bool(error)), 400 if error else 200


@bp.get("/publics/<node_id>")
def public(node_id: str):
    """The trusted intermediaries that reach one public, ranked, with the reasons; a producer picks itself.

    ``?page=N`` shows the Nth ``discovery.page_size`` of them (20; a page number that is not one
    shows the nearest page); ``?format=csv`` or ``json`` downloads the whole ranked list (JSON as
    ``/api/v1/publics/<id>/intermediaries``).
    """
    fmt = downloads.requested_format()
    graph, settings = get_graph(), get_settings()
    if node_id not in graph or graph.nodes[node_id]["label"] != "Public":
        raise NodeNotFound(node_id)
    record = graph.nodes[node_id]
    producer = request.args.get("producer") or None
    topic = request.args.get("topic") or None
    nation = request.args.get("nation") or None
    errors: dict[str, str] = {}
    found = None
    try:
        found = ranking(node_id, producer=producer, topic=topic, nation=nation)
    except InvalidRecord as exc:
        errors = {p.field: f"Select a {p.field} from the list" for p in exc.problems}
        if fmt:
            raise
    if fmt:
        return _download(fmt, graph, settings, found)
    producers, topics, narrowed = _filter_options(node_id, producer, topic)
    ranked_list = None
    if found and not found.no_route:
        ranked_list = _ranked_list(found, request.args.get("page"), section_of(settings, "discovery")["page_size"],
                                   producer, topic, nation)
    return render_template(
        "discovery/public.html", node=record, found=found, errors=errors, producer=producer, topic=topic,
        nation=nation, nations=list(NATION_NAMES.items()), nation_name=NATION_NAMES.get(nation or ""),
        producers=producers, topics=topics, narrowed=narrowed, settings=settings, ranked_list=ranked_list,
        burden=D.public_burden(graph, node_id, settings) if found else None,
        coverage=coverage_for() if found else None, downloads=downloads.download_links(),
        error_title=bool(errors)), 400 if errors else 200


def _download(fmt: str, graph, settings, found: D.Discovery):
    data = DiscoverySchema().dump(discovery_json(found, D.public_burden(graph, found.public["id"], settings)))
    return downloads.download(fmt, f"intermediaries reaching {found.public['id']}", tables.intermediaries_table(found),
                              data)


def _engagements(graph, public_id: str) -> list[dict]:
    rows = []
    for eng, _p, key, data in graph.in_edges(public_id, keys=True, data=True):
        if key != "INVOLVED" or graph.nodes[eng].get("label") != "Engagement":
            continue
        record = graph.nodes[eng]
        ran = sorted(graph.nodes[p].get("name", p) for p, _e, k in graph.in_edges(eng, keys=True) if k == "RAN")
        rows.append({"id": eng, "name": record.get("name", eng), "method": record.get("method"),
                     "start": record.get("start"), "end": record.get("end"), "status": record.get("status"),
                     "participants": data.get("participants") or record.get("participants"),
                     "feedback_published": record.get("feedback_published"),
                     "feedback_given": feedback_given(record), "ran_by": ran,
                     "proposed": data.get("confirmed") is False,
                     "proposal": proposals.Proposal(eng, public_id, graph.nodes[public_id].get("name", public_id))
                     if data.get("confirmed") is False else None})
    return sorted(rows, key=lambda r: (r["start"] or "", r["name"]), reverse=True)


def _needs(graph, public_id: str) -> list[dict]:
    rows = [{"id": n, "name": graph.nodes[n].get("name", n), "statement": graph.nodes[n].get("statement"),
             "status": graph.nodes[n].get("status"), "priority": graph.nodes[n].get("priority")}
            for n, _p, k in graph.in_edges(public_id, keys=True)
            if k == "RAISED_BY" and graph.nodes[n].get("label") == "Need"]
    return sorted(rows, key=lambda r: (r["priority"] or 9, r["name"].lower()))


def public_section(node: dict) -> dict | None:
    """Who this public is, the intermediaries that reach it, its burden, engagements and needs."""
    graph, settings = get_graph(), get_settings()
    found = ranking(node["id"])
    return {"found": found, "shown": found.intermediaries[:ON_RECORD_PAGE],
            "burden": D.public_burden(graph, node["id"], settings), "today": _dt.date.today(),
            "coverage": coverage_for(),
            "engagements": _engagements(graph, node["id"]), "needs": _needs(graph, node["id"])}


def statistic_section(node: dict) -> dict | None:
    """Box 1: who this statistic is about, collected from, affects and leaves out, and who reaches them."""
    graph, settings = get_graph(), get_settings()
    return {"box": B.box1(graph, node["id"], settings, rank=rank)}


def producer_section(node: dict) -> dict | None:
    """The publics of this producer's statistics it has no partner route to, and who others use for them."""
    graph, settings = get_graph(), get_settings()
    result = B.producer_gaps(graph, node["id"], settings, rank=rank)
    return {"result": result} if result.publics else None
