"""Map views: each filter, the bound, positions for large views, the API, the page and the downloads."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from graph import layouts, maps, transfer
from graph.errors import InvalidRecord, NodeNotFound
from graph.maps import MapFilters, build_view, parse_filters
from graph.stores.base import graph_from_records
from tests.provenance import cited

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

SETTINGS = {"map": {"max_nodes": 100, "physics_max_nodes": 50}}
XSS = '<img src=x onerror=alert(1)> href'


def node(id_, label, **props):
    return {"id": id_, "label": label, "name": props.pop("name", id_.upper()), **props}


def edge(type_, src, dst, **props):
    return {"type": type_, "from": src, "to": dst, **cited(type_, props)}


NODES = [
    node("ons", "Producer", kind="department", contact={"email": "info@ons.gov.uk"}),
    node("ons-team", "Producer", kind="team"),
    node("dwp", "Producer", kind="department"),
    node("health", "Topic"), node("mental", "Topic"), node("crime", "Topic"),
    node("wellbeing", "Statistic"), node("crime-survey", "Statistic"), node("benefits", "Statistic"),
    node("carers", "Public", seldom_heard=True), node("victims", "Public"),
    node("carers-uk", "Intermediary", contact={"url": "https://www.carersuk.org"}),
    node("victim-support", "Intermediary"),
]
EDGES = [
    edge("PART_OF", "ons-team", "ons"), edge("PRODUCES", "ons-team", "wellbeing"),
    edge("PRODUCES", "ons", "crime-survey"), edge("PRODUCES", "dwp", "benefits"),
    edge("BROADER", "mental", "health"), edge("ABOUT", "wellbeing", "mental"), edge("ABOUT", "crime-survey", "crime"),
    edge("DESCRIBES", "wellbeing", "carers"), edge("DESCRIBES", "crime-survey", "victims"),
    edge("REACHES", "carers-uk", "carers", strength=0.9), edge("REACHES", "victim-support", "victims"),
    edge("WORKS_ON", "carers-uk", "health"),
]


@pytest.fixture
def g():
    return graph_from_records(NODES, EDGES)


def ids(view):
    return sorted(n.id for n in view.nodes)


def test_whole_registry_when_nothing_is_chosen(g):
    view = build_view(g, MapFilters(), SETTINGS)
    assert ids(view) == sorted(n["id"] for n in NODES)
    assert len(view.edges) == len(EDGES) and not view.truncated and not view.physics
    assert view.layout == "clusters" and sum(c["count"] for c in view.clusters) == len(NODES)
    assert {n.cluster for n in view.nodes} == {c["id"] for c in view.clusters}


def test_focus_and_depth(g):
    assert ids(build_view(g, MapFilters(focus="carers", depth=0), SETTINGS)) == ["carers"]
    assert ids(build_view(g, MapFilters(focus="carers"), SETTINGS)) == ["carers", "carers-uk", "wellbeing"]
    two = ids(build_view(g, MapFilters(focus="carers", depth=2), SETTINGS))
    assert two == ["carers", "carers-uk", "health", "mental", "ons-team", "wellbeing"]


def test_topic_includes_narrower_topics(g):
    view = build_view(g, MapFilters(topic="health"), SETTINGS)
    # health and mental (narrower) are seeds; wellbeing is ABOUT mental; carers-uk WORKS_ON health
    assert ids(view) == ["carers-uk", "health", "mental", "wellbeing"]
    assert "crime" not in ids(view)


def test_producer_includes_its_teams_and_public_filter(g):
    assert ids(build_view(g, MapFilters(producer="ons"), SETTINGS)) == ["crime-survey", "ons", "ons-team", "wellbeing"]
    assert ids(build_view(g, MapFilters(public="victims"), SETTINGS)) == ["crime-survey", "victim-support", "victims"]


def test_labels_and_types_filter(g):
    view = build_view(g, MapFilters(labels=("Public", "Intermediary")), SETTINGS)
    assert ids(view) == ["carers", "carers-uk", "victim-support", "victims"]
    assert sorted(e.type for e in view.edges) == ["REACHES", "REACHES"]
    reaches = build_view(g, MapFilters(focus="carers", depth=3, types=("REACHES",)), SETTINGS)
    assert ids(reaches) == ["carers", "carers-uk"]  # only REACHES is followed
    # the chosen record stays even when its label is not asked for
    assert ids(build_view(g, MapFilters(focus="carers", labels=("Statistic",)), SETTINGS)) == ["carers", "wellbeing"]


def test_edge_strength_and_burden_are_carried(g):
    seen = []

    def burden(node_id, label):
        seen.append((node_id, label))
        return {"status": "over" if node_id == "carers" else "ok", "ratio": 1.2}
    view = build_view(g, MapFilters(focus="carers"), SETTINGS, burden=burden)
    reach = next(e for e in view.edges if e.type == "REACHES")
    assert reach.strength == 0.9
    by_id = {n.id: n for n in view.nodes}
    assert by_id["carers"].burden["status"] == "over" and by_id["wellbeing"].burden is None
    assert sorted(seen) == [("carers", "Public"), ("carers-uk", "Intermediary")]
    # a REACHES edge without strength gets the model's default
    assert next(e for e in build_view(g, MapFilters(focus="victims"), SETTINGS).edges
                if e.type == "REACHES").strength == 0.5


def test_the_bound_cuts_and_says_how_to_narrow(g):
    view = build_view(g, MapFilters(), {"map": {"max_nodes": 5, "physics_max_nodes": 50}})
    assert len(view.nodes) == 5 and view.total == len(NODES) and view.truncated
    assert "narrow" in view.message and "focus" in view.message
    kept = {n.id for n in view.nodes}
    assert all(e.source in kept and e.target in kept for e in view.edges)
    # the best connected are kept first
    degree = {n: g.degree(n) for n in g}
    assert min(degree[n] for n in kept) >= max(degree[n] for n in g if n not in kept)
    focused = build_view(g, MapFilters(focus="victims", depth=4), {"map": {"max_nodes": 2}})
    assert "victims" in ids(focused) and focused.truncated


def test_every_view_has_fixed_positions_and_its_layout():
    nodes = [node(f"p{i}", "Public") for i in range(60)] + [node("hub", "Intermediary")]
    edges = [edge("REACHES", "hub", f"p{i}") for i in range(60)]
    g = graph_from_records(nodes, edges)
    view = build_view(g, MapFilters(), SETTINGS)
    assert not view.physics and view.layout == "clusters"
    positions = {(n.x, n.y) for n in view.nodes}
    assert None not in {n.x for n in view.nodes} and len(positions) == 61
    assert not view.collapsed  # 61 records: opens with its clusters open
    assert build_view(g, MapFilters(), {"map": {**SETTINGS["map"], "collapse_above": 10}}).collapsed
    small = build_view(g, MapFilters(focus="p1"), SETTINGS)
    assert not small.physics and small.layout == "pathway" and small.clusters == []
    by_id = {n.id: n for n in small.nodes}
    assert by_id["p1"].x < by_id["hub"].x  # publics left of the intermediaries that reach them
    assert by_id["p1"].lines == ["P1"]
    bands = build_view(g, MapFilters(focus="p1", layout="bands"), SETTINGS)
    assert bands.layout == "bands" and {n.id: n.y for n in bands.nodes}["hub"] < {n.id: n.y for n in bands.nodes}["p1"]


def _view_layout(g, settings=None):
    """The large view's graph (as build_view hands it to the layout) and its positions."""
    seen = {}

    def layout(view_graph):
        seen["graph"] = view_graph
        return maps.layered_layout(view_graph)
    view = build_view(g, MapFilters(), settings or {"map": {"max_nodes": 2000, "physics_max_nodes": 1}}, layout=layout)
    return view, seen["graph"]


