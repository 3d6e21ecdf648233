"""Signposting invariants on tiny graphs, on both stores, and a walk over every seed statistic."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph import asking as A
from graph import signpost as S
from graph import transfer
from graph.errors import InvalidRecord, NodeNotFound
from graph.readmodel import build_graph
from graph.stores.base import graph_from_records
from tests.provenance import cited

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

SEED = Path(__file__).resolve().parents[1] / "seed" / "registry.json"

MAIL = {"email": "enquiries@example.gov.uk"}


def node(id_, label, contact=None, **props):
    record = {"id": id_, "label": label, "name": id_.replace("-", " ").title(), **props}
    if contact:
        record["contact"] = contact
    return record


def edge(type_, src, dst, **props):
    return {"type": type_, "from": src, "to": dst, **cited(type_, props)}


def load(store, nodes, edges):
    transfer.import_document(store, transfer.document_from_data(
        {"format": "pathways-graph", "version": 1, "nodes": nodes, "edges": edges}))


def answer(store, statistic, public=None, settings=None):
    """The store's answer, checked: the read model, kept current by replaying each change, and a
    fresh load of the store give the same answer."""
    fresh = store.load_state(lambda _revision, nodes, edges: build_graph(nodes, edges))
    result = S.signpost(store.graph(), statistic, public, settings)
    assert result.as_dict() == S.signpost(fresh, statistic, public, settings).as_dict()
    return result


def check_invariants(result: S.Signpost):
    offered = result.everyone()
    for route in offered:
        assert route.contact, f"{route.id} has no contact"
    ids = [r.id for r in offered if r.id]
    assert len(ids) == len(set(ids)), ids
    if result.first_contact:
        assert not set(result.first_contact.via[1:]) & set(ids)
    for route in offered:
        assert len(route.path) == len(set(route.path))
    if result.no_contact:
        assert result.alternative is not None and result.alternative.contact
        assert "No reachable contact" in result.warnings[0]


CHAIN = ([node("s", "Statistic"), node("team", "Producer"), node("dept", "Producer", MAIL),
          node("hub", "Producer"), node("desk", "Producer", {"url": "https://desk.example.gov.uk"})],
         [edge("PRODUCES", "team", "s"), edge("PART_OF", "team", "dept"),
          edge("REFERS_TO", "dept", "hub", note="handled by the hub"), edge("REFERS_TO", "hub", "desk")])


def test_first_contact_is_the_end_of_the_referral_chain(store):
    load(store, *CHAIN)
    result = answer(store, "s")
    assert result.first_contact.id == "desk"
    assert result.first_contact.via == ["s", "team", "dept", "hub"]
    assert "Desk" in result.first_contact.why and "Team produces S" in result.first_contact.why
    check_invariants(result)


def test_statistic_with_its_own_contact_is_its_own_first_contact(store):
    nodes, edges = CHAIN
    load(store, [dict(nodes[0], contact=MAIL), *nodes[1:]], edges)
    result = answer(store, "s")
    assert result.first_contact.id == "s" and result.first_contact.via == []
    check_invariants(result)


def test_referral_loop_stops_before_repeating_and_names_the_loop(store):
    load(store, [node("s", "Statistic"), node("a", "Producer", MAIL), node("b", "Producer", MAIL),
                 node("c", "UserGroup")],
         [edge("PRODUCES", "a", "s"), edge("REFERS_TO", "a", "b"), edge("REFERS_TO", "b", "c"),
          edge("REFERS_TO", "c", "a")])
    result = answer(store, "s")
    assert result.first_contact.id == "b"  # c has no contact, and a would repeat
    assert any("loop: A → B → C → A" in w for w in result.warnings)
    check_invariants(result)


def test_no_reachable_contact_offers_the_nearest_user_group(store):
    load(store, [node("s", "Statistic"), node("p", "Producer"), node("t", "Topic"), node("wide", "Topic"),
                 node("near-group", "UserGroup", MAIL), node("far-group", "UserGroup", MAIL)],
         [edge("PRODUCES", "p", "s"), edge("ABOUT", "s", "t"), edge("BROADER", "t", "wide"),
          edge("COVERS", "far-group", "wide"), edge("COVERS", "near-group", "t")])
    result = answer(store, "s")
    assert result.first_contact is None and result.no_contact
    assert result.alternative.id == "near-group"
    assert [r.id for r in result.routes] == ["far-group"]
    check_invariants(result)


def test_no_reachable_contact_and_no_group_offers_the_coordinator(store):
    load(store, [node("s", "Statistic"), node("osr", "Producer", {"url": "https://osr.example.org"})], [])
    result = answer(store, "s")
    assert result.no_contact and result.alternative.id == "osr" and result.alternative.kind == "coordinator"
    assert result.coordinator is None
    check_invariants(result)


def test_configured_coordinator_when_none_is_in_the_registry(store):
    load(store, [node("s", "Statistic")], [])
    settings = {"signpost": {"coordinator": "nobody", "coordinator_contact": {
        "name": "Statistics coordinator", "contact": {"email": "help@example.org"}}}}
    result = answer(store, "s", settings=settings)
    assert result.alternative.name == "Statistics coordinator"
    assert result.alternative.contact == {"email": "help@example.org"}


def test_user_groups_then_intermediaries_with_the_askers_public_first(store):
    load(store, [node("s", "Statistic", MAIL), node("t", "Topic"), node("g", "UserGroup", MAIL, membership="open"),
                 node("p-described", "Public"), node("p-mine", "Public"),
                 node("i-strong", "Intermediary", MAIL), node("i-mine", "Intermediary", MAIL),
                 node("i-no-topic", "Intermediary", MAIL), node("i-quiet", "Intermediary")],
         [edge("ABOUT", "s", "t"), edge("COVERS", "g", "t"), edge("DESCRIBES", "s", "p-described"),
          edge("WORKS_ON", "i-strong", "t"), edge("WORKS_ON", "i-mine", "t"), edge("WORKS_ON", "i-quiet", "t"),
          edge("REACHES", "i-strong", "p-described", strength=1.0, trust="high"),
          edge("REACHES", "i-mine", "p-mine", strength=0.2, trust="low"),
          edge("REACHES", "i-no-topic", "p-described"), edge("REACHES", "i-quiet", "p-described")])
    result = answer(store, "s")
    assert [r.id for r in result.routes] == ["g", "i-strong"]
    assert "Membership is open to anyone" in result.routes[0].why
    mine = answer(store, "s", public="p-mine")
    assert [r.id for r in mine.routes] == ["g", "i-mine", "i-strong"]
    assert "you told us about" in mine.routes[1].why
    for r in (result, mine):
        check_invariants(r)


def test_a_body_is_offered_once_even_when_several_routes_lead_to_it(store):
    load(store, [node("s", "Statistic"), node("p", "Producer", MAIL), node("t", "Topic"),
                 node("g1", "UserGroup"), node("g2", "UserGroup", MAIL), node("g3", "UserGroup")],
         [edge("PRODUCES", "p", "s"), edge("ABOUT", "s", "t"), edge("COVERS", "g1", "t"), edge("COVERS", "g2", "t"),
          edge("COVERS", "g3", "t"), edge("REFERS_TO", "g1", "p"), edge("CONVENES", "p", "g3")])
    result = answer(store, "s")
    assert result.first_contact.id == "p"
    assert [r.id for r in result.routes] == ["g2"]
    check_invariants(result)


def test_user_group_without_contact_is_reached_through_its_convener(store):
    load(store, [node("s", "Statistic", MAIL), node("t", "Topic"), node("g", "UserGroup", how_to_join="Ask us"),
                 node("rss", "Intermediary", MAIL)],
         [edge("ABOUT", "s", "t"), edge("COVERS", "g", "t"), edge("CONVENES", "rss", "g")])
    route = answer(store, "s").routes[0]
    assert route.id == "rss" and route.group == {"id": "g", "name": "G"} and route.how_to_join == "Ask us"
    assert route.path == ["s", "t", "g", "rss"]


def test_unknown_and_wrong_kind_of_record(store):
    load(store, [node("t", "Topic")], [])
    with pytest.raises(NodeNotFound):
        S.signpost(store.graph(), "nope")
    with pytest.raises(InvalidRecord, match="not a Statistic"):
        S.signpost(store.graph(), "t")


def test_text_query_returns_choices_or_the_one_statistic(store):
    load(store, [node("hbai", "Statistic", name="Households Below Average Income", aliases=["HBAI"]),
                 node("hhi", "Statistic", name="Household income statistics"),
                 node("census", "Statistic", name="Census 2021")], [])
    assert A.ask(store.snapshot(), "census 2021") == "census"
    assert A.ask(store.snapshot(), "hbai") == "hbai"
    choices = A.ask(store.snapshot(), "houshold income")
    assert isinstance(choices, A.Choices) and {h.id for h in choices.choices} == {"hbai", "hhi"}
    assert choices.did_you_mean == "household income"
    with pytest.raises(A.NoMatch):
        A.ask(store.snapshot(), "zzzqqq")


def test_every_seed_statistic_gets_a_first_contact_or_an_explicit_alternative(sqlite_store):
    data = json.loads(SEED.read_text())
    transfer.import_document(sqlite_store, transfer.document_from_data(data))
    statistics = [n["id"] for n in data["nodes"] if n["label"] == "Statistic"]
    assert len(statistics) > 40
    graph = sqlite_store.graph()
    for sid in statistics:
        result = S.signpost(graph, sid)
        check_invariants(result)
        assert result.first_contact is not None or (result.no_contact and result.alternative), sid


def test_signpost_on_a_pure_graph_is_a_dataclass_answer():
    g = graph_from_records(*CHAIN)
    result = S.signpost(g, "s")
    assert result.as_dict()["first_contact"]["via"] == ["s", "team", "dept", "hub"]
    assert result.as_dict()["coordinator"]["kind"] == "coordinator"


# -- the API and the CLI -------------------------------------------------------------

def test_api_signpost_by_id_text_and_errors(client, app_store):
    load(app_store, *CHAIN)
    body = client.get("/api/v1/signpost?statistic=s").get_json()
    assert body["first_contact"]["id"] == "desk" and body["first_contact"]["via"] == ["s", "team", "dept", "hub"]
    assert set(body) >= {"statistic", "first_contact", "routes", "warnings"}
    missing = client.get("/api/v1/signpost?statistic=dsek")
    assert missing.status_code == 404 and missing.get_json()["errors"]["closest"][0]["id"] == "desk"
    assert client.get("/api/v1/signpost?q=").status_code == 400
    long = client.get("/api/v1/signpost?q=" + "x" * 500)
    assert long.status_code == 400 and "200 characters" in long.get_json()["message"]
    assert client.get("/api/v1/signpost").status_code == 400
    assert client.get("/api/v1/signpost?statistic=dept").status_code == 400


def test_api_signpost_text_query_with_several_matches_returns_choices(client, app_store):
    load(app_store, [node("a", "Statistic", name="Household income"), node("b", "Statistic", name="Household income UK")], [])
    body = client.get("/api/v1/signpost?q=houshold+incom").get_json()
    assert body["first_contact"] is None and {c["id"] for c in body["choices"]} == {"a", "b"}


def test_api_search(client, app_store):
    load(app_store, *CHAIN)
    assert client.get("/api/v1/search?q=dsek").get_json()["results"][0]["id"] == "desk"
    assert client.get("/api/v1/search?q=%20").status_code == 400


def test_cli_signpost_and_search(cli, tmp_path):
    path = tmp_path / "doc.json"
    path.write_text(json.dumps({"format": "pathways-graph", "version": 1, "nodes": CHAIN[0], "edges": CHAIN[1]}))
    code, _, err = cli("import", path)
    assert code == 0, err
    code, out, _ = cli("signpost", "s")
    assert code == 0 and "Contact first: Desk (desk)" in out
    code, out, _ = cli("signpost", "--json", "s")
    assert json.loads(out)["first_contact"]["id"] == "desk"
    code, _, err = cli("signpost", "zzzqqq")
    assert code == 1 and "no statistic matches" in err
    code, out, _ = cli("search", "dsek")
    assert code == 0 and out.startswith("desk")


# -- pages ---------------------------------------------------------------------------

def test_statistic_page_leads_with_the_end_of_the_chain(client, app_store):
    load(app_store, *CHAIN)
    page = client.get("/records/s").get_data(as_text=True)
    card = page[page.index('id="contact-first"'):]
    assert "Contact first: <span id=\"first-contact-name\">Desk</span>" in card
    assert "https://desk.example.gov.uk" in card
    assert page.index('id="contact-first"') < page.index('id="record-details"')


def test_a_statistic_with_its_own_contact_is_named_as_its_enquiries_route(client):
    page = client.get("/records/hbai")
    assert page.status_code == 404  # nothing loaded yet: the seed below is the real one
    from graph import transfer
    from registry.store import store_for
    transfer.import_document(store_for(client.application), transfer.read_document("seed/registry.json"))
    card = client.get("/records/hbai").get_data(as_text=True)
    assert ">the enquiries route for Households Below Average Income (HBAI)</span>" in card


def test_contact_page_choices_redirect_errors_and_escaping(client, app_store):
    load(app_store, [node("a", "Statistic", name="Household income"),
                     node("b", "Statistic", name="Household income UK"),
                     node("c", "Statistic", name="Census 2021")], [])
    many = client.get("/contact?q=houshold+incom").get_data(as_text=True)
    assert "Which statistic do you mean?" in many and 'href="/records/a#contact-first"' in many
    one = client.get("/contact?q=census+2021")
    assert one.status_code == 302 and one.headers["Location"].endswith("/records/c#contact-first")
    assert client.get("/contact?q=").status_code == 400
    assert client.get("/contact?q=" + "x" * 500).status_code == 400
    missing = client.get("/contact?q=<script>alert(1)</script>")
    assert missing.status_code == 404 and "<script>alert(1)" not in missing.get_data(as_text=True)


def test_intermediaries_are_ranked_by_their_evidence_of_reach_and_its_settings():
    """One reach score: signposting orders intermediaries by discovery's evidence (graph/reach.py), an
    editor's sourced judgement and its trust factors included."""
    from graph.readmodel import build_graph
    from graph.settings import DEFAULTS, merge
    nodes = [node("s", "Statistic", MAIL), node("t", "Topic"), node("p", "Public"),
             node("i-sure", "Intermediary", MAIL), node("i-wide", "Intermediary", MAIL)]
    edges = [("ABOUT", "s", "t", {}), ("DESCRIBES", "s", "p", {}), ("WORKS_ON", "i-sure", "t", {}),
             ("WORKS_ON", "i-wide", "t", {}),
             ("REACHES", "i-sure", "p", {"strength": 0.6, "trust": "high", **CITED}),  # 0.4 + 0.5 x 0.6 x 1.0
             ("REACHES", "i-wide", "p", {"strength": 0.9, "trust": "low", **CITED})]  # 0.4 + 0.5 x 0.9 x 0.5
    g = build_graph([dict(n, version=1) for n in nodes], edges)
    assert [r.id for r in S.signpost(g, "s", settings=DEFAULTS).routes] == ["i-sure", "i-wide"]
    trusting = merge(DEFAULTS, {"discovery": {"trust_factor": {"high": 1.0, "medium": 1.0, "low": 1.0}}})
    assert [r.id for r in S.signpost(g, "s", settings=trusting).routes] == ["i-wide", "i-sure"]
    assert "Recorded as reaching P (Editor's review, Case study 1, 2026-05-01)." in S.signpost(g, "s").routes[0].why


