"""The Open Referral HSDS 3.0 export and API (issue 19): valid against the official schemas
(vendored in graph/hsds_schema/), stable, and answering HSDS's endpoints with its Page wrapper.

Everything reads files in this repository: the fixture registry (tests/fixtures/hsds/) and the
seed; nothing outside the repository and no network.
"""
from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

from graph import hsds, transfer
from graph.stores import Change

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "hsds" / "registry.json"
SEED = ROOT / "seed" / "registry.json"
OID = hsds.hsds_id


def fixture_dataset(store) -> hsds.Dataset:
    transfer.import_document(store, transfer.read_document(FIXTURE))
    return hsds.build(store.graph(), hsds.audit_trail(store))


def by_name(ds: hsds.Dataset, kind: str) -> dict[str, dict]:
    return {o["name"]: o for o in getattr(ds, kind).values()}


# -- the export on the command line -----------------------------------------------------------

def test_cli_export_validates_and_a_second_export_is_byte_identical(cli, tmp_path):
    code, _out, err = cli("import", FIXTURE)
    assert code == 0, err
    first, second = tmp_path / "first", tmp_path / "second"
    code, _out, err = cli("export", "--format", "hsds", first)
    assert code == 0, err
    assert "7 organizations" in err and "(0 schema errors)" in err
    code, _out, err = cli("export", "--format", "hsds", second)
    assert code == 0, err
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(hsds.FILES) == sorted(p.name for p in second.iterdir())
    published = {name: (first / name).read_bytes() for name in names}
    assert all((second / name).read_bytes() == data for name, data in published.items())
    assert hsds.validate_files(published) == []
    services = json.loads(published["services.json"])
    assert len(services) == len({s["id"] for s in services}) > 5


def test_cli_hsds_export_needs_a_folder(cli):
    code, _out, err = cli("export", "--format", "hsds")
    assert code == 2 and "give a folder" in err


# -- the mapping ----------------------------------------------------------------------------------

def test_ids_are_uuid5_of_registry_ids_and_never_change():
    """The namespace and key scheme are a contract with every directory that imported an export."""
    assert OID("organization", "ons") == "4a3bd432-f989-565d-bede-4a58d01abd18"
    assert OID("taxonomy", "topics") == "01348df4-f4b5-559e-83ca-d87aa1c79b95"


def test_organisations_parents_and_identifiers(sqlite_store):
    ds = fixture_dataset(sqlite_store)
    orgs = ds.organizations
    assert set(orgs) == {OID("organization", i) for i in
                         ("dwp", "dwp-statistics", "dwp-hbai", "moj", "ons", "libraries-connected", "ug.burisa")}
    hbai = orgs[OID("organization", "dwp-hbai")]
    assert hbai["parent_organization_id"] == OID("organization", "dwp-statistics")
    assert orgs[OID("organization", "dwp-statistics")]["parent_organization_id"] == OID("organization", "dwp")
    assert "parent_organization_id" not in orgs[OID("organization", "dwp")]
    moj = orgs[OID("organization", "moj")]
    assert [(i["identifier_type"], i["identifier"]) for i in moj["organization_identifiers"]] == \
        [("GOV.UK organisation slug", "ministry-of-justice")]
    assert moj["email"] == "statistics@justice.gov.uk"
    ons = orgs[OID("organization", "ons")]
    assert ons["website"] == "https://www.ons.gov.uk/aboutus/contactus"
    assert [i["identifier"] for i in ons["organization_identifiers"]] == ["office-for-national-statistics"]
    assert orgs[OID("organization", "dwp")]["organization_identifiers"] == []


