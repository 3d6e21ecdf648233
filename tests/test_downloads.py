"""Every list page as CSV and JSON: ``?format=csv|json`` on /publics/<id>, /burden, /gaps, /needs,
/you-said-we-did and /search, with the page's filters kept, formulas neutralised and a bad format refused."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest

from graph.stores import Change
from tests.provenance import CITED

FORMULA = '=HYPERLINK("http://evil.example";"click")'
NODES = [
    {"id": "ons", "label": "Producer", "name": "ONS", "kind": "department"},
    {"id": "dwp", "label": "Producer", "name": "DWP", "kind": "department"},
    {"id": "carers", "label": "Public", "name": "Young carers", "capacity": 5},
    {"id": "renters", "label": "Public", "name": FORMULA},
    {"id": "trust", "label": "Intermediary", "name": "Carers Trust Cymru – ŵ"},
    {"id": "calm", "label": "Intermediary", "name": "@SUM(1+1)"},
    {"id": "caring", "label": "Topic", "name": "Caring"},
    {"id": "s.carers", "label": "Statistic", "name": "Unpaid carers statistics"},
    {"id": "jury", "label": "Engagement", "name": "Carers jury", "method": "citizens_jury", "start": "2024-01-01",
     "status": "reported", "you_said": "-more local figures", "we_did": "Published them",
     "feedback_published": "2024-02-01"},
    {"id": "quiet", "label": "Engagement", "name": "Benefit survey", "method": "survey", "start": "2024-01-10",
     "status": "held", "we_did": "Changed the questions"},
    {"id": "n.local", "label": "Need", "name": "Local carer figures", "status": "captured", "raised": "2026-01-01",
     "statement": "As a carer, I need local figures, so that I can plan.", "priority": 1},
    {"id": "n.formula", "label": "Need", "name": "+Benefit timing", "status": "captured", "raised": "2026-01-02",
     "statement": "As a claimant, I need timings, so that I can plan."},
]
EDGES = [
    {"type": "REACHES", "from": "trust", "to": "carers", **CITED}, {"type": "REACHES", "from": "calm", "to": "carers", **CITED},
    {"type": "ABOUT", "from": "s.carers", "to": "caring"},
    {"type": "INVOLVED", "from": "jury", "to": "carers"}, {"type": "INVOLVED", "from": "quiet", "to": "carers"},
    {"type": "VIA", "from": "jury", "to": "trust"}, {"type": "ON", "from": "jury", "to": "caring"},
    {"type": "RAN", "from": "ons", "to": "jury"}, {"type": "RAN", "from": "dwp", "to": "quiet"},
    {"type": "OWNED_BY", "from": "n.local", "to": "ons"}, {"type": "RAISED_BY", "from": "n.local", "to": "carers"},
    {"type": "CONCERNS", "from": "n.local", "to": "caring"},
    {"type": "OWNED_BY", "from": "n.formula", "to": "dwp"},
]
TODAY = dt.date.today().isoformat()


@pytest.fixture
def loaded(app_store):
    app_store.apply(Change(put_nodes=[dict(n) for n in NODES], put_edges=[dict(e) for e in EDGES]))
    return app_store


def rows_of(response) -> list[dict]:
    """The CSV body as dicts, after checking it is a UTF-8 CSV attachment."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="pathways-')
    return list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8"))))


def json_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="pathways-[a-z0-9-]+-\d{4}-\d\d-\d\d\.json"',
                        response.headers["Content-Disposition"])
    return response.get_json()


def page_links(html: str) -> dict[str, str]:
    """The page's "Download this list" links by format."""
    block = re.search(r'<p class="govuk-body pathways-downloads">(.*?)</p>', html, re.S)
    assert block, "no download links on the page"
    return {fmt: unescape(href) for href, fmt in re.findall(r'href="([^"]+)" download>(CSV|JSON)', block.group(1))}


# -- each list ------------------------------------------------------------------------

def test_ranked_intermediaries(client, loaded):
    rows = rows_of(client.get("/publics/carers?format=csv"))
    assert {r["Intermediary"] for r in rows} == {"Carers Trust Cymru – ŵ", "'@SUM(1+1)"}
    assert [r["Rank"] for r in rows] == ["1", "2"] and all(r["Route"].endswith("→ Young carers") for r in rows)
    assert client.get("/publics/carers?format=csv").headers["Content-Disposition"] == \
        f'attachment; filename="pathways-intermediaries-reaching-carers-{TODAY}.csv"'
    mine = json_of(client.get("/publics/carers?producer=ons&format=json"))
    assert mine["producer"]["id"] == "ons"
    assert mine == client.get("/api/v1/publics/carers/intermediaries?producer=ons").get_json()


