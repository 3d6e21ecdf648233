"""Record-page sections read a bounded part of the registry, and get what the whole graph gives.

A producer's and a topic's sections (you said, we did; feedback debt; the waiting list) and a
need's section (the need with similar needs raised with other producers) are computed over a
local graph read from the store around the record. Over the seed registry every producer,
topic and need gets exactly what the whole graph gives.
"""
from __future__ import annotations

import datetime as dt

import pytest

from graph import feedback, needs, transfer
from graph.settings import DEFAULTS

AS_OF = dt.date(2026, 11, 21)


@pytest.fixture
def seeded(sqlite_store):
    transfer.import_document(sqlite_store, transfer.read_document("seed/registry.json"))
    return sqlite_store, sqlite_store.graph()


def _feedback(items):
    return [(i.as_dict(), sorted(i.topics)) for i in items]


def _needs(items):
    return [(i.as_dict(), sorted(i.topics)) for i in items]


def _of(whole, label):
    return sorted(n for n, d in whole.nodes(data=True) if d.get("label") == label)


def test_a_producers_section_reads_its_neighbourhood_and_gets_the_whole_graphs_answer(seeded):
    store, whole = seeded
    producers = _of(whole, "Producer")
    with_items = with_needs = with_debt = 0
    for producer in producers:
        local = feedback.producer_graph(store, producer)
        assert local.number_of_nodes() < whole.number_of_nodes()
        got = _feedback(feedback.you_said_we_did(local, producer=producer))
        assert got == _feedback(feedback.you_said_we_did(whole, producer=producer)), producer
        assert feedback.debt(local, AS_OF, DEFAULTS, producer=producer) == \
            feedback.debt(whole, AS_OF, DEFAULTS, producer=producer), producer
        waiting = _needs(needs.waiting_list(local, DEFAULTS, producer=producer).items)
        assert waiting == _needs(needs.waiting_list(whole, DEFAULTS, producer=producer).items), producer
        with_items += bool(got)
        with_needs += bool(waiting)
        with_debt += bool(feedback.debt(local, AS_OF, DEFAULTS, producer=producer))
    # the comparison is not vacuous: the seed has producers with each kind of content
    assert len(producers) > 20 and with_items >= 3 and with_needs >= 3 and with_debt >= 1


def test_a_topics_section_reads_its_neighbourhood_and_gets_the_whole_graphs_answer(seeded):
    store, whole = seeded
    topics = _of(whole, "Topic")
    with_items = with_needs = 0
    for topic in topics:
        local = feedback.topic_graph(store, topic)
        assert local.number_of_nodes() < whole.number_of_nodes()
        got = _feedback(feedback.you_said_we_did(local, topic=topic))
        assert got == _feedback(feedback.you_said_we_did(whole, topic=topic)), topic
        waiting = _needs(needs.waiting_list(local, DEFAULTS, topic=topic).items)
        assert waiting == _needs(needs.waiting_list(whole, DEFAULTS, topic=topic).items), topic
        with_items += bool(got)
        with_needs += bool(waiting)
    assert len(topics) > 10 and with_items >= 3 and with_needs >= 3


def test_a_needs_section_reads_its_neighbourhood_and_gets_the_whole_graphs_answer(seeded):
    store, whole = seeded
    need_ids = _of(whole, "Need")
    similar = 0
    for need in need_ids:
        local = needs.local_needs_graph(store, [need])
        assert local.number_of_nodes() < whole.number_of_nodes()
        item = needs.need_detail(local, need, DEFAULTS)
        assert _needs([item]) == _needs([needs.need_detail(whole, need, DEFAULTS)]), need
        similar += bool(item.also_raised_with)
    assert len(need_ids) >= 5 and similar >= 1


def test_local_reads_of_a_record_that_is_not_there_are_empty(sqlite_store):
    assert feedback.producer_graph(sqlite_store, "nobody").number_of_nodes() == 0
    assert needs.local_needs_graph(sqlite_store, ["nobody"]).number_of_nodes() == 0


def test_the_publics_list_counts_who_reaches_each_public_without_the_whole_registry(app_store, client):
    import re
    transfer.import_document(app_store, transfer.read_document("seed/registry.json"))
    whole = app_store.graph()
    listing = client.get("/publics").get_data(as_text=True)
    rows = re.findall(r'href="/publics/([^"]+)".*?</tr>', listing, flags=re.S)
    assert len(rows) > 20
    counted = 0
    for public in rows:
        row = re.search(r'href="/publics/' + re.escape(public) + r'".*?</tr>', listing, flags=re.S).group(0)
        cell = re.findall(r'govuk-table__cell--numeric">(.*?)</td>', row, flags=re.S)[-1]
        expected = sum(1 for _s, _d, k in whole.in_edges(public, keys=True) if k == "REACHES")
        assert cell == (str(expected) if expected else '<strong class="govuk-tag govuk-tag--red">No known route</strong>'), public
        counted += expected > 0
    assert counted > 10
