"""The map's layouts (graph/layouts.py) and the filters added with them: pathway views whose labels
never overlap and that cross fewer lines than the banded layout, clusters apart, and the nation,
burden, expand and layout filters."""
from __future__ import annotations

import collections
import json
import time

import networkx as nx
import pytest

from graph import layouts, maps
from graph.errors import InvalidRecord, NodeNotFound
from graph.maps import MapFilters, build_view, parse_filters
from graph.stores.base import graph_from_records

SETTINGS = {"map": {"max_nodes": 2000}}


def node(id_, label, **props):
    return {"id": id_, "label": label, "name": props.pop("name", id_.upper()), **props}


def edge(type_, src, dst, **props):
    return {"type": type_, "from": src, "to": dst, **props}


@pytest.fixture(scope="module")
def generated():
    from graph.generate import generate
    doc = generate(2000, seed=5)
    return graph_from_records(doc.nodes, doc.edges)


def _labels(view):
    return {n.id: (n.x, n.y, n.lines + ([maps.PUBLIC_CAPTION_ROOM] if n.label == "Public" else []),
                   maps.drawn_radius(n.size)) for n in view.nodes}


def _segments(view):
    return [(e.source, e.target) for e in view.edges]


def _pathway_seeds(graph):
    """A busy public, a busy statistic and a busy producer of a graph."""
    def busiest(label):
        return max((n for n, d in graph.nodes(data=True) if d.get("label") == label), key=lambda n: (graph.degree(n), n))
    return [("public", busiest("Public")), ("focus", busiest("Statistic")), ("producer", busiest("Producer"))]


def test_pathway_views_have_no_overlapping_labels_and_cross_less_than_bands(generated):
    totals = collections.Counter()
    for field, seed in _pathway_seeds(generated):
        view = build_view(generated, MapFilters(**{field: seed}), SETTINGS)
        assert view.layout == "pathway" and len(view.nodes) > 5
        assert layouts.label_overlaps(_labels(view)) == [], (field, seed)
        # no label over another record's shape either: each record's slot holds its shape and label
        column = collections.defaultdict(list)
        for n in view.nodes:
            column[n.x].append(n)
        for members in column.values():
            members.sort(key=lambda n: n.y)
            for a, b in zip(members, members[1:]):
                bottom = layouts.label_rect(a.x, a.y, _labels(view)[a.id][2], maps.drawn_radius(a.size))[3]
                assert bottom <= b.y - maps.drawn_radius(b.size), (a.id, b.id)
        pathway = layouts.crossings({n.id: (n.x, n.y) for n in view.nodes}, _segments(view))
        bands = build_view(generated, MapFilters(**{field: seed}, layout="bands"), SETTINGS)
        banded = layouts.crossings({n.id: (n.x, n.y) for n in bands.nodes}, _segments(bands))
        print(f"{field} {seed}: {len(view.nodes)} records, crossings {pathway} in the pathway layout, "
              f"{banded} in the banded one")
        totals.update(pathway=pathway, bands=banded)
    assert totals["pathway"] < totals["bands"]


def test_pathway_columns_run_from_publics_to_statistics():
    g = graph_from_records(
        [node("pub", "Public"), node("int", "Intermediary"), node("ug", "UserGroup"), node("prod", "Producer"),
         node("stat", "Statistic")],
        [edge("REACHES", "int", "pub", source="https://example.org", verified="2026-01-01"),
         edge("MEMBER_OF", "int", "ug"), edge("CONVENES", "prod", "ug"), edge("PRODUCES", "prod", "stat")])
    view = build_view(g, MapFilters(focus="pub", depth=4), SETTINGS)
    x = {n.id: n.x for n in view.nodes}
    assert x["pub"] < x["int"] < x["ug"] < x["prod"] < x["stat"]


def test_a_long_name_is_wrapped_and_its_column_made_wide_enough():
    long = "Department for Levelling Up, Housing and Communities statistics on homelessness in England"
    g = graph_from_records([node("a", "Public", name=long), node("b", "Public", name="B"),
                            node("c", "Intermediary", name=long)],
                           [edge("REACHES", "c", "a", source="https://example.org", verified="2026-01-01"),
                            edge("REACHES", "c", "b", source="https://example.org", verified="2026-01-01")])
    view = build_view(g, MapFilters(focus="c"), SETTINGS)
    by_id = {n.id: n for n in view.nodes}
    assert len(by_id["a"].lines) > 1 and all(layouts.text_width(line) <= layouts.LABEL_MAX_WIDTH
                                             for line in by_id["a"].lines)
    assert " ".join(by_id["a"].lines).replace("- ", "") .startswith("Department for Levelling Up")
    assert layouts.label_overlaps(_labels(view)) == []