def test_burden_keeps_the_date(client, loaded):
    response = client.get("/burden?as_of=2024-03-01&format=csv")
    rows = rows_of(response)
    carers = next(r for r in rows if r["Id"] == "carers")
    assert carers["Kind"] == "Public" and carers["As of"] == "2024-03-01" and carers["Engagements in the window"] == "2"
    assert "pathways-burden-of-consultation-2024-03-01.csv" in response.headers["Content-Disposition"]
    assert next(r for r in rows if r["Id"] == "calm")["Name"] == "'@SUM(1+1)"
    body = json_of(client.get("/burden?as_of-day=1&as_of-month=3&as_of-year=2024&format=json"))
    assert body["as_of"] == "2024-03-01" and body == client.get("/api/v1/burden?as_of=2024-03-01").get_json()


def test_gaps(client, loaded):
    rows = rows_of(client.get("/gaps?format=csv"))
    no_route = [r for r in rows if r["Gap"] == "Publics with no route"]
    assert [(r["Id"], r["Record"]) for r in no_route] == [("renters", "'" + FORMULA)]
    assert no_route[0]["What would close it"]
    body = json_of(client.get("/gaps?as_of=2024-03-01&format=json"))
    assert body["as_of"] == "2024-03-01" and body == client.get("/api/v1/gaps?as_of=2024-03-01").get_json()
    assert client.get("/gaps?as_of=soon&format=csv").status_code == 400


def test_waiting_list_keeps_filters(client, loaded):
    rows = rows_of(client.get("/needs?format=csv"))
    assert [r["Id"] for r in rows] == ["n.local", "n.formula"]
    assert rows[0]["Owned by"] == "ONS" and rows[0]["Raised by"] == "Young carers" and rows[0]["Status"]
    assert rows[1]["Need"] == "'+Benefit timing"
    assert [r["Id"] for r in rows_of(client.get("/needs?producer=dwp&format=csv"))] == ["n.formula"]
    body = json_of(client.get("/needs?producer=ons&format=json"))
    assert [n["id"] for n in body["needs"]] == ["n.local"]
    assert body == client.get("/api/v1/needs?producer=ons").get_json()
    bad = client.get("/needs?producer=nobody&format=csv", headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "producer" in bad.get_json()["errors"]["query"]


def test_you_said_we_did_keeps_filters(client, loaded):
    rows = rows_of(client.get("/you-said-we-did?format=csv"))
    assert {r["Id"] for r in rows} == {"jury", "quiet"}
    jury = next(r for r in rows if r["Id"] == "jury")
    assert jury["You said"] == "'-more local figures" and jury["Run by"] == "ONS" and jury["Through"].startswith("Carers")
    body = json_of(client.get("/you-said-we-did?producer=dwp&format=json"))
    assert body["filters"] == {"producer": "dwp"} and [e["id"] for e in body["engagements"]] == ["quiet"]
    assert body["engagements"][0]["we_did"] == "Changed the questions"


def test_search_keeps_the_words_and_label(client, loaded):
    rows = rows_of(client.get("/search?q=carers&format=csv"))
    assert "s.carers" in {r["Id"] for r in rows} and rows[0]["Rank"] == "1"
    only = rows_of(client.get("/search?q=carers&label=Statistic&format=csv"))
    assert [r["Id"] for r in only] == ["s.carers"] and only[0]["Type of record"] == "Statistic"
    body = json_of(client.get("/search?q=carers&label=Statistic&format=json"))
    assert body == client.get("/api/v1/search?q=carers&label=Statistic&limit=50").get_json()
    empty = client.get("/search?format=json", headers={"Accept": "application/json"})
    assert empty.status_code == 400 and "q" in empty.get_json()["errors"]["query"]


# -- shared behaviour -----------------------------------------------------------------

PAGES = ["/publics/carers", "/burden", "/gaps", "/needs", "/you-said-we-did", "/search?q=carers"]


@pytest.mark.parametrize("path", PAGES)
def test_unknown_format_is_a_located_400(client, loaded, path):
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}format=xlsx", headers={"Accept": "application/json"})
    body = response.get_json()
    assert response.status_code == 400 and body["code"] == 400 and body["status"] == "Bad Request"
    assert body["errors"] == {"query": {"format": ["must be csv or json (leave it out for the page)"]}}
    assert client.get(f"{path}{sep}format=xlsx").status_code == 400  # the error page, for a browser


@pytest.mark.parametrize("path,kept", [
    ("/publics/carers?producer=ons", "producer=ons"), ("/burden?as_of=2024-03-01", "as_of=2024-03-01"),
    ("/gaps?as_of=2024-03-01", "as_of=2024-03-01"), ("/needs?producer=dwp", "producer=dwp"),
    ("/you-said-we-did?topic=caring", "topic=caring"), ("/search?q=carers&label=Statistic", "label=Statistic")])
def test_each_page_links_its_downloads_with_its_filters(client, loaded, path, kept):
    html = client.get(path).get_data(as_text=True)
    links = page_links(html)
    assert set(links) == {"CSV", "JSON"}
    for fmt, href in links.items():
        assert kept in href and href.endswith(f"format={fmt.lower()}")
        response = client.get(href)
        assert response.status_code == 200 and response.headers["Content-Disposition"].startswith("attachment")