def test_each_contact_route_is_one_service(sqlite_store):
    ds = fixture_dataset(sqlite_store)
    graph = sqlite_store.graph()
    services = by_name(ds, "services")
    ons = services["Ask Office for National Statistics about its statistics"]
    assert ons["email"] == "info@ons.gov.uk" and ons["organization_id"] == OID("organization", "ons")
    assert ons["assured_date"] == graph.nodes["ons"]["verified"] and ons["status"] == "active"
    # every statistic of a producer is on exactly one of that producer's routes
    for producer in ("dwp-hbai", "moj", "ons", "dwp"):
        offered = [s for s in ds.services.values() if s["organization_id"] == OID("organization", producer)]
        stats = [v for _u, v, k in graph.out_edges(producer, keys=True) if k == "PRODUCES"]
        for stat in stats:
            name = graph.nodes[stat]["name"]
            if graph.nodes[stat].get("contact") or graph.nodes[producer].get("contact"):
                assert sum(name in s["description"] for s in offered) == 1, (producer, name)
    # without the producer's contact, a statistic with none of its own is on no route; the producer stays
    from graph.stores.base import graph_from_records
    records = [{k: v for k, v in graph.nodes[n].items() if k not in ("contact", "version")}
               for n in ("dwp", "cilif")]
    bare = hsds.build(graph_from_records(records, [{"type": "PRODUCES", "from": "dwp", "to": "cilif"}]))
    assert bare.services == {} and list(bare.organizations) == [OID("organization", "dwp")]
    assert hsds.validate(bare) == []
    # a statistic's own contact is its route, with that contact, assured by its verified date
    own = [n for n, d in graph.nodes(data=True) if d["label"] == "Statistic" and d.get("contact")]
    assert own
    for stat in own:
        record = graph.nodes[stat]
        route = next(s for s in ds.services.values() if record["name"] in s["description"])
        assert route.get("email") == record["contact"].get("email")
        assert route.get("url") == (hsds.as_uri(record["contact"]["url"]) if "url" in record["contact"] else None)
        assert route["assured_date"] >= record["verified"]


def test_publics_topics_and_nations_are_attached_left_out_is_not(sqlite_store):
    ds = fixture_dataset(sqlite_store)
    graph = sqlite_store.graph()
    term_of = {t["id"]: t for t in ds.taxonomy_terms.values()}
    hbai = graph.nodes["hbai"]
    route = next(s for s in ds.services.values() if hbai["name"] in s["description"])
    attached = {term_of[a["taxonomy_term_id"]]["code"] for a in route["attributes"]}
    assert {"pub.people-in-poverty", "pub.children-low-income"} <= attached
    assert "pub.people-experiencing-homelessness" not in attached  # DESCRIBES role left_out
    assert {t for _u, t, k in graph.out_edges("hbai", keys=True) if k == "ABOUT"} <= attached
    for attribute in route["attributes"]:
        assert attribute["link_id"] == route["id"] and attribute["link_entity"] == "service"
    nations = [a["name"] for a in route["service_areas"]]
    assert nations and set(nations) <= {"England", "Wales", "Scotland", "Northern Ireland"}


def test_intermediary_reaches_its_publics_and_user_group_takes_part(sqlite_store):
    ds = fixture_dataset(sqlite_store)
    services = by_name(ds, "services")
    reach = services["Reach the publics Libraries Connected works with"]
    terms = {a["taxonomy_term_id"] for a in reach["attributes"]}
    reached = ("pub.census-respondents-ew", "pub.citizens-england", "pub.citizens-ew", "pub.deprived-neighbourhoods",
               "pub.older-people")
    assert {OID("taxonomy_term", f"publics/{p}") for p in reached} <= terms
    assert OID("taxonomy_term", "topics/topic.local-areas") in terms
    assert reach["url"] == "https://www.librariesconnected.org.uk/"
    assert [a["name"] for a in reach["service_areas"]] == ["England and Wales"]  # its geography: no nations
    assert "0.3" not in json.dumps(reach)  # no reach weights
    # where each reach comes from travels in the words (HSDS has no field for it)
    assert ("Older people (serves them; source: OSR, Public involvement and engagement in official statistics: "
            "a toolkit for statistics producers, Table 1 (libraries), checked 2026-11-01)") in reach["description"]
    burisa = next(s for name, s in services.items() if name.startswith("Take part in BURISA"))
    assert burisa["eligibility_description"] == "Membership is open." and burisa["url"] == "https://www.burisa.org/"


