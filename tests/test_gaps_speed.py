"""The gap rules' quicker forms give exactly what the plain forms give."""
from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest

from graph import gaps
from graph.gaps import GapContext


@pytest.mark.parametrize("seed", range(4))
def test_one_search_for_every_cut_off_equals_a_search_per_articulation_point(seed):
    rng = random.Random(seed)
    checked = cut = 0
    for _ in range(150):
        n = rng.randrange(2, 40)
        network = nx.Graph()
        network.add_nodes_from(f"n{i:02d}" for i in range(n))
        for _ in range(rng.randrange(0, 2 * n)):
            a, b = rng.sample(range(n), 2)
            network.add_edge(f"n{a:02d}", f"n{b:02d}")
        graph = nx.MultiDiGraph()
        for v in network:
            graph.add_node(v, label=rng.choice(["Public", "Intermediary", "Topic"]))
        expected = {v: gaps.cut_off_by(network, graph, v) for v in nx.articulation_points(network)}
        assert gaps.cut_offs(network, graph, list(network)) == expected
        checked += len(expected)
        cut += sum(bool(v) for v in expected.values())
    assert checked > 100 and cut > 50  # the graphs had articulation points that cut publics off


def _plain_overlaps(graph, ctx):
    """The rule as first written: every pair of user groups."""
    threshold, min_shared = ctx.conf("overlap_threshold"), ctx.conf("overlap_min_shared")
    topics = {g: {v for _, v, k in graph.out_edges(g, keys=True) if k == "COVERS"}
              for g, d in graph.nodes(data=True) if d["label"] == "UserGroup"}
    found = []
    for a, b in itertools.combinations(sorted(topics), 2):
        shared, union = topics[a] & topics[b], topics[a] | topics[b]
        if union and len(shared) >= min_shared and len(shared) / len(union) >= threshold:
            found.append((a, b))
    return found


@pytest.mark.parametrize("seed", range(4))
def test_overlapping_groups_found_through_shared_topics_are_every_overlapping_pair(seed):
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    for t in range(12):
        graph.add_node(f"t{t}", label="Topic", name=f"T{t}")
    for g in range(25):
        graph.add_node(f"g{g:02d}", label="UserGroup", name=f"G{g}")
        for t in rng.sample(range(12), rng.randrange(0, 5)):
            graph.add_edge(f"g{g:02d}", f"t{t}", key="COVERS", type="COVERS")
    found = 0
    for conf in ({}, {"overlap_threshold": 0.3, "overlap_min_shared": 1}):
        ctx = GapContext(settings={"gaps": conf})
        got = gaps.overlapping_user_groups(graph, ctx)
        found += len(got)
        assert sorted((i["id"], i["other"]) for i in got) == _plain_overlaps(graph, ctx)
        assert [i["overlap"] for i in got] == sorted((i["overlap"] for i in got), reverse=True)
    assert found > 0


@pytest.mark.parametrize("seed", range(3))
def test_sampled_betweenness_is_networkxs_exactly(seed):
    network = nx.gnm_random_graph(300, 700, seed=seed)
    network = nx.relabel_nodes(network, {i: f"n{i:03d}" for i in network})
    network.add_edges_from([("n000", "n000"), ("lone-a", "lone-b")])  # a self-loop and a separate piece
    assert gaps.sampled_betweenness(network, 25, seed=0) == nx.betweenness_centrality(network, k=25, seed=0)


@pytest.mark.parametrize("seed", range(4))
def test_route_neighbours_are_the_route_networks_in_its_order(seed):
    rng = random.Random(seed)
    for _ in range(100):
        graph = nx.MultiDiGraph()
        n = rng.randrange(1, 30)
        for i in rng.sample(range(n), n):  # nodes added in a random order
            graph.add_node(f"n{i:02d}", label=rng.choice(["Public", "Intermediary", "Topic", "Engagement", "Need"]))
        for _ in range(rng.randrange(0, 4 * n)):  # repeated edges, both ways, and loops
            graph.add_edge(f"n{rng.randrange(n):02d}", f"n{rng.randrange(n):02d}", key=rng.choice(["REACHES", "ABOUT"]))
        network = gaps.route_network(graph)
        assert gaps.route_neighbours(graph) == {v: list(around) for v, around in network.adjacency()}