def _assert_apart(view):
    """No two records drawn nearer than the sum of their radii (checked pair by pair)."""
    points = [((n.x, n.y), maps.drawn_radius(n.size), n.id) for n in view.nodes]
    for i, (p, r, a) in enumerate(points):
        for q, s, b in points[i + 1:]:
            assert ((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5 >= r + s, (a, b)


def test_large_layout_never_overlaps_on_a_tiny_graph_with_a_hub(g):
    # a hub with many spokes and records of very different sizes, all in a few bands
    nodes = NODES + [node(f"pub{i}", "Public") for i in range(40)]
    edges = EDGES + [edge("REACHES", "carers-uk", f"pub{i}") for i in range(40)]
    view, view_graph = _view_layout(graph_from_records(nodes, edges))
    assert not view.physics and all(n.x is not None for n in view.nodes)
    _assert_apart(view)
    assert maps.overlaps({n.id: (n.x, n.y) for n in view.nodes},
                         {n.id: maps.drawn_radius(n.size) for n in view.nodes}) == []
    # bands: producers above statistics above intermediaries above publics
    y = {n.id: n.y for n in view.nodes}
    publics = ["carers", "victims"] + [f"pub{i}" for i in range(40)]
    assert y["ons"] < y["wellbeing"] < y["carers-uk"] < min(y[p] for p in publics)
    # the layout sees each record's kind and drawn radius
    assert view_graph.nodes["carers-uk"]["label"] == "Intermediary"
    assert view_graph.nodes["carers-uk"]["radius"] > view_graph.nodes["ons"]["radius"]


def test_overlaps_finds_what_touches():
    positions = {"a": (0.0, 0.0), "b": (25.0, 0.0), "c": (0.0, 29.0), "d": (500.0, 500.0)}
    radii = {"a": 10.0, "b": 16.0, "c": 20.0, "d": 10.0}
    brute = sorted((x, y) for x in positions for y in positions if x < y
                   and ((positions[x][0] - positions[y][0]) ** 2 + (positions[x][1] - positions[y][1]) ** 2) ** 0.5
                   < radii[x] + radii[y])
    assert maps.overlaps(positions, radii) == brute == [("a", "b"), ("a", "c")]


@pytest.fixture(scope="module")
def generated():
    from graph.generate import generate
    doc = generate(2000, seed=5)
    return graph_from_records(doc.nodes, doc.edges)


def test_large_layout_of_a_generated_2000_record_view_never_overlaps_and_is_quick(generated):
    import time
    view, view_graph = _view_layout(generated)
    assert len(view.nodes) == 2000 and len(view.edges) > 5000
    positions = {n.id: (n.x, n.y) for n in view.nodes}
    radii = {n.id: maps.drawn_radius(n.size) for n in view.nodes}
    assert maps.overlaps(positions, radii) == []
    # the grid check agrees with a pair-by-pair check on a corner of it
    corner = dict(sorted(positions.items(), key=lambda kv: kv[1])[:300])
    view.nodes = [n for n in view.nodes if n.id in corner]
    _assert_apart(view)
    started = time.perf_counter()
    maps.layered_layout(view_graph)
    seconds = time.perf_counter() - started
    print(f"layered layout of 2,000 records: {seconds * 1000:.0f} ms")
    assert seconds < 1.0


def test_large_layout_is_deterministic(generated):
    first = maps.layered_layout(_view_layout(generated)[1])
    # the same records and relationships, added in another order, give the same positions
    again = nx.Graph()
    view_graph = _view_layout(generated)[1]
    again.add_nodes_from(sorted(view_graph.nodes(data=True), reverse=True))
    again.add_edges_from(sorted(view_graph.edges(), reverse=True))
    assert maps.layered_layout(again) == first


def test_layout_cache_computes_once_per_revision_and_filters():
    calls = []
    cache = maps.LayoutCache(compute=lambda graph: calls.append(1) or maps.layered_layout(graph))
    nodes = [node(f"p{i}", "Public") for i in range(60)]
    g = graph_from_records(nodes, [])
    g.graph["revision"] = 3
    for _ in range(2):
        build_view(g, MapFilters(), SETTINGS, layout=cache.layout_for(3, MapFilters().key()))
    assert len(calls) == 1
    build_view(g, MapFilters(), SETTINGS, layout=cache.layout_for(4, MapFilters().key()))
    assert len(calls) == 2


def test_bad_filters_are_refused_naming_the_field(g):
    with pytest.raises(InvalidRecord) as exc:
        parse_filters({"types": "REACHES,LIKES", "depth": "9", "topic": "Not An Id"})
    assert sorted(p.field for p in exc.value.problems) == ["depth", "topic", "types"]
    with pytest.raises(NodeNotFound):
        build_view(g, MapFilters(focus="nobody"), SETTINGS)
    with pytest.raises(InvalidRecord, match="'carers' is a Public, not a Topic"):
        build_view(g, MapFilters(topic="carers"), SETTINGS)


# -- through the app -----------------------------------------------------------

def page_data(html: str) -> dict:
    return json.loads(html.split('<script type="application/json" id="map-data">')[1].split("</script>")[0])


@pytest.fixture
def loaded(app_store):
    doc = {"format": "pathways-graph", "version": 1, "nodes": NODES + [node("xss", "Topic", name=XSS)],
           "edges": EDGES + [edge("BROADER", "xss", "health")]}
    transfer.import_document(app_store, transfer.document_from_data(doc))
    return app_store


def test_api_map(client, loaded):
    body = client.get("/api/v1/map?topic=health&labels=Topic,Statistic").get_json()
    assert sorted(n["id"] for n in body["nodes"]) == ["health", "mental", "wellbeing", "xss"]
    assert {"type": "BROADER", "from": "mental", "to": "health", "strength": None, "bundle": None} in body["edges"]
    assert body["bundles"] == []  # three records: no lines side by side to bundle
    assert body["truncated"] is False and body["message"] is None
    bad = client.get("/api/v1/map?labels=Planet")
    assert bad.status_code == 400 and "labels" in json.dumps(bad.get_json()["errors"])
    assert client.get("/api/v1/map?focus=nobody").status_code == 404


def test_api_map_is_bounded(app, loaded):
    app.extensions["pathways.settings"]["map"]["max_nodes"] = 3
    body = app.test_client().get("/api/v1/map").get_json()
    assert len(body["nodes"]) == 3 and body["truncated"] and "narrow" in body["message"]


def test_map_page_keeps_names_as_text(client, loaded):
    html = client.get("/map").get_data(as_text=True)
    assert "<img src=x" not in html  # neither in the tables nor in the embedded data
    assert "&lt;img src=x onerror=alert(1)&gt; href" in html
    parsed = page_data(html)
    rows = {row[0]: dict(zip(parsed["columns"], row)) for row in parsed["nodes"]}
    assert rows["xss"]["name"] == XSS and all(len(row) == len(parsed["columns"]) for row in parsed["nodes"])
    assert "title" not in json.dumps(parsed["options"])  # no tooltips: vis-network would show them as HTML
    assert "/map/vendor/vis-network.min.js" in html and "cdn" not in html.lower()


def test_large_map_page_sends_compact_fixed_positions(app, loaded):
    html = app.test_client().get("/map?layout=bands").get_data(as_text=True)
    assert "in bands by kind, from the top: producer, statistic, topic" in html
    parsed = page_data(html)
    assert parsed["physics"] is False and parsed["options"]["interaction"]["dragNodes"] is False
    assert parsed["options"]["physics"]["enabled"] is False
    col = {name: i for i, name in enumerate(parsed["columns"])}
    rows = {row[col["id"]]: row for row in parsed["nodes"]}
    assert all(row[col["x"]] is not None and row[col["y"]] is not None for row in rows.values())
    assert rows["carers-uk"][col["group"]] == "Intermediary" and rows["carers"][col["group"]].startswith("Public-")
    ids = [row[col["id"]] for row in parsed["nodes"]]
    pairs = {(ids[e[0]], ids[e[1]]): e[2:] for e in parsed["edges"]}
    assert pairs[("carers-uk", "carers")] == [4.6]  # 1 + 4 × strength 0.9
    assert pairs[("mental", "health")] == []  # width 1 is left out
    assert set(parsed["options"]["groups"]) >= {"Producer", "Public-over", "Public-unknown", "Need"}


def test_the_table_beside_the_map_is_paged(app, loaded):
    app.extensions["pathways.settings"]["map"]["table_page_size"] = 5
    client = app.test_client()
    first = client.get("/map").get_data(as_text=True)
    assert first.count('data-show-node="') == 5 and "records 1 to 5 (page 1 of 3)" in first
    assert 'href="/map?page=2#map-table"' in first and 'aria-current="page"' in first
    last = client.get("/map?page=3").get_data(as_text=True)
    assert last.count('data-show-node="') == 4 and "records 11 to 14 (page 3 of 3)" in last
    assert client.get("/map?page=99").get_data(as_text=True).count('data-show-node="') == 4
    assert "(page 1 of 3)" in client.get("/map?page=first").get_data(as_text=True)
    # filters are kept in the page links
    focused = client.get("/map?topic=health&labels=Topic&labels=Statistic").get_data(as_text=True)
    assert "records 1 to 4" not in focused and focused.count('data-show-node="') == 4
    all_rows = set()
    for number in (1, 2, 3):
        html = client.get(f"/map?page={number}").get_data(as_text=True)
        all_rows |= {part.split('"')[0] for part in html.split('data-show-node="')[1:]}
    assert len(all_rows) == 14  # every record is on exactly one page


def test_a_view_is_built_once_per_revision(app, loaded, monkeypatch):
    calls = []
    real = maps.build_view
    monkeypatch.setattr(maps, "build_view", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = app.test_client()
    first = client.get("/api/v1/map?public=carers").get_json()
    assert client.get("/map?public=carers").status_code == 200
    assert client.get("/api/v1/map?public=carers").get_json() == first and len(calls) == 1
    transfer.import_document(loaded, transfer.document_from_data({
        "format": "pathways-graph", "version": 1, "nodes": [node("carers-trust", "Intermediary")],
        "edges": [edge("REACHES", "carers-trust", "carers")]}))
    after = client.get("/api/v1/map?public=carers").get_json()
    assert len(calls) == 2 and "carers-trust" in {n["id"] for n in after["nodes"]}


def test_map_page_filter_errors(client, loaded):
    response = client.get("/map?depth=nine")
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)


def test_vis_network_is_served_from_the_pyvis_package(client):
    with client.get("/map/vendor/vis-network.min.js") as js:
        assert js.status_code == 200 and b"vis-network" in js.data[:400]
    assert client.get("/map/vendor/..%2Fnetwork.py").status_code == 404


def test_downloads(client, loaded):
    graphml = client.get("/map/download.graphml?public=carers")
    assert graphml.status_code == 200 and "attachment" in graphml.headers["Content-Disposition"]
    root = ET.fromstring(graphml.data)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    assert sorted(n.get("id") for n in root.iterfind(".//g:node", ns)) == ["carers", "carers-uk", "wellbeing"]
    as_json = client.get("/map/download.json?public=carers").get_json()
    assert sorted(n["id"] for n in as_json["nodes"]) == ["carers", "carers-uk", "wellbeing"]


def test_cli_map(cli, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"format": "pathways-graph", "version": 1, "nodes": NODES, "edges": EDGES}))
    assert cli("import", path)[0] == 0
    code, out, _ = cli("map", "--focus", "carers", "--json")
    assert code == 0 and sorted(n["id"] for n in json.loads(out)["nodes"]) == ["carers", "carers-uk", "wellbeing"]
    code, _, err = cli("map", "--labels", "Planet")
    assert code == 2 and "labels" in err