def test_the_whole_system_is_in_clusters_apart(generated):
    started = time.perf_counter()
    view = build_view(generated, MapFilters(), SETTINGS)
    seconds = time.perf_counter() - started
    print(f"whole-system view of 2,000 records with its cluster layout: {seconds * 1000:.0f} ms")
    assert view.layout == "clusters" and view.collapsed and len(view.clusters) > 3
    members = collections.Counter(n.cluster for n in view.nodes)
    assert {c["id"]: c["count"] for c in view.clusters} == dict(members)
    for i, a in enumerate(view.clusters):
        for b in view.clusters[i + 1:]:
            gap = ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5 - a["radius"] - b["radius"]
            assert gap >= layouts.CLUSTER_GAP - 1, (a["id"], b["id"])
    positions = {n.id: (n.x, n.y) for n in view.nodes}
    assert maps.overlaps(positions, {n.id: maps.drawn_radius(n.size) for n in view.nodes}) == []
    # the best-connected record of each cluster sits in its middle
    for c in view.clusters:
        inside = [n for n in view.nodes if n.cluster == c["id"]]
        nearest = min(inside, key=lambda n: ((n.x - c["x"]) ** 2 + (n.y - c["y"]) ** 2, n.id))
        assert nearest.importance == max(n.importance for n in inside)


def test_clusters_are_communities():
    # two tight groups joined by one line: two clusters, each named after its topic
    g = graph_from_records(
        [node("t1", "Topic", name="Health"), node("s1", "Statistic"), node("s2", "Statistic"), node("p1", "Producer"),
         node("t2", "Topic", name="Crime"), node("s3", "Statistic"), node("s4", "Statistic"), node("p2", "Producer")],
        [edge("ABOUT", "s1", "t1"), edge("ABOUT", "s2", "t1"), edge("PRODUCES", "p1", "s1"), edge("PRODUCES", "p1", "s2"),
         edge("ABOUT", "s3", "t2"), edge("ABOUT", "s4", "t2"), edge("PRODUCES", "p2", "s3"), edge("PRODUCES", "p2", "s4"),
         edge("BROADER", "t1", "t2")])
    view = build_view(g, MapFilters(), SETTINGS)
    groups = {c["name"]: sorted(n.id for n in view.nodes if n.cluster == c["id"]) for c in view.clusters}
    assert groups == {"Health": ["p1", "s1", "s2", "t1"], "Crime": ["p2", "s3", "s4", "t2"]}


def test_layouts_are_deterministic(generated):
    view_graph = nx.Graph()
    view = build_view(generated, MapFilters(), SETTINGS)
    for n in view.nodes:
        view_graph.add_node(n.id, label=n.label, name=n.name, radius=maps.drawn_radius(n.size))
    view_graph.add_edges_from(_segments(view))
    again = nx.Graph()
    again.add_nodes_from(sorted(view_graph.nodes(data=True), reverse=True))
    again.add_edges_from(sorted(view_graph.edges(), reverse=True))
    first, _ = layouts.cluster_layout(view_graph)
    second, _ = layouts.cluster_layout(again)
    assert {k: (p.x, p.y) for k, p in first.items()} == {k: (p.x, p.y) for k, p in second.items()}


@pytest.fixture
def small():
    nodes = [node("ons", "Producer"), node("stat", "Statistic", nations=["england", "wales"]),
             node("scot", "Statistic", nations=["scotland"]), node("pub-a", "Public"), node("pub-b", "Public"),
             node("int", "Intermediary", nations=["wales"]), node("topic", "Topic")]
    edges = [edge("PRODUCES", "ons", "stat"), edge("PRODUCES", "ons", "scot"), edge("DESCRIBES", "stat", "pub-a"),
             edge("REACHES", "int", "pub-a", source="https://example.org", verified="2026-01-01"),
             edge("REACHES", "int", "pub-b", source="https://example.org", verified="2026-01-01"),
             edge("ABOUT", "stat", "topic")]
    return graph_from_records(nodes, edges)


def test_nation_filter_leaves_out_records_only_of_other_nations(small):
    view = build_view(small, MapFilters(nation="wales"), SETTINGS)
    assert "scot" not in {n.id for n in view.nodes} and {"stat", "int", "ons", "topic"} <= {n.id for n in view.nodes}
    # a chosen record always stays
    assert "scot" in {n.id for n in build_view(small, MapFilters(focus="scot", nation="wales"), SETTINGS).nodes}


def test_burden_filter_keeps_publics_and_intermediaries_of_those_statuses(small):
    status = {"pub-a": "over", "pub-b": "ok", "int": None}

    def burden(node_id, _label):
        return {"status": status[node_id], "ratio": None} if status.get(node_id) else None
    view = build_view(small, MapFilters(burden=("over",)), SETTINGS, burden=burden)
    shown = {n.id for n in view.nodes}
    assert "pub-a" in shown and "pub-b" not in shown and "int" not in shown and "ons" in shown
    assert "int" in {n.id for n in build_view(small, MapFilters(burden=("unknown",)), SETTINGS, burden=burden).nodes}