def test_what_an_intermediary_declares_is_its_reach_services_process_and_status(sqlite_store):
    transfer.import_document(sqlite_store, transfer.document_from_data({"format": "pathways-graph", "version": 1, "nodes": [
        {"id": "p", "label": "Public", "name": "Carers"},
        {"id": "i", "label": "Intermediary", "name": "Carers Forum", "contact": {"email": "hello@forum.example"},
         "accepting_requests": "no", "how_to_approach": "membership_body", "expects_remuneration": True}],
        "edges": [{"type": "REACHES", "from": "i", "to": "p", "source": "https://forum.example/about",
                   "verified": "2026-01-05"}]}))
    ds = hsds.build(sqlite_store.graph())
    reach = by_name(ds, "services")["Reach the publics Carers Forum works with"]
    assert reach["status"] == "temporarily closed"
    assert reach["application_process"] == ("Not accepting requests. Approach it through its membership body. "
                                            "It expects participants to be paid.")
    assert hsds.validate(ds) == []


def test_topic_parents_come_from_broader(sqlite_store):
    ds = fixture_dataset(sqlite_store)
    graph = sqlite_store.graph()
    checked = 0
    for topic in {u for u, _v, k in graph.edges(keys=True) if k == "BROADER"}:
        broader = sorted(v for _u, v, k in graph.out_edges(topic, keys=True) if k == "BROADER")
        term = ds.taxonomy_terms[OID("taxonomy_term", f"topics/{topic}")]
        assert term["parent_id"] == OID("taxonomy_term", f"topics/{broader[0]}")
        checked += 1
    assert checked >= 5
    nation = ds.taxonomy_terms[OID("taxonomy_term", "nations/northern_ireland")]
    assert nation["name"] == "Northern Ireland" and nation["taxonomy_id"] == OID("taxonomy", "nations")


def test_last_modified_follows_the_audit_trail(sqlite_store):
    ds = fixture_dataset(sqlite_store)
    imported = {s["last_modified"] for s in ds.services.values()}
    assert len(imported) == 1  # a bulk import says only when: every record counts as changed then
    time.sleep(1.1)  # the audit trail keeps whole seconds
    record = {k: v for k, v in sqlite_store.get_node("libraries-connected").items() if k != "version"}
    sqlite_store.apply(Change(put_nodes=[{**record, "description": "Membership body for public library "
                                                                      "services."}], actor="test"))
    after = hsds.build(sqlite_store.graph(), hsds.audit_trail(sqlite_store))
    changed = {s["name"] for s in after.services.values() if s["last_modified"] not in imported}
    assert changed == {"Reach the publics Libraries Connected works with"}
    edited = hsds.parse_modified_after(next(s["last_modified"] for s in after.services.values()
                                            if s["name"] in changed))
    assert [after.services[i]["name"] for i in hsds.select_services(after, modified_after=edited)] == list(changed)


# -- validation ------------------------------------------------------------------------------------

def test_validation_finds_schema_and_reference_errors(sqlite_store):
    published = hsds.files(fixture_dataset(sqlite_store))
    assert hsds.validate_files(published) == []
    services = json.loads(published["services.json"])
    services[0]["status"] = "open"
    services[1]["id"] = "not-a-uuid"
    services[2]["organization_id"] = OID("organization", "nobody")
    services[3]["url"] = "https://example.org/a b"
    del services[4]["name"]
    problems = hsds.validate_files({**published, "services.json": json.dumps(services).encode()})
    text = "\n".join(problems)
    assert "status: 'open' is not one of" in text
    assert "id: 'not-a-uuid' is not a 'uuid'" in text
    assert f"organization_id: refers to {OID('organization', 'nobody')}, which is not in the export" in text
    assert "url: 'https://example.org/a b' is not a 'uri'" in text
    assert "'name' is a required property" in text
    assert hsds.validate_files({k: v for k, v in published.items() if k != "taxonomies.json"})[0] == \
        "taxonomies.json: missing"


