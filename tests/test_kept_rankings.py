"""Rankings kept through writes (registry.rankings, graph.footprint): after any sequence of writes,
every kept ranking is the one a fresh ranking of the registry as it now is gives, and so is what is
kept beside it (a public's filter choices and each page of its list as HTML) (property-based)."""
from __future__ import annotations

import datetime as _dt
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import discovery as D
from graph.errors import EdgeNotFound, InvalidRecord, NodeNotFound
from graph.readmodel import build_graph
from graph.stores import Change
from graph.tables import page_of
from tests.conftest import make_store
from tests.provenance import cited

TODAY = _dt.date.today()
RECENT = (TODAY - _dt.timedelta(days=40)).isoformat()
LABELS = {"p1": "Public", "p2": "Public", "i1": "Intermediary", "i2": "Intermediary", "i3": "Intermediary",
          "o1": "Producer", "o2": "Producer", "t1": "Topic", "e1": "Engagement", "e2": "Engagement"}
EDGES = [("REACHES", "i1", "p1"), ("REACHES", "i2", "p1"), ("REACHES", "i3", "p2"), ("MEMBER_OF", "i1", "i3"),
         ("MEMBER_OF", "i3", "i2"), ("PARTNERS_WITH", "o1", "i2"), ("PARTNERS_WITH", "o2", "i3"),
         ("PART_OF", "o2", "o1"), ("WORKS_ON", "i1", "t1"), ("VIA", "e1", "i1"), ("VIA", "e2", "i3"),
         ("RAN", "o1", "e1"), ("RAN", "o2", "e2"), ("INVOLVED", "e1", "p1"), ("INVOLVED", "e2", "p2")]
NAMES = ["Carers", "Tenants", "Disabled people", "Renters"]


def _record(node_id: str, name: str, variant: int) -> dict:
    record = {"id": node_id, "label": LABELS[node_id], "name": name}
    if record["label"] == "Engagement":
        record.update(method="survey", start=RECENT, status="held" if variant else "planned")
    elif record["label"] == "Intermediary" and variant:
        record["nations"] = ["wales"] if variant == 1 else ["england", "wales"]
    return record


def _edge(type_: str, src: str, dst: str, variant: int) -> dict:
    edge = {"type": type_, "from": src, "to": dst, **cited(type_, {})}
    if type_ == "REACHES" and variant:
        edge.update(strength=0.9 if variant == 1 else 0.2, trust="high")
    if type_ == "INVOLVED" and variant:
        edge["participants"] = 400 * variant
    return edge


write = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(sorted(LABELS)), st.sampled_from(NAMES), st.integers(0, 2)),
    st.tuples(st.just("delete"), st.sampled_from(sorted(LABELS))),
    st.tuples(st.just("link"), st.sampled_from(EDGES), st.integers(0, 2)),
    st.tuples(st.just("unlink"), st.sampled_from(EDGES)))


def _change(op) -> Change:
    if op[0] == "put":
        return Change(put_nodes=[_record(op[1], op[2], op[3])])
    if op[0] == "delete":
        return Change(delete_nodes=[op[1]])
    if op[0] == "link":
        return Change(put_edges=[_edge(*op[1], op[2])])
    return Change(delete_edges=[op[1]])


def _shown(found: D.Discovery) -> tuple:
    return [c.as_dict() for c in found.intermediaries], found.leads, found.advice, found.unfiltered


def fresh_after_each(live, changes):
    """Apply each change the store accepts (a refused one is skipped: nothing written) and yield the
    registry loaded afresh from the store after it, to compare kept answers with."""
    for change in changes:
        try:
            live.apply(change)
        except (InvalidRecord, NodeNotFound, EdgeNotFound):
            continue
        yield live.load_state(lambda _rev, nodes, edges: build_graph(nodes, edges))


@pytest.mark.parametrize("backend_name", ["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.lists(write, min_size=1, max_size=3), min_size=1, max_size=8))
def test_after_any_writes_every_kept_ranking_is_a_fresh_one(backend_name, tmp_path_factory, steps):
    """Each step is one Change the store accepts (a refused one is skipped); after each, every
    public's ranking, as a producer and as nobody, is what ranking the registry afresh gives; so are
    what is kept beside them as HTML: the narrowed filters' options (made from the unfiltered
    ranking, for each producer and topic asked as) and every page of its list (two to a page)."""
    from registry import create_app
    from registry import rankings
    from registry.web import discovery as web
    store = make_store(backend_name, tmp_path_factory.mktemp("kr"))
    app = create_app({"TESTING": True, "REGISTRY_STORE": store.url, "SECRET_KEY": "test",
                      "ALGORITHMS": {"discovery": {"page_size": 2}}})
    try:
        from registry.store import store_for
        live = store_for(app)
        live.apply(Change(put_nodes=[_record(i, i.upper(), 1) for i in sorted(LABELS)],
                          put_edges=[_edge(t, u, v, 0) for t, u, v in EDGES]))
        changes = (Change(put_nodes=[n for op in step for n in _change(op).put_nodes],
                          put_edges=[e for op in step for e in _change(op).put_edges],
                          delete_nodes=[n for op in step for n in _change(op).delete_nodes],
                          delete_edges=[e for op in step for e in _change(op).delete_edges]) for step in steps)
        for graph in fresh_after_each(live, changes):
            with app.test_request_context():
                settings_ = app.extensions["pathways.settings"]
                for public in ("p1", "p2"):
                    if public not in graph:
                        continue
                    unfiltered = D.discover(graph, public, settings_, reports=(),
                                            load_status=D.load_from_burden(graph, settings_))
                    for producer in (None, "o1", "o2"):
                        if producer is not None and producer not in graph:
                            continue
                        kept = rankings.ranking(public, producer)
                        fresh = D.discover(graph, public, settings_, producer=producer, reports=(),
                                           load_status=D.load_from_burden(graph, settings_))
                        assert _shown(kept) == _shown(fresh), (public, producer, steps)
                        for number in range(1, page_of(fresh.intermediaries, 1, 2).pages + 1):
                            assert web._ranked_list(kept, number, 2, producer, None, None) \
                                == web.ranked_list_html(fresh, page_of(fresh.intermediaries, number, 2), producer,
                                                        None, None), (public, producer, number, steps)
                        for topic in (None, "t1"):  # the narrowed filters, asked as this producer, on this topic
                            with mock.patch.object(web, "FILTER_LIST_MAX", 0):
                                kept_options = web._filter_options(public, producer, topic)
                            assert kept_options == (*web.narrowed_options(graph, unfiltered, producer, topic), True), \
                                (public, producer, topic, steps)
    finally:
        app.extensions["pathways.store"].close()
        store.close()
