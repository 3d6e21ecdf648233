"""Running a harvest against a store: find what is already there, plan, and write it as one Change.

:func:`reconcile` gives a harvested record the id of the registry's record for the same
thing, so a harvest never duplicates what an editor (or another source) added: the same
producer by its id in another register (``identifiers``) or its name or alias, the same
statistic by its web page or by its name under the same producer, the same topic by its
name. :func:`run` then plans (:func:`graph.harvest.base.plan`) and, unless it is a dry
run, applies everything in one transaction through the store's normal write path, so
it is validated against the model, all-or-nothing, and audited as this harvest.
"""
from __future__ import annotations

import re
from typing import Callable

import networkx as nx

from ..stores.base import Change, GraphStore, WriteResult
from .base import Harvest, Plan, plan

Progress = Callable[[str, int, int], None]


def name_key(text: str) -> str:
    """A name as compared across sources: lower case, words only, "and" for "&".

    >>> name_key("Courts & Tribunals"), name_key("Office for National Statistics (ONS)")
    ('courts and tribunals', 'office for national statistics ons')
    """
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower().replace("&", " and ")))


def _index(graph: nx.MultiDiGraph) -> dict[tuple, str]:
    """Ways to recognise each stored record: (label, kind of key, value) → id."""
    keys: dict[tuple, str] = {}
    producers_of: dict[str, list[str]] = {}
    for u, v, k in graph.edges(keys=True):
        if k == "PRODUCES":
            producers_of.setdefault(v, []).append(u)
    for node_id, data in sorted(graph.nodes(data=True)):
        label = data.get("label")
        for register, value in (data.get("identifiers") or {}).items():
            keys.setdefault((label, "identifier", register, value), node_id)
        if data.get("url"):
            keys.setdefault((label, "url", data["url"].rstrip("/")), node_id)
        names = [data.get("name", "")]
        if label in ("Producer", "Topic"):
            names += list(data.get("aliases") or [])
        for name in names:
            if label == "Statistic":
                for producer in producers_of.get(node_id, []):
                    keys.setdefault((label, "name", name_key(name), producer), node_id)
            else:
                keys.setdefault((label, "name", name_key(name)), node_id)
    return keys


def reconcile(harvest: Harvest, graph: nx.MultiDiGraph) -> Harvest:
    """``harvest`` with each record that the registry already holds under another id renamed to it.

    A statistic whose id the registry already gives another producer's statistic (another
    web page, no producer in common) is given a free id instead of being merged into it.
    """
    keys = _index(graph)
    rename: dict[str, str] = {}

    def find(node: dict) -> str | None:
        label = node["label"]
        for register, value in (node.get("identifiers") or {}).items():
            if (label, "identifier", register, value) in keys:
                return keys[(label, "identifier", register, value)]
        if node.get("url") and (label, "url", node["url"].rstrip("/")) in keys:
            return keys[(label, "url", node["url"].rstrip("/"))]
        if label == "Statistic":
            producers = [rename.get(e["from"], e["from"]) for e in harvest.edges
                         if e["type"] == "PRODUCES" and e["to"] == node["id"]]
            for producer in producers:
                found = keys.get((label, "name", name_key(node["name"]), producer))
                if found:
                    return found
            return None
        for name in [node["name"], *(node.get("aliases") or [])]:
            if (label, "name", name_key(name)) in keys:
                return keys[(label, "name", name_key(name))]
        return None

    def producers_of(node: dict) -> set[str]:
        return {rename.get(e["from"], e["from"]) for e in harvest.edges
                if e["type"] == "PRODUCES" and e["to"] == node["id"]}

    def another(node: dict) -> bool:
        """A statistic whose id the registry gives a different one: another web page, no producer in common."""
        if node["label"] != "Statistic":
            return False
        url, stored = (node.get("url") or "").rstrip("/"), (graph.nodes[node["id"]].get("url") or "").rstrip("/")
        theirs = {u for u, _, k in graph.in_edges(node["id"], keys=True) if k == "PRODUCES"}
        return bool(url and stored and url != stored and theirs and not theirs & producers_of(node))

    def free_id(node: dict) -> str:
        taken = set(graph) | {n["id"] for n in harvest.nodes} | set(rename.values())
        stem = "-".join([node["id"], *sorted(producers_of(node))[:1]])[:96].rstrip("-")  # ids: at most 100
        candidate, n = stem, 1
        while candidate in taken:
            n += 1
            candidate = f"{stem}-{n}"
        return candidate

    # Producers and topics first: a statistic is recognised by its name under its producer.
    order = {"Producer": 0, "Topic": 1}
    for node in sorted(harvest.nodes, key=lambda n: order.get(n["label"], 2)):
        same_id = node["id"] in graph and graph.nodes[node["id"]].get("label") == node["label"]
        if same_id and not another(node):
            continue
        found = find(node)
        if found and found != node["id"]:
            rename[node["id"]] = found
        elif same_id:
            rename[node["id"]] = free_id(node)
    if not rename:
        return harvest
    nodes, seen = [], set()
    for node in harvest.nodes:
        node = {**node, "id": rename.get(node["id"], node["id"])}
        if node["id"] in seen:
            continue  # two harvested records for one registry record: the first wins
        seen.add(node["id"])
        nodes.append(node)
    edges, seen_edges = [], set()
    for edge in harvest.edges:
        edge = {**edge, "from": rename.get(edge["from"], edge["from"]), "to": rename.get(edge["to"], edge["to"])}
        key = (edge["type"], edge["from"], edge["to"])
        if key in seen_edges or edge["from"] == edge["to"]:
            continue
        seen_edges.add(key)
        edges.append(edge)
    return Harvest(harvest.source, harvest.recorded, nodes, edges, {rename.get(s, s) for s in harvest.scope},
                   list(harvest.notes))


def plan_in_store(store: GraphStore, harvest: Harvest) -> Plan:
    """What ``harvest`` would do to ``store``: reconciled with it, planned field by field."""
    graph = store.graph()
    harvest = reconcile(harvest, graph)
    stored = store.get_nodes([n["id"] for n in harvest.nodes])
    existing = [(e["type"], e["from"], e["to"]) for e in harvest.edges
                if graph.has_edge(e["from"], e["to"], key=e["type"])]
    produced_by: dict[str, set[str]] = {}
    for node_id, data in graph.nodes(data=True):
        if data.get("label") == "Statistic" and (data.get("harvested") or {}).get("by") == harvest.source:
            produced_by[node_id] = {u for u, _, k in graph.in_edges(node_id, keys=True) if k == "PRODUCES"}
    stored.update(store.get_nodes([i for i in produced_by if i not in stored]))
    return plan(harvest, stored, existing, produced_by)


def run(store: GraphStore, harvest: Harvest, dry_run: bool = False, actor: str | None = None,
        progress: Progress | None = None) -> tuple[Plan, WriteResult | None]:
    """Plan ``harvest`` against ``store`` and, unless ``dry_run``, write it in one transaction.

    A dry run still checks every record against the model (``store.check``), so it
    refuses exactly what the real run would.
    """
    planned = plan_in_store(store, harvest)
    change = Change(put_nodes=planned.creates + planned.updates, put_edges=planned.edges,
                    actor=actor or f"harvest:{harvest.source}",
                    action=f"harvest {harvest.source} (recorded {harvest.recorded})", audit="records",
                    progress=progress)
    if dry_run:
        from ..stores.base import raise_if_problems
        raise_if_problems(store.check(change))
        return planned, None
    if not len(change):
        return planned, WriteResult(unchanged=len(planned.unchanged), revision=store.revision())
    return planned, store.apply(change)
