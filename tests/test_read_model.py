"""The read model: the change log on both stores, replay in place, and after any sequence of writes
the same registry as a fresh load (property-based)."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import search
from graph.readmodel import ReadModel, Snapshot, build_graph
from graph.stores import Change, open_store
from graph.stores import base as store_base

from tests.conftest import make_store
from tests.provenance import cited

TOPICS = ["t1", "t2", "t3", "t4"]
PRODUCERS = ["p1", "p2"]
STATS = ["s1", "s2", "s3"]
LABELS = {**{t: "Topic" for t in TOPICS}, **{p: "Producer" for p in PRODUCERS}, **{s: "Statistic" for s in STATS},
          "i1": "Intermediary", "pub1": "Public"}
EDGES = [("BROADER", "t1", "t2"), ("BROADER", "t2", "t3"), ("BROADER", "t4", "t1"), ("ABOUT", "s1", "t1"),
         ("ABOUT", "s2", "t3"), ("ABOUT", "s3", "t4"), ("PRODUCES", "p1", "s1"), ("PRODUCES", "p2", "s1"),
         ("PRODUCES", "p2", "s3"), ("PART_OF", "p1", "p2"), ("REACHES", "i1", "pub1"), ("DESCRIBES", "s1", "pub1")]
NAMES = ["Housing", "Homelessness", "Crime", "Prices", "Office for Statistics", "Census", "Rough sleeping"]


def state(graph) -> tuple:
    """A registry graph as comparable data: every record, every relationship with its properties,
    and the relationships as seen from their other end (networkx keeps both)."""
    nodes = {n: dict(d) for n, d in graph.nodes(data=True)}
    edges = {(k, u, v): {a: b for a, b in d.items() if a != "type"} for u, v, k, d in graph.edges(keys=True, data=True)}
    into = {(k, u, v) for v in graph for u, keys in graph.pred[v].items() for k in keys}
    return nodes, edges, into


def fresh(store):
    return store.load_state(lambda _revision, nodes, edges: build_graph(nodes, edges))


def found(snapshot, text: str) -> list[str]:
    return sorted(h.id for h in search.search(snapshot, text, limit=50))


def test_the_change_log_holds_each_revision_in_order(store):
    first = store.apply(Change(put_nodes=[{"id": "t1", "label": "Topic", "name": "Housing"}]))
    second = store.apply(Change(put_nodes=[{"id": "t2", "label": "Topic", "name": "Crime"}],
                                put_edges=[{"type": "BROADER", "from": "t2", "to": "t1"}]))
    unchanged = store.apply(Change(put_nodes=[{"id": "t2", "label": "Topic", "name": "Crime"}]))
    assert unchanged.revision == second.revision and unchanged.log is None  # nothing changed: nothing logged
    third = store.apply(Change(delete_edges=[("BROADER", "t2", "t1")]))
    fourth = store.apply(Change(delete_nodes=["t1"]))
    entries = store.changes_since(first.revision - 1)
    assert [r for r, _ in entries] == [first.revision, second.revision, third.revision, fourth.revision]
    assert entries[1][1] == {"nodes": [{"id": "t2", "label": "Topic", "name": "Crime", "version": 1}], "deleted": [],
                             "edges": [{"type": "BROADER", "from": "t2", "to": "t1"}], "unlinked": []}
    assert entries[2][1]["unlinked"] == [["BROADER", "t2", "t1"]] and entries[3][1]["deleted"] == ["t1"]
    assert store.changes_since(fourth.revision) == []


def test_a_reader_too_far_behind_or_after_a_bulk_change_reloads(store, monkeypatch):
    monkeypatch.setattr(store_base, "LOG_MAX_WRITES", 3)
    start = store.revision()
    store.apply(Change(put_nodes=[{"id": f"t{i}", "label": "Topic", "name": f"T{i}"} for i in range(5)]))
    assert store.changes_since(start) is None  # a bulk change is logged as "reload"
    after_bulk = store.revision()
    store.apply(Change(put_nodes=[{"id": "t9", "label": "Topic", "name": "T9"}]))
    assert len(store.changes_since(after_bulk)) == 1
    store.wipe()
    assert store.changes_since(after_bulk) is None and store.changes_since(store.revision()) == []


def test_old_entries_are_compacted_and_a_reader_behind_them_loads_afresh(store, monkeypatch):
    import graph.stores.neo4j as neo4j_store
    import graph.stores.sqlite as sqlite_store
    for module in (sqlite_store, neo4j_store):
        monkeypatch.setattr(module, "LOG_KEEP", 2)
    start = store.revision()
    model = ReadModel(store)
    assert model.current().revision == start
    for i in range(4):
        store.apply(Change(put_nodes=[{"id": f"t{i}", "label": "Topic", "name": f"Topic {i}"}]))
    assert store.changes_since(start) is None and len(store.changes_since(store.revision() - 2)) == 2
    assert sorted(model.current().graph) == ["t0", "t1", "t2", "t3"]  # reloaded, since the log no longer reaches


def test_this_processs_writes_are_taken_without_a_read_and_readers_keep_their_snapshot(store):
    store.apply(Change(put_nodes=[{"id": "t1", "label": "Topic", "name": "Housing"}]))
    held = store.snapshot()
    calls = []
    real = store.changes_since
    store.changes_since = lambda revision: calls.append(revision) or real(revision)
    store.apply(Change(put_nodes=[{"id": "t2", "label": "Topic", "name": "Crime"}],
                       put_edges=[{"type": "BROADER", "from": "t2", "to": "t1"}]))
    now = store.snapshot()
    assert calls == [] and now.revision == held.revision + 1  # applied at once, no log read
    assert sorted(held.graph) == ["t1"] and list(held.graph.edges) == []  # the held snapshot is as it was
    assert sorted(now.graph) == ["t1", "t2"] and found(now, "crime") == ["t2"] and found(held, "crime") == []
    with pytest.raises(Exception):
        now.graph.add_node("x")  # frozen


def test_a_loaded_graph_is_let_go_once_later_revisions_replace_it(sqlite_store):
    """The load's records are kept out of the garbage collector's sight (graph.readmodel.settled),
    but a graph no request holds any more is still freed, with its views (a cycle)."""
    import gc
    import weakref
    sqlite_store.apply(Change(put_nodes=[{"id": "t1", "label": "Topic", "name": "Housing"}]))
    model = ReadModel(sqlite_store)
    loaded = model.current().graph
    assert gc.get_freeze_count() > 0 and list(loaded.edges) == []  # a view on it, which refers back to it
    gone = weakref.ref(loaded)
    del loaded
    sqlite_store.apply(Change(put_nodes=[{"id": "t2", "label": "Topic", "name": "Crime"}]))
    assert sorted(model.current().graph) == ["t1", "t2"]
    gc.collect()
    assert gone() is None


def test_snapshots_replaced_by_later_changes_are_freed(store):
    """What each change makes is kept out of the garbage collector's sight
    (graph.readmodel.out_of_sight), where a cycle is never freed: a snapshot no request holds any
    more must still be freed, with its graph, its derived answers and the views a reader made."""
    import gc
    import weakref
    store.apply(Change(put_nodes=[{"id": "t1", "label": "Topic", "name": "Housing"}]))
    replaced = []
    for i in range(12):
        snapshot = store.snapshot()
        found(snapshot, "housing"), snapshot.records("Topic"), snapshot.counts()
        list(snapshot.graph.edges), list(snapshot.graph.in_edges("t1")), snapshot.graph.degree("t1")
        replaced.append((weakref.ref(snapshot), weakref.ref(snapshot.graph)))
        del snapshot
        store.apply(Change(put_nodes=[{"id": f"s{i}", "label": "Statistic", "name": f"Rents {i}"}],
                           put_edges=[{"type": "ABOUT", "from": f"s{i}", "to": "t1"}]))
    assert found(store.snapshot(), "housing")[:2] == ["s0", "s1"] and gc.get_freeze_count() > 0
    gc.collect()
    assert [i for i, (snapshot, graph) in enumerate(replaced) if snapshot() or graph()] == []


def test_a_cycle_frozen_while_a_change_was_made_is_freed_within_settle_every_changes(sqlite_store, monkeypatch):
    """A request under way when a change is replayed is frozen with it (graph.readmodel.out_of_sight);
    should it leave a cycle behind, that is freed once SETTLE_EVERY more changes have been made."""
    import gc
    import weakref
    from graph import readmodel
    monkeypatch.setattr(readmodel, "SETTLE_EVERY", 4)
    sqlite_store.apply(Change(put_nodes=[{"id": "t0", "label": "Topic", "name": "Housing"}]))
    sqlite_store.snapshot()

    class Request:
        pass
    under_way = Request()
    under_way.me = under_way  # a cycle, as a request and its headers make
    gone = weakref.ref(under_way)
    sqlite_store.apply(Change(put_nodes=[{"id": "t1", "label": "Topic", "name": "Crime"}]))
    del under_way
    gc.collect()
    assert gone() is not None  # frozen while alive: not freed by a collection
    for i in range(2, 6):
        sqlite_store.apply(Change(put_nodes=[{"id": f"t{i}", "label": "Topic", "name": f"Topic {i}"}]))
    gc.collect()
    assert gone() is None


def test_a_committed_write_is_not_reported_failed_when_the_read_model_cannot_take_it(store, monkeypatch, caplog):
    """The change is committed before the read model takes it: should that fail, the write is still
    done (the caller is told so) and the next read catches up from the change log."""
    store.apply(Change(put_nodes=[{"id": "t1", "label": "Topic", "name": "Housing"}]))
    store.snapshot()
    model = store._read_model

    def broken(revision, entry):
        raise RuntimeError("the read model could not take it")
    monkeypatch.setattr(model, "applied", broken)
    result = store.apply(Change(put_nodes=[{"id": "t2", "label": "Topic", "name": "Crime"}]))
    assert result.revision == store.revision() and "read it from the change log" in caplog.text
    assert sorted(store.snapshot().graph) == ["t1", "t2"]


def test_a_snapshot_is_advanced_while_a_reader_takes_what_it_carries(sqlite_store, monkeypatch):
    """The next snapshot copies what the last carries while a reader of the last may be taking one
    of those values to update it (a load run once saw "dictionary changed size during iteration",
    and a committed write answered 500): the reader waits for the copy."""
    from graph import readmodel
    sqlite_store.apply(Change(put_nodes=[{"id": "t1", "label": "Topic", "name": "Housing"}]))
    held = sqlite_store.snapshot()
    held._carried.update({"a": (1, readmodel.Delta(frozenset(), frozenset())),
                          "b": (2, readmodel.Delta(frozenset(), frozenset()))})
    took, plain_or = [], readmodel.Delta.__or__

    def or_while_a_reader_takes(self, other):
        reader = threading.Thread(target=lambda: took.append(held.value("b", lambda _s: 0, update=lambda v, _s, _d: v)))
        reader.start()
        reader.join(0.2)  # a reader that does not wait pops "b" here, in the middle of the copy
        return plain_or(self, other)
    monkeypatch.setattr(readmodel.Delta, "__or__", or_while_a_reader_takes)
    following = held.advanced(held.revision + 1, held.graph, readmodel.Delta(frozenset(), frozenset()))
    monkeypatch.setattr(readmodel.Delta, "__or__", plain_or)
    assert sorted(following._carried) == ["a", "b"]
    for _ in range(100):
        if len(took) == 2:
            break
        threading.Event().wait(0.02)
    assert took == [2, 2]


def test_another_processs_writes_are_caught_up_from_the_log(store, tmp_path):
    other = open_store(store.url) if not store.url.startswith("sqlite") else open_store(store.url)
    try:
        mine = store.snapshot()
        other.apply(Change(put_nodes=[{"id": "t1", "label": "Topic", "name": "Housing"}]))
        other.apply(Change(put_nodes=[{"id": "s1", "label": "Statistic", "name": "Rents"}],
                           put_edges=[{"type": "ABOUT", "from": "s1", "to": "t1"}]))
        loads = []
        real = store.load_state
        store.load_state = lambda build: loads.append(1) or real(build)
        caught = store.snapshot()
        assert loads == [] and caught.revision == mine.revision + 2
        assert state(caught.graph) == state(fresh(store))
        assert found(caught, "housing") == ["s1", "t1"]  # the statistic is found by its topic's name
    finally:
        other.close()


def test_concurrent_readers_never_see_a_half_applied_change(sqlite_store):
    """Readers walk the whole graph while changes are replayed: no error, and every snapshot they
    hold is one revision's registry (each change adds a topic and its BROADER link together)."""
    sqlite_store.apply(Change(put_nodes=[{"id": "root", "label": "Topic", "name": "Root"}]))
    sqlite_store.graph()
    errors, stop = [], threading.Event()

    def read():
        try:
            while not stop.is_set():
                graph = sqlite_store.snapshot().graph
                for node in list(graph):
                    if node != "root":
                        assert ("root" in graph.succ[node]), node
                sum(1 for _ in graph.edges(keys=True))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    readers = [threading.Thread(target=read) for _ in range(3)]
    for r in readers:
        r.start()
    for i in range(150):
        sqlite_store.apply(Change(put_nodes=[{"id": f"t{i}", "label": "Topic", "name": f"Topic {i}"}],
                                  put_edges=[{"type": "BROADER", "from": f"t{i}", "to": "root"}]))
    stop.set()
    for r in readers:
        r.join()
    assert errors == [] and sqlite_store.graph().number_of_nodes() == 151


