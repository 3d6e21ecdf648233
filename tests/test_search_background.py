"""A large registry's search index is rebuilt in the background after a write; a small one at once."""
from __future__ import annotations

from graph import search
from graph.stores.base import Change

SMALL = {"search": {"background_above": 10**9}}   # never in the background
LARGE = {"search": {"background_above": 1}}       # always in the background


def _add(store, node_id: str, name: str) -> None:
    store.apply(Change(put_nodes=[{"id": node_id, "label": "Topic", "name": name}], actor="test"))


def _ids(store, text: str, settings: dict) -> list[str]:
    return [h.id for h in search.search(store, text, settings=settings)]


def test_a_small_registry_finds_a_new_record_in_the_next_search(store):
    _add(store, "housing", "Housing")
    assert _ids(store, "housing", SMALL) == ["housing"]
    _add(store, "homelessness", "Homelessness")
    assert _ids(store, "homelessness", SMALL) == ["homelessness"]
    assert search.building(store) is None


def test_a_large_registry_answers_from_the_previous_index_while_the_new_one_is_built(store):
    _add(store, "housing", "Housing")
    first = search.index_for(store, LARGE)  # no index yet: built before answering
    assert first.revision == store.revision()
    _add(store, "homelessness", "Homelessness")
    answered = search.index_for(store, LARGE)
    assert answered is first  # did not wait for the new index
    thread = search.building(store)
    if thread is not None:
        thread.join(timeout=30)
    assert search.building(store) is None
    rebuilt = search.index_for(store, LARGE)
    assert rebuilt is not first and rebuilt.revision == store.revision()
    assert _ids(store, "homelessness", LARGE) == ["homelessness"]
