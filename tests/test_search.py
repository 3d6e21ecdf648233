"""Search that forgives: typos, word order, acronyms, aliases; ranked; cached per revision."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import search, transfer
from graph.readmodel import advance, build_graph

BOTH_STORES = True  # app, API and CLI tests here run on the embedded store and on Neo4j

SEED = Path(__file__).resolve().parents[1] / "seed" / "registry.json"


@pytest.fixture(scope="module")
def seed_index():
    data = json.loads(SEED.read_text())
    return search.SearchIndex(data["nodes"], edges=data["edges"])


@pytest.mark.parametrize("query, expected", [
    ("below average resources", "bar"),
    ("income below households average", "hbai"),
    ("famly resources survey", "frs"),
    ("hbai", "hbai"),
    ("office national statistcs", "ons"),
])
def test_forgiving_queries_find_the_record_first(seed_index, query, expected):
    assert seed_index.search(query)[0].id == expected


def test_a_typo_still_finds_the_record_among_the_first(seed_index):
    assert "hbai" in [h.id for h in seed_index.search("houshold income stats")[:5]]
    assert all(h.fuzzy for h in seed_index.search("houshold income stats")[:5])


def test_label_filter_and_limit(seed_index):
    hits = seed_index.search("poverty", label="Statistic", limit=3)
    assert 0 < len(hits) <= 3 and all(h.label == "Statistic" for h in hits)


def test_nonsense_finds_nothing_and_short_words_are_not_fuzzed(seed_index):
    assert seed_index.search("zzqqxx") == []
    assert seed_index.search("") == []
    assert all("bar" in h.matched or h.exact for h in seed_index.search("bar"))


def test_exact_phrase_ranks_first(seed_index):
    top = seed_index.search("census")[0]
    assert top.exact and top.name.lower() == "census"


def test_index_is_renewed_only_when_the_revision_moves(store):
    doc = {"format": "pathways-graph", "version": 1,
           "nodes": [{"id": "t1", "label": "Topic", "name": "Homelessness"}], "edges": []}
    transfer.import_document(store, transfer.document_from_data(doc))
    first = search.index_of(store.snapshot())
    assert search.index_of(store.snapshot()) is first
    assert [h.id for h in search.search(store.snapshot(), "homelesness")] == ["t1"]
    doc["nodes"] = [{"id": "t2", "label": "Topic", "name": "Rough sleeping"}]
    transfer.import_document(store, transfer.document_from_data(doc))
    assert search.index_of(store.snapshot()) is not first
    assert [h.id for h in search.search(store.snapshot(), "rough sleping")] == ["t2"]


def test_fast_at_scale():
    import random
    import time
    rng = random.Random(7)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10))) for _ in range(5000)]
    records = [{"id": f"n{i}", "label": "Statistic", "name": " ".join(rng.sample(vocab, 4)),
                "description": " ".join(rng.sample(vocab, 10)) + " statistics"} for i in range(20000)]
    records.append({"id": "hbai", "label": "Statistic", "name": "Households Below Average Income"})
    index = search.SearchIndex(records)
    started = time.perf_counter()
    for q in ("houshold income stats", "statistics", vocab[3] + " " + vocab[9]):
        assert index.search(q)
    assert index.search("houshold income")[0].id == "hbai"
    assert (time.perf_counter() - started) / 3 < 0.5


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(st.lists(st.tuples(st.sampled_from("abcdef"), st.one_of(st.none(), st.integers(0, 9))),
                               max_size=6), max_size=8),
       least=st.sampled_from([0, 2, 1024]))
def test_a_layered_table_reads_as_a_dict_and_its_children_leave_it_as_it_was(steps, least):
    table, model, kept = search._Layered(), {}, []
    for ops in steps:
        child, expected = table.child(), dict(model)
        for key, value in ops:
            if value is None:
                assert child.pop(key, None) == expected.pop(key, None)
            else:
                child[key] = expected[key] = value
        kept.append((table, model))
        table, model = child.folded(share=1, least=least), expected
    for table, model in [*kept, (table, model)]:
        assert {k: table[k] for k in "abcdef" if k in table} == model and len(table) == len(model)
        assert [table.get(k) for k in "abcdef"] == [model.get(k) for k in "abcdef"]


IDS = {"s0": "Statistic", "s1": "Statistic", "s2": "Statistic", "p0": "Producer", "p1": "Producer",
       "t0": "Topic", "t1": "Topic"}
NAMES = ("Consumer price inflation", "House prices (HPI)", "Unemployment rate", "Census 2021", "Rents",
         "Office for National Statistics", "Housing", "Police recorded crime")
QUERIES = ("prices", "house prices wales", "unemploymant", "office", "housing rents", "census 2021",
           "zebra inflation", "statistics", "crime")
search_write = st.one_of(
    st.builds(lambda i, n, alias: {"nodes": [{"id": i, "label": IDS[i], "name": n,
                                              **({"aliases": [alias]} if alias else {})}]},
              st.sampled_from(sorted(IDS)), st.sampled_from(NAMES), st.sampled_from([None, "CPI", "Welsh houses"])),
    st.builds(lambda i: {"deleted": [i]}, st.sampled_from(sorted(IDS))),
    st.builds(lambda p, s: {"edges": [{"type": "PRODUCES", "from": p, "to": s}]},
              st.sampled_from(["p0", "p1"]), st.sampled_from(["s0", "s1", "s2"])),
    st.builds(lambda s, t: {"edges": [{"type": "ABOUT", "from": s, "to": t}]},
              st.sampled_from(["s0", "s1", "s2"]), st.sampled_from(["t0", "t1"])),
    st.builds(lambda p, s: {"unlinked": [("PRODUCES", p, s)]}, st.sampled_from(["p0", "p1"]),
              st.sampled_from(["s0", "s1", "s2"])))


def _answers(index) -> list:
    return [[(h.id, round(h.score, 9), h.matched, h.exact, h.coverage, h.fuzzy, h.read_as, h.why, h.producer,
              h.named) for h in index.search(q)] for q in QUERIES]


@settings(max_examples=40, deadline=None)
@given(steps=st.lists(search_write, min_size=1, max_size=10), least=st.sampled_from([0, 1024]))
def test_an_updated_index_answers_as_a_fresh_one_and_leaves_the_old_one_as_it_was(steps, least):
    """Whatever is written, and whether or not its layered tables are folded, an index updated from
    the change answers every query as an index built afresh does, and the index it was updated
    from (which a search under way may hold) still answers as it did."""
    graph = build_graph([{"id": "p0", "label": "Producer", "name": "Office for National Statistics"},
                         {"id": "s0", "label": "Statistic", "name": "Consumer price inflation"},
                         {"id": "t0", "label": "Topic", "name": "Prices"}],
                        [("PRODUCES", "p0", "s0", {}), ("ABOUT", "s0", "t0", {})])
    index = search.SearchIndex.from_graph(graph)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search._Layered, "FOLD_LEAST", least)
        for revision, step in enumerate(steps, start=2):
            before = _answers(index)
            graph, delta = advance(graph, [(revision, {"nodes": [], "deleted": [], "edges": [], "unlinked": [],
                                                       **step})])
            new = index.updated(graph, delta.nodes, delta.edges)
            assert _answers(index) == before
            assert _answers(new) == _answers(search.SearchIndex.from_graph(graph))
            index = new