CITED = {"source": "Editor's review, Case study 1", "verified": "2026-05-01"}


def test_a_hand_set_strength_without_a_source_does_not_rank_an_intermediary_and_the_why_shows_evidence():
    """A strength and trust typed in with no source are not evidence: the engagement through the other
    intermediary ranks it first, and the reason says so instead of naming a trust level."""
    from graph.readmodel import build_graph
    nodes = [node("s", "Statistic", MAIL), node("t", "Topic"), node("p", "Public"),
             node("i-typed", "Intermediary", MAIL), node("i-shown", "Intermediary", MAIL),
             {"id": "e", "label": "Engagement", "name": "Panel", "status": "held", "start": "2026-01-10",
              "method": "panel_meeting"}]
    edges = [("ABOUT", "s", "t", {}), ("DESCRIBES", "s", "p", {}), ("WORKS_ON", "i-typed", "t", {}),
             ("WORKS_ON", "i-shown", "t", {}), ("REACHES", "i-typed", "p", {"strength": 1.0, "trust": "high"}),
             ("REACHES", "i-shown", "p", CITED), ("VIA", "e", "i-shown", {}), ("INVOLVED", "e", "p", {})]
    g = build_graph([dict(n, version=1) for n in nodes], edges)
    routes = S.signpost(g, "s").routes
    assert [r.id for r in routes] == ["i-shown", "i-typed"]
    assert "1 engagement with P through I Shown, in 2026" in routes[0].why
    assert "with no source given" in routes[1].why and " trust)" not in routes[1].why