def test_every_vendored_reference_resolves():
    folder = ROOT / "graph" / "hsds_schema"
    assert (folder / "LICENSE").read_text().startswith("The Human Services Data Specification (HSDS)")
    for path in folder.glob("*.json"):
        for ref in re.findall(r'"\$ref": "([a-z_]+\.json)"', path.read_text()):
            assert (folder / ref).exists(), (path.name, ref)


def test_the_seed_exports_with_no_schema_errors(sqlite_store):
    transfer.import_document(sqlite_store, transfer.read_document(SEED))
    graph = sqlite_store.graph()
    ds = hsds.build(graph, hsds.audit_trail(sqlite_store))
    assert hsds.validate(ds) == []
    producers_with_contact = [n for n, d in graph.nodes(data=True) if d["label"] == "Producer" and d.get("contact")]
    assert len(producers_with_contact) > 10
    assert {s["organization_id"] for s in ds.services.values()} >= {OID("organization", p)
                                                                    for p in producers_with_contact}
    text = b"".join(hsds.files(ds).values()).decode()
    for node, data in graph.nodes(data=True):  # engagements and needs are not part of HSDS
        if data["label"] in ("Engagement", "Need"):
            assert json.dumps(data["name"])[1:-1] not in text
    assert hsds.files(hsds.build(sqlite_store.graph(), hsds.audit_trail(sqlite_store))) == hsds.files(ds)


# -- the zip and the HSDS API ----------------------------------------------------------------------

@pytest.fixture
def loaded(app, app_store):
    transfer.import_document(app_store, transfer.read_document(FIXTURE))
    return app.test_client()


def test_the_zip_export_is_the_same_files_every_time(loaded, app_store):
    first, second = loaded.get("/api/v1/export/hsds"), loaded.get("/api/v1/export/hsds")
    assert first.status_code == 200 and first.mimetype == "application/zip"
    assert "attachment" in first.headers["Content-Disposition"]
    assert first.data == second.data
    archive = zipfile.ZipFile(io.BytesIO(first.data))
    published = {name: archive.read(name) for name in archive.namelist()}
    assert sorted(published) == sorted(hsds.FILES) and hsds.validate_files(published) == []
    assert published == hsds.files(hsds.build(app_store.graph(), hsds.audit_trail(app_store)))


def test_the_index_names_the_openapi_document(loaded):
    body = loaded.get("/hsds/").get_json()
    assert body["version"] == "3.0" and body["profile"].startswith("https://")
    doc = loaded.get(body["openapi_url"].removeprefix("http://localhost"))
    assert doc.status_code == 200 and doc.headers["Access-Control-Allow-Origin"] == "*"
    assert set(doc.get_json()["paths"]) == {"/", "/services", "/services/{id}", "/organizations",
                                            "/organizations/{id}", "/taxonomy_terms"}


