"""Exports are safe to open: CSV cells never start a spreadsheet formula (and import undoes
exactly that), and the engagement plan's Markdown cannot be broken out of by user text or URLs."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import markdown_it
import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import model, transfer
from graph import engagement_plan as plans
from graph.settings import DEFAULTS
from graph.stores import Change, open_store
from tests.test_transfer import canonical, exported_json
from tests.provenance import CITED

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
FORMULA = '=HYPERLINK("http://evil.example";"click")'

# -- CSV ----------------------------------------------------------------------

CRAFTED = {"format": "pathways-graph", "version": 1, "nodes": [
    {"id": "p1", "label": "Producer", "name": FORMULA, "kind": "department",
     "description": "+1 line\nsecond line", "tags": ["=x", "-y"],
     "contact": {"email": "a@b.test", "note": "@SUM(A1)"}},
    {"id": "p2", "label": "Public", "name": "-2+3+cmd|' /C calc'!A0", "capacity": 7.5, "seldom_heard": True},
    {"id": "p3", "label": "Public", "name": "@me", "description": "\tindented"},
    {"id": "p4", "label": "Public", "name": "'=already quoted", "description": "'tis plain"},
    {"id": "p5", "label": "Public", "name": "''", "description": "'"},
    {"id": "p6", "label": "Public", "name": "+carriage", "description": "''-both"},  # no record holds a CR
    {"id": "i1", "label": "Intermediary", "name": "Plain name", "capacity": 0},
], "edges": [
    {"type": "REACHES", "from": "i1", "to": "p2", **CITED, "strength": 0.5, "trust": "high"},
]}


def csv_rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_csv_export_neutralises_formulas_and_import_gives_back_the_same_registry(store, tmp_path):
    transfer.import_document(store, transfer.document_from_data(CRAFTED))
    before = exported_json(store)
    assert canonical(before) == canonical(CRAFTED)
    transfer.export_csv(store, tmp_path / "csv")
    nodes = csv_rows(tmp_path / "csv" / "nodes.csv")
    edges = csv_rows(tmp_path / "csv" / "edges.csv")
    for row in nodes + edges:
        assert not any(cell.startswith(DANGEROUS) for cell in row), row
    header, by_id = nodes[0], {row[0]: dict(zip(nodes[0], row)) for row in nodes[1:]}
    assert header[:3] == ["id", "label", "name"]
    assert by_id["p1"]["name"] == "'" + FORMULA
    assert by_id["p4"]["name"] == "''=already quoted" and by_id["p4"]["description"] == "'tis plain"
    assert by_id["p2"]["capacity"] == "7.5" and by_id["i1"]["capacity"] == "0"  # numbers are written as numbers
    assert by_id["p1"]["tags"] == '["=x", "-y"]'  # JSON cells begin with [ or {

    other = open_store(f"sqlite:///{tmp_path / 'other.db'}")
    transfer.import_document(other, transfer.read_document(tmp_path / "csv"))
    assert canonical(exported_json(other)) == canonical(CRAFTED)


def test_numbers_are_data_not_formulas():
    assert model.csv_cell(-3) == "-3" and model.csv_cell(-0.25) == "-0.25"
    assert model.csv_value(model.Prop("int"), "-3") == -3
    assert model.csv_value(model.Prop("number"), "-0.25") == -0.25
    assert model.csv_cell("-3") == "'-3" and model.csv_value(model.Prop("text"), "'-3") == "-3"


def test_a_hand_written_csv_cell_with_the_quote_prefix_is_read_as_its_text():
    doc = transfer.parse_csv("id,label,name,description\nx,Public,'=SUM(1),'-minus\n")
    assert doc.nodes == [{"id": "x", "label": "Public", "name": "=SUM(1)", "description": "-minus"}]


@given(st.text())
def test_restore_undoes_neutralise_exactly(text):
    cell = model.neutralise_cell(text)
    assert model.restore_cell(cell) == text
    assert not cell.startswith(DANGEROUS)
    if not text.startswith(DANGEROUS + ("'",)):
        assert cell == text  # ordinary text is written as it is


@given(st.text(alphabet=st.sampled_from("=+-@\t\r'ab \n\"")))
def test_restore_undoes_neutralise_on_the_characters_that_matter(text):
    cell = model.neutralise_cell(text)
    assert model.restore_cell(cell) == text and not cell.startswith(DANGEROUS)


@settings(max_examples=200)
@given(st.text(min_size=1))
def test_any_text_survives_a_csv_file(text):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["id", "label", "name", "description"])
    writer.writerow([model.csv_cell(v) for v in ("x", "Public", text, text)])
    doc = transfer.parse_csv(buffer.getvalue())
    assert doc.nodes[0]["name"] == text and doc.nodes[0]["description"] == text


# -- Markdown -----------------------------------------------------------------

TODAY = dt.date(2026, 11, 21)
BAD_URL = "https://x.test/a) [click](javascript:alert(1)"


def crafted_graph(feedback_url: str) -> nx.MultiDiGraph:
    """A graph built directly, so values the model would refuse still reach the Markdown."""
    g = nx.MultiDiGraph()
    g.add_node("s", id="s", label="Statistic", name="](javascript:alert(1))")
    g.add_node("p", id="p", label="Public", name="Renters\n# heading\n\n<script>alert(1)</script>")
    g.add_node("t", id="t", label="Topic", name="- [x](javascript:alert(2))")
    g.add_node("e", id="e", label="Engagement", name="1. Survey\n> quote", method="survey", start="2024-01-01",
               status="held", you_said="| a | b |\n---", we_did="<img src=x onerror=alert(1)>",
               feedback_published="2024-02-01", feedback_url=feedback_url)
    g.add_edge("s", "p", key="DESCRIBES", role="about")
    g.add_edge("s", "t", key="ABOUT")
    g.add_edge("e", "s", key="ON")
    g.add_edge("e", "p", key="INVOLVED")
    return g


def parse(text: str):
    parser = markdown_it.MarkdownIt("commonmark").enable("table")
    parser.validateLink = lambda url: True  # see every link the text makes, not only those a renderer keeps
    return parser.parse(text)


def walk(tokens):
    for token in tokens:
        yield token
        yield from walk(token.children or [])


def links(tokens) -> list[str]:
    return [t.attrs.get("href") or t.attrs.get("src") for t in walk(tokens) if t.type in ("link_open", "image")]


@pytest.mark.parametrize("url", [BAD_URL, "https://x.test/a>[click](javascript:alert(1))",
                                 "https://x.test/a\n# heading"])
def test_plan_markdown_keeps_crafted_text_and_urls_in_their_place(url):
    text = plans.markdown(plans.draft_plan(crafted_graph(url), "s", TODAY, DEFAULTS))
    tokens = parse(text)
    hrefs = links(tokens)
    assert hrefs == [plans.safe_url(url)]  # the one link is the feedback URL itself, percent-encoded
    assert all(h.startswith("https://x.test/a") and not any(c in h for c in " ()<>\n") for h in hrefs)
    assert not [t for t in walk(tokens) if t.type in ("html_inline", "html_block")]
    assert not [t for t in walk(tokens) if t.type in ("blockquote_open", "hr", "ordered_list_open")]
    kinds = [t.type for t in walk(tokens)]
    assert kinds.count("table_open") == 1 and kinds.count("tr_open") == 2  # only the burden table: one public
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert "heading" not in headings and all(h.startswith(("Public involvement", "Box ", "Who ", "The toolkit",
                                                            "Topics", "Open needs", "Earlier", "Current",
                                                            "Intermediaries", "User groups", "You said"))
                                             for h in headings), headings
    assert not re.search(r"(?<!\\)\]\(", text)  # no unescaped "](" anywhere
    assert not re.search(r"(?<!\\)<(script|img)", text) and r"We did: \<img src=x" in text
    assert r"Renters \# heading \<script\>" in text


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>",
                                 "//evil.example/x", "ht\ttps://evil.example", "https:evil.example"])
def test_plan_markdown_writes_a_url_that_is_not_http_as_plain_text(url):
    text = plans.markdown(plans.draft_plan(crafted_graph(url), "s", TODAY, DEFAULTS))
    assert links(parse(text)) == []
    assert "Feedback published 2024-02-01: " in text and "<" + url.strip() not in text


def test_plan_markdown_of_a_stored_registry_escapes_names_and_links_feedback(app_store):
    app_store.apply(Change(put_nodes=[
        {"id": "s.x", "label": "Statistic", "name": "](javascript:alert(1))"},
        {"id": "p.x", "label": "Public", "name": "+ People\u2028# on low incomes"},
        {"id": "e.x", "label": "Engagement", "name": "- Survey", "method": "survey", "start": "2024-01-01",
         "status": "held", "feedback_published": "2024-03-01",
         "feedback_url": "https://x.test/a>[click](javascript:alert(1))"}],
        put_edges=[{"type": "DESCRIBES", "from": "s.x", "to": "p.x", "role": "about"},
                   {"type": "ON", "from": "e.x", "to": "s.x"},
                   {"type": "INVOLVED", "from": "e.x", "to": "p.x"}]))
    text = plans.markdown(plans.draft_plan(app_store.graph(), "s.x", TODAY, DEFAULTS))
    assert text.startswith(r"# Public involvement and engagement plan: \](javascript:alert(1))" + "\n")
    assert r"- **\+ People \# on low incomes**" in text and r"- **\- Survey**" in text
    assert ": <https://x.test/a%3E%5Bclick%5D%28javascript:alert%281%29%29>" in text
    assert links(parse(text)) == ["https://x.test/a%3E%5Bclick%5D%28javascript:alert%281%29%29"]