# -- any sequence of writes ------------------------------------------------------------------------------

def _node(node_id: str, name: str, tag: str | None) -> dict:
    record = {"id": node_id, "label": LABELS[node_id], "name": name}
    if tag:
        record["tags"] = [tag]
    return record


write = st.one_of(
    st.builds(lambda i, n, t: ("put", _node(i, n, t)), st.sampled_from(sorted(LABELS)), st.sampled_from(NAMES),
              st.sampled_from([None, "rent", "police"])),
    st.builds(lambda i: ("delete", i), st.integers(0, 20)),
    st.builds(lambda e, note: ("link", e, note), st.sampled_from(EDGES), st.sampled_from([None, "main", "other"])),
    st.builds(lambda i: ("unlink", i), st.integers(0, 20)))


def _change(store, op) -> Change | None:
    """The change a random step asks for, or None when the store would refuse it (a missing end).
    Deletes pick the n-th record or relationship there is (in order), so they hit often."""
    graph = fresh(store)
    if op[0] == "put":
        return Change(put_nodes=[op[1]])
    if op[0] == "delete":
        present = sorted(graph)
        return Change(delete_nodes=[present[op[1] % len(present)]]) if present else None
    if op[0] == "unlink":
        present = sorted((k, u, v) for u, v, k in graph.edges(keys=True))
        return Change(delete_edges=[present[op[1] % len(present)]]) if present else None
    type_, src, dst = op[1]
    if op[0] == "link":
        if src not in graph or dst not in graph:
            return None
        edge = {"type": type_, "from": src, "to": dst, **cited(type_, {})}
        if op[2] and type_ == "REACHES":
            edge["strength"] = 0.8 if op[2] == "main" else 0.3
        return Change(put_edges=[edge])