def test_expand_adds_a_records_neighbours(small):
    base = {n.id for n in build_view(small, MapFilters(focus="pub-b"), SETTINGS).nodes}
    assert base == {"pub-b", "int"}
    grown = {n.id for n in build_view(small, MapFilters(focus="pub-b", expand=("int",)), SETTINGS).nodes}
    assert grown == {"pub-b", "int", "pub-a"}
    with pytest.raises(NodeNotFound):
        build_view(small, MapFilters(focus="pub-b", expand=("nobody",)), SETTINGS)


def test_new_filters_are_parsed_and_refused_by_field():
    f = parse_filters({"nation": "wales", "burden": "over,high", "expand": "a,b", "layout": "bands"})
    assert (f.nation, f.burden, f.expand, f.layout) == ("wales", ("over", "high"), ("a", "b"), "bands")
    assert f.as_query() == {"nation": "wales", "burden": "over,high", "expand": "a,b", "layout": "bands"}
    assert parse_filters(f.as_query()) == f
    with pytest.raises(InvalidRecord) as exc:
        parse_filters({"nation": "france", "burden": "dreadful", "expand": "Not An Id", "layout": "spiral"})
    assert sorted(p.field for p in exc.value.problems) == ["burden", "expand", "layout", "nation"]


# -- through the app -----------------------------------------------------------

def page_data(html: str) -> dict:
    return json.loads(html.split('<script type="application/json" id="map-data">')[1].split("</script>")[0])


def test_map_page_carries_layout_clusters_and_gaps(app, app_store):
    from graph import transfer
    doc = {"format": "pathways-graph", "version": 1,
           "nodes": [node("lonely", "Public", name="Nobody reaches us", seldom_heard=True),
                     node("ons", "Producer"), node("stat", "Statistic"), node("t", "Topic", name="Health")],
           "edges": [edge("PRODUCES", "ons", "stat"), edge("ABOUT", "stat", "t")]}
    transfer.import_document(app_store, transfer.document_from_data(doc))
    client = app.test_client()
    data = page_data(client.get("/map").get_data(as_text=True))
    assert data["layout"] == "clusters" and data["collapsed"] is False and data["clusters"]
    assert "gaps" not in data
    data = page_data(client.get("/map?gaps=1").get_data(as_text=True))
    assert "Publics with no route" in data["gaps"]["lonely"]
    html = client.get("/map?focus=Nobody+reaches+us").get_data(as_text=True)
    assert page_data(html)["layout"] == "pathway" and "Read it left to right" in html
    assert client.get("/map?nation=france").status_code == 400


def test_lines_side_by_side_are_bundled_through_one_middle_without_more_crossings(generated):
    bundled_views = 0
    for field, seed in _pathway_seeds(generated):
        view = build_view(generated, MapFilters(**{field: seed}), SETTINGS)
        pos = {n.id: (n.x, n.y) for n in view.nodes}
        pairs = list({tuple(sorted((e.source, e.target))) for e in view.edges if e.source != e.target})
        found = layouts.Bundles([tuple(p) for p in view.bundles],
                                {(e.source, e.target): e.bundle for e in view.edges if e.bundle is not None})
        members = collections.defaultdict(set)
        for e in view.edges:
            if e.bundle is None:
                continue
            a, b = pos[e.source], pos[e.target]
            middle = layouts.curve_point(a, layouts.bend(a, b, view.bundles[e.bundle]), b, 0.5)
            assert middle == pytest.approx(tuple(view.bundles[e.bundle]), abs=1e-6)  # every line through it
            assert a[0] != b[0]  # between two columns
            members[e.bundle].add((min(a[0], b[0]), max(a[0], b[0])))
        assert all(len(spans) == 1 for spans in members.values())  # one bundle joins one pair of columns
        assert all(sum(1 for e in view.edges if e.bundle == k) >= layouts.MIN_BUNDLE for k in members)
        straight = layouts.crossings(pos, pairs)
        drawn = layouts.drawn_crossings(pos, pairs, found)
        print(f"{field} {seed}: {len(view.bundles)} bundles of {sum(e.bundle is not None for e in view.edges)} lines; "
              f"crossings {drawn} as drawn, {straight} straight")
        assert drawn <= straight
        bundled_views += bool(view.bundles)
    assert bundled_views >= 2


def test_a_bundle_that_would_add_a_crossing_is_left_straight():
    # three parallel lines and one line crossing them: bending the three through their middle would
    # make the fourth cross them differently, so the count decides
    pos = {"a": (0, 0), "b": (0, 20), "c": (0, 40), "x": (300, 0), "y": (300, 20), "z": (300, 40)}
    parallel = [("a", "x"), ("b", "y"), ("c", "z")]
    assert layouts.bundle_edges(pos, parallel).points == [(150.0, 20.0)]
    far = {**pos, "p": (0, 200), "q": (300, 200)}
    found = layouts.bundle_edges(far, parallel + [("p", "q")])
    assert len(found.points) == 1 and found.bundle("p", "q") is None  # 160 away: not in the bundle
    assert layouts.drawn_crossings(far, parallel + [("p", "q")], found) == 0
    assert layouts.bundle_edges(pos, parallel[:2]).points == []  # two lines stay straight