def test_lists_are_pages_and_filters_combine(loaded):
    page = loaded.get("/hsds/services?per_page=3&page=2")
    body = page.get_json()
    assert page.headers["Access-Control-Allow-Origin"] == "*"
    assert {k: body[k] for k in ("page_number", "size", "first_page", "empty")} == \
        {"page_number": 2, "size": 3, "first_page": False, "empty": False}
    assert body["total_pages"] == -(-body["total_items"] // 3) and len(body["contents"]) == 3
    ons = OID("organization", "moj")  # three routes: its mailbox and two statistics' own
    mine = loaded.get(f"/hsds/services?organization_id={ons}&per_page=1000").get_json()
    assert mine["total_items"] == 3 and all(s["organization_id"] == ons for s in mine["contents"])
    poverty = OID("taxonomy_term", "publics/pub.people-in-poverty")
    both = loaded.get(f"/hsds/services?organization_id={ons}&taxonomy_term_id={poverty}").get_json()
    assert both["total_items"] == 0 and both["empty"] and both["last_page"]
    some = loaded.get(f"/hsds/services?taxonomy_term_id={poverty}").get_json()
    assert some["total_items"] >= 1 and all(s["organization_id"] != ons for s in some["contents"])
    future = loaded.get("/hsds/services?modified_after=2999-01-01T00:00:00Z").get_json()
    assert future["total_items"] == 0
    orgs = loaded.get("/hsds/organizations?per_page=100").get_json()
    assert orgs["total_items"] == 7 and all("phones" not in o for o in orgs["contents"])
    terms = loaded.get(f"/hsds/taxonomy_terms?taxonomy_id={OID('taxonomy', 'nations')}").get_json()
    assert sorted(t["name"] for t in terms["contents"]) == ["England", "Northern Ireland", "Scotland", "Wales"]


def test_one_service_and_one_organisation_fully_nested(loaded):
    validators = hsds._validators()
    listing = loaded.get("/hsds/services?per_page=1000").get_json()["contents"]
    for summary in listing:
        full = loaded.get(f"/hsds/services/{summary['id']}")
        assert full.status_code == 200
        body = full.get_json()
        assert list(validators["services.json"].iter_errors(body)) == []
        assert all(a["taxonomy_term"]["id"] == a["taxonomy_term_id"] for a in body["attributes"])
        assert body["organization"]["id"] == summary["organization"]["id"]
    org = loaded.get(f"/hsds/organizations/{OID('organization', 'moj')}").get_json()
    assert list(validators["organizations.json"].iter_errors(org)) == []
    assert org["services"] and all(s["organization_id"] == org["id"] for s in org["services"])


@pytest.mark.parametrize("path, field", [("/hsds/services?page=0", "page"),
                                         ("/hsds/services?per_page=100000", "per_page"),
                                         ("/hsds/services?modified_after=last%20week", "modified_after"),
                                         ("/hsds/services?search=inflation", "search"),
                                         ("/hsds/organizations?organization_id=x", "organization_id")])
def test_a_wrong_query_is_a_400_envelope(loaded, path, field):
    response = loaded.get(path)
    body = response.get_json()
    assert response.status_code == 400 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert set(body) == {"code", "status", "message", "errors"} and field in body["errors"]["query"]


def test_an_unknown_id_is_a_404_envelope(loaded):
    response = loaded.get(f"/hsds/services/{OID('service', 'nothing')}")
    assert response.status_code == 404 and response.get_json()["code"] == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert loaded.get("/hsds/organizations/not-an-id").status_code == 404
    unknown = loaded.get("/hsds/no-such-endpoint")  # a client of an API gets JSON, even for a path it guessed
    assert unknown.status_code == 404 and unknown.get_json()["code"] == 404


def test_the_api_is_read_only(loaded):
    assert loaded.delete(f"/hsds/services/{OID('service', 'nothing')}").status_code in (400, 405)
    assert loaded.put("/hsds/organizations").status_code in (400, 405)


# -- the HSDS API answers as its own OpenAPI document says --------------------------------------------

def _fuzz_app():
    import tempfile

    from registry import create_app
    from registry.store import store_for
    folder = tempfile.mkdtemp(prefix="pathways-hsds-fuzz-")
    app = create_app({"TESTING": True, "REGISTRY_STORE": f"sqlite:///{folder}/fuzz.db", "SECRET_KEY": "fuzz"})
    transfer.import_document(store_for(app), transfer.read_document(FIXTURE))
    return app


FUZZ_SCHEMA = schemathesis.openapi.from_wsgi("/hsds/openapi.json", _fuzz_app())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@FUZZ_SCHEMA.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_hsds_api_answers_as_documented(case):
    case.call_and_validate(checks=CHECKS)