@pytest.mark.parametrize("backend_name", ["sqlite", pytest.param("neo4j", marks=pytest.mark.neo4j)])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.lists(write, min_size=1, max_size=4), min_size=1, max_size=8))
def test_after_any_writes_the_read_model_equals_a_fresh_load(backend_name, tmp_path_factory, steps):
    """Each step is one Change (several writes, some through this process, some through another
    store connection, as a second app server would write); after each, the read model, replayed in
    place, holds exactly what a fresh load holds, its count of each label is a fresh count, and its
    search index finds what a new index finds."""
    store = make_store(backend_name, tmp_path_factory.mktemp("rm"))
    other = open_store(store.url)
    try:
        store.apply(Change(put_nodes=[_node(i, i.upper(), None) for i in sorted(LABELS)],
                           put_edges=[{"type": t, "from": u, "to": v, **cited(t, {})} for t, u, v in EDGES]))
        first = store.snapshot()
        first.label_counts(), first.counts(), first.records("Topic")
        for n, step in enumerate(steps):
            writer = other if n % 3 == 2 else store
            held = store.snapshot()
            before = state(held.graph)
            for op in step:
                change = _change(store, op)
                if change is not None:
                    writer.apply(change)
            snap = store.snapshot()
            assert state(snap.graph) == state(fresh(store))
            assert state(held.graph) == before  # the snapshot a request held is as it was
            # counted once, then moved by each change: the count of a fresh load
            counted = {label: count for label, count in snap.label_counts().items() if count}
            assert counted == dict(Counter(r["label"] for r in fresh(store).nodes.values()))
            loaded = Snapshot(snap.revision, fresh(store))
            assert snap.counts() == loaded.counts() == store.counts()
            for label in sorted(set(LABELS.values())):
                assert snap.records(label) == loaded.records(label), label
            rebuilt = search.SearchIndex.from_graph(snap.graph)
            for text in ("housing", "office rent", "crime police", "census"):
                assert found(snap, text) == sorted(h.id for h in rebuilt.search(text, limit=50)), text
            # the records API's word search: carried from snapshot to snapshot and updated from each
            # change, it lists what an index of a fresh load lists, in the same order, as the store does
            words = search.TextIndex.from_graph(fresh(store))
            for text in ("housing", "office rent", "o", "stat", "police cr", "t1"):
                listed = [r["id"] for r in search.text_search(snap, text, limit=50)]
                assert listed == [r["id"] for r in words.search(text, limit=50)], text
                assert sorted(listed) == sorted(r["id"] for r in store.search_text(text, limit=50)), text
    finally:
        other.close()
        store.close()


