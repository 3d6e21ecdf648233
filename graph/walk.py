"""Walks along one relationship type: narrower and broader topics, a producer and its teams.

>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> _ = g.add_edge("homelessness", "housing", key="BROADER"); _ = g.add_edge("housing", "society", key="BROADER")
>>> sorted(narrower_topics(g, "society")), sorted(broader_topics(g, "homelessness"))
(['homelessness', 'housing', 'society'], ['homelessness', 'housing', 'society'])
>>> _ = g.add_edge("team", "ons", key="PART_OF"); _ = g.add_edge("sub", "team", key="PART_OF")
>>> sorted(producer_and_parts(g, "ons")), closure(g, "missing", "PART_OF")
(['ons', 'sub', 'team'], {'missing'})
"""
from __future__ import annotations

import networkx as nx


def closure(graph: nx.MultiDiGraph, start: str, rel: str, direction: str = "in") -> set[str]:
    """``start`` and every node reached by following ``rel`` edges, backwards ("in": the
    nodes pointing at it, at any depth) or forwards ("out"); safe on cycles and unknown ids."""
    seen, todo = {start}, [start]
    edges = graph.in_edges if direction == "in" else graph.out_edges
    while todo:
        current = todo.pop()
        if current not in graph:
            continue
        for src, dst, key in edges(current, keys=True):
            other = src if direction == "in" else dst
            if key == rel and other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def narrower_topics(graph: nx.MultiDiGraph, topic: str) -> set[str]:
    """The topic and every topic narrower than it (BROADER points from narrow to broad)."""
    return closure(graph, topic, "BROADER", "in")


def broader_topics(graph: nx.MultiDiGraph, topic: str) -> set[str]:
    """The topic and every topic broader than it."""
    return closure(graph, topic, "BROADER", "out")


def producer_and_parts(graph: nx.MultiDiGraph, producer: str) -> set[str]:
    """The producer and the teams and parts that are PART_OF it, at any depth."""
    return closure(graph, producer, "PART_OF", "in")