def test_clusters_are_found_once_per_revision_and_kept_by_filtered_views(app, loaded, monkeypatch):
    calls = []
    real = layouts.communities
    monkeypatch.setattr(layouts, "communities", lambda *a, **k: calls.append(1) or real(*a, **k))
    client = app.test_client()
    whole = client.get("/api/v1/map").get_json()
    filtered = client.get("/api/v1/map?labels=Topic,Statistic,Producer").get_json()
    assert client.get("/map?types=ABOUT,PRODUCES").status_code == 200
    assert len(calls) == 1  # Louvain ran once for the registry, not once per filter
    cluster_of = {n["id"]: n["cluster"] for n in whole["nodes"]}
    loose = {c["id"] for c in filtered["clusters"] if c["name"] == "Loosely connected records"}
    together = {}
    for n in filtered["nodes"]:  # records clustered together in a filtered view were together in the whole
        if n["cluster"] not in loose:
            together.setdefault(n["cluster"], set()).add(cluster_of[n["id"]])
    assert together and all(len(whole_ids) == 1 for whole_ids in together.values())
    transfer.import_document(loaded, transfer.document_from_data({
        "format": "pathways-graph", "version": 1, "nodes": [node("new-topic", "Topic")], "edges": []}))
    client.get("/api/v1/map")
    assert len(calls) == 2  # a new revision: found again
