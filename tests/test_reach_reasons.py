"""Every reason shown for a rank names evidence or a sourced statement (issue 21, "Done when").

For every public of the seed, every intermediary discovery ranks for it, and every reason in "Why it
is ranked here", this works out what the reason rests on and checks that the registry holds it: a
REACHES quoted with its own source and date, the engagements counted, the record's declared nations
and its source, its load from engagements, the partnerships' sources, the route reports. A reason of
any other form fails, so a new reason must be added here with what it rests on.
"""
from __future__ import annotations

import json
import re

from graph import discovery as D
from graph import model
from graph.nations import nations_of
from graph.settings import DEFAULTS

from tests.test_reach_quality import AS_OF, SEED, seed_graph  # noqa: F401 (seed_graph is a fixture)

LOADS = ("within its capacity", "high", "over its capacity")


def cited(edge: dict) -> str:
    """How a reason quotes a relationship's source: "source, date"."""
    return f"{edge['source']}, {model.parse_date(edge['verified']).isoformat()}"


def what_it_rests_on(g, c, public: str, reason: str) -> str | None:
    """What ``reason`` rests on, checked against the graph; None when it is of no known form."""
    name = g.nodes[public]["name"]
    record = g.nodes[c.id]
    reacher = c.path[-2]
    who = "It" if c.direct else g.nodes[reacher]["name"]
    reach = g.edges[reacher, public, "REACHES"] if g.has_edge(reacher, public, "REACHES") else None
    if reason.startswith("Umbrella body: "):
        members = " and ".join(c.path_names[1:-1])
        assert reason.startswith(f"Umbrella body: reaches {name} through its member {members} (× "), reason
        assert all(g.has_edge(m, u, "MEMBER_OF") for u, m in zip(c.path, c.path[1:-1])), c.path
        return "membership"
    for role in ("represents", "serves", "informs"):
        if reason == f"{who} {role} {name} ({cited(reach) if reach and reach.get('source') else '?'}).":
            assert reach.get("role") == role
            return "stated role"
    if reach and reach.get("source"):
        if reason == ("Recorded" if c.direct else f"{who} is recorded") + f" as reaching {name} ({cited(reach)}).":
            return "sourced reach"
        judged = c.evidence["judgement"]
        if judged and reason.startswith(f"An editor's judgement ({cited(reach)}): strength {judged['strength']:g}, "
                                        f"{judged['trust']} trust."):
            assert any(reach.get(k) is not None for k in model.JUDGEMENT_PROPS)
            return "sourced judgement"
    shown = c.evidence["engagements"]
    if re.match(r"\d+ engagements? with ", reason):
        assert reason == c.summary and reason.startswith(f"{len(shown)} engagement"), (reason, shown)
        for e in shown:
            assert g.has_edge(e["id"], reacher, "VIA") and g.has_edge(e["id"], public, "INVOLVED"), e["id"]
        return "engagements"
    if reason == f"No engagement with {name} through {g.nodes[reacher]['name']} is recorded.":
        assert not shown
        return "no engagement recorded"
    if reason == "It says it is not accepting requests, so it is listed after those that are.":
        assert record.get("accepting_requests") == "no" and record.get("source")
        return "declared"
    if reason == "The nations it works in are not recorded. × 0.9." or \
            reason == "The nations it works in are not recorded.":
        assert not nations_of(record)
        return "nations not recorded"
    if reason.startswith(("A body of ", "Works in ")) and " the same place" not in reason:
        # its nations, or the place its record says it works (geography), from the record's source
        assert nations_of(record) and record.get("source"), c.id
        return "declared nations"
    if reason.startswith("Works in the same place: "):
        assert record.get("geography") and g.nodes[public].get("geography") and record.get("source")
        return "geography"
    if reason.startswith("Its own load of engagement is "):
        status = reason[len("Its own load of engagement is "):].split(":")[0].rstrip(".")
        assert status in LOADS, reason
        if status != LOADS[0]:
            assert any(g.has_edge(e, c.id, "VIA") for e, _i in g.in_edges(c.id)), c.id
        return "load from engagements"
    if reason.startswith("Works on "):
        assert reason == "Works on " + ", ".join(t["name"] for t in c.topics) + "."
        assert c.topics and all(g.has_edge(c.id, t["id"], "WORKS_ON") for t in c.topics), c.id
        return "works on"
    if reason.startswith("Join up with "):
        for p in c.partners:
            assert p["name"] in reason
            sourced = g.has_edge(p["id"], c.id, "PARTNERS_WITH") and g.edges[p["id"], c.id, "PARTNERS_WITH"].get(
                "source")
            ran = any(g.has_edge(p["id"], e, "RAN") for e, _i, k in g.in_edges(c.id, keys=True) if k == "VIA")
            assert sourced or ran, (c.id, p)
        return "partnerships"
    if reason == "Not enough reports yet from people who contacted it to count.":
        return "route reports"
    return None


def test_every_reason_shown_for_every_public_of_the_seed_names_evidence_or_a_sourced_statement(seed_graph):
    g = seed_graph
    load = D.load_from_burden(g, DEFAULTS, AS_OF)
    publics = [n for n, d in g.nodes(data=True) if d.get("label") == "Public"]
    assert len(publics) > 20
    kinds, unknown, walked = set(), [], 0
    for public in publics:
        for c in D.discover(g, public, DEFAULTS, load_status=load, as_of=AS_OF, reports=[]).intermediaries:
            for reason in c.reasons:
                walked += 1
                assert "with no source given" not in reason, (public, c.id)
                kind = what_it_rests_on(g, c, public, reason)
                if kind is None:
                    unknown.append((public, c.id, reason))
                kinds.add(kind)
    assert unknown == []
    assert walked > 500
    # The seed exercises the main kinds, so a form that stops matching cannot pass by never occurring.
    assert {"stated role", "engagements", "no engagement recorded", "declared nations", "load from engagements",
            "membership", "route reports"} <= kinds, kinds


def test_no_relationship_of_any_type_in_the_loaded_seed_carries_a_strength_or_trust_without_a_source(seed_graph):
    """As the app holds it (imported into a store), not only as the file says: every relationship type."""
    kinds = {k for _u, _v, k in seed_graph.edges(keys=True)}
    doc = json.loads(SEED.read_text("utf-8"))
    assert kinds == {e["type"] for e in doc["edges"]} and len(kinds) >= 15, kinds
    judged = [(k, u, v, d) for u, v, k, d in seed_graph.edges(keys=True, data=True)
              if any(d.get(p) is not None for p in model.JUDGEMENT_PROPS)]
    assert judged and {k for k, *_ in judged} == {"REACHES"}
    assert [(k, u, v) for k, u, v, d in judged if not (d.get("source") and model.parse_date(d.get("verified")))] == []
    # And none of them shows a number without its source: discovery gives the judgement only with one.
    for k, u, v, d in judged:
        found = next(c for c in D.discover(seed_graph, v, DEFAULTS, as_of=AS_OF).intermediaries if c.id == u)
        assert found.evidence["judgement"]["source"] == d["source"], (u, v)
