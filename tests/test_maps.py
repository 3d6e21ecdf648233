"""Map views: each filter, the bound, positions for large views, the API, the page and the downloads."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from graph import maps, transfer
from graph.errors import InvalidRecord, NodeNotFound
from graph.maps import MapFilters, build_view, parse_filters
from graph.stores.base import graph_from_records

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

SETTINGS = {"map": {"max_nodes": 100, "physics_max_nodes": 50}}
XSS = '<img src=x onerror=alert(1)> href'


def node(id_, label, **props):
    return {"id": id_, "label": label, "name": props.pop("name", id_.upper()), **props}


def edge(type_, src, dst, **props):
    return {"type": type_, "from": src, "to": dst, **props}


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
    assert len(view.edges) == len(EDGES) and not view.truncated and view.physics


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


def test_large_views_get_positions_and_no_physics():
    nodes = [node(f"p{i}", "Public") for i in range(60)] + [node("hub", "Intermediary")]
    edges = [edge("REACHES", "hub", f"p{i}") for i in range(60)]
    g = graph_from_records(nodes, edges)
    view = build_view(g, MapFilters(), SETTINGS)
    assert not view.physics
    positions = {(n.x, n.y) for n in view.nodes}
    assert None not in {n.x for n in view.nodes} and len(positions) == 61
    small = build_view(g, MapFilters(focus="p1"), SETTINGS)
    assert small.physics and small.nodes[0].x is None


def test_layout_cache_computes_once_per_revision_and_filters():
    calls = []
    cache = maps.LayoutCache(compute=lambda graph: calls.append(1) or maps.radial_layout(graph))
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

@pytest.fixture
def loaded(app_store):
    doc = {"format": "pathways-graph", "version": 1, "nodes": NODES + [node("xss", "Topic", name=XSS)],
           "edges": EDGES + [edge("BROADER", "xss", "health")]}
    transfer.import_document(app_store, transfer.document_from_data(doc))
    return app_store


def test_api_map(client, loaded):
    body = client.get("/api/v1/map?topic=health&labels=Topic,Statistic").get_json()
    assert sorted(n["id"] for n in body["nodes"]) == ["health", "mental", "wellbeing", "xss"]
    assert {"type": "BROADER", "from": "mental", "to": "health", "strength": None} in body["edges"]
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
    data = html.split('<script type="application/json" id="map-data">')[1].split("</script>")[0]
    parsed = json.loads(data)
    assert all("title" not in n for n in parsed["nodes"])
    assert parsed["cards"]["xss"]["name"] == XSS
    assert "/map/vendor/vis-network.min.js" in html and "cdn" not in html.lower()


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