def test_a_value_still_being_built_when_a_write_lands_is_updated_not_built_again():
    """A derived answer slower to build than the time between writes: the next snapshot waits for
    the build under way and updates it from the change, instead of starting another build."""
    from graph.readmodel import Delta, Snapshot
    first = Snapshot(1, build_graph([{"id": "a", "label": "Topic", "name": "A"}], []))
    started, release, calls = threading.Event(), threading.Event(), []

    def build(snap):
        calls.append(("build", snap.revision))
        started.set()
        release.wait(5)
        return {"ids": sorted(snap.graph)}

    def update(old, snap, delta):
        calls.append(("update", snap.revision, sorted(delta.nodes)))
        return {"ids": sorted(snap.graph)}

    builder = threading.Thread(target=lambda: first.value("slow", build, update=update))
    builder.start()
    assert started.wait(5)
    graph = build_graph([{"id": "a", "label": "Topic", "name": "A"}, {"id": "b", "label": "Topic", "name": "B"}], [])
    second = first.advanced(2, graph, Delta(frozenset({"b"}), frozenset()))
    third = second.advanced(3, graph, Delta(frozenset({"c"}), frozenset()))
    release.set()
    assert third.value("slow", build, update=update) == {"ids": ["a", "b"]}
    builder.join(5)
    assert calls == [("build", 1), ("update", 3, ["b", "c"])]


@pytest.mark.neo4j
def test_a_reader_racing_writers_is_never_told_to_load_afresh(tmp_path):
    """Neo4j shows a concurrent commit's new revision before its change-log entry; the reader waits
    for the entry or takes what is visible, and never loads the whole registry for it (it did, about
    once every 50 reads, with three writers)."""
    store = make_store("neo4j", tmp_path)
    writer = open_store(store.url)
    stop = threading.Event()

    def write(n: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            writer.apply(Change(put_nodes=[{"id": f"race-{n}-{i}", "label": "Topic", "name": f"Race {n} {i}"}]))
    writers = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    try:
        for w in writers:
            w.start()
        revision, reads, reloads = store.revision(), 0, 0
        while reads < 200:
            got = store.changes_since(revision)
            reads += 1
            if got is None:
                reloads += 1
                revision = store.revision()
            elif got:
                assert [r for r, _ in got] == list(range(revision + 1, got[-1][0] + 1))
                revision = got[-1][0]
        assert reloads == 0
    finally:
        stop.set()
        for w in writers:
            w.join()
        writer.close()
        store.close()
