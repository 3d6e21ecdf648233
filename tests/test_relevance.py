"""The relevance set (tests/relevance/questions.yaml) asked of the seed registry, as the public asks.

Per question the answer is one statistic (confident), choices, a topic, or nothing:

- **found**: an expected statistic is the answer or among the choices, or among the
  statistics of the topic answered (a topic question: the expected topic is the answer
  or offered, or the answer is a statistic about it);
- **right first**: the answer, or the first choice, is an expected statistic (or topic);
- **confident wrong**: a confident answer that is not expected, names a ``not`` fragment,
  or whose first contact is not the expected organisation (nor a team of it); any
  confident answer to a nonsense question.

It fails on any confident wrong answer or found below 90%, and prints the score.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from graph import asking as A
from graph import signpost as S
from graph import transfer
from graph.harvest.run import name_key
from graph.walk import broader_topics, closure
from graph.stores import open_store

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = yaml.safe_load((ROOT / "tests" / "relevance" / "questions.yaml").read_text("utf-8"))
SEED = ROOT / "seed" / "registry.json"
FOUND_AT_LEAST = 0.9
SCORE: dict = {}


@dataclass
class Outcome:
    q: str
    kind: str
    answer: str
    found: bool = False
    first: bool = False
    wrong: str | None = None
    missing: list = field(default_factory=list)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('relevance') / 'registry.db'}")
    transfer.import_document(store, transfer.document_from_data(json.loads(SEED.read_text("utf-8"))))
    yield store
    store.close()


def _as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def _expected(graph, question: dict) -> tuple[set[str], list]:
    by_url = {}
    for node_id, data in graph.nodes(data=True):
        if data.get("label") == "Statistic" and data.get("url"):
            by_url.setdefault(data["url"].rstrip("/"), set()).add(node_id)
    ids, missing = set(), []
    for item in question.get("expect") or []:
        found = {item["id"]} & set(graph) if "id" in item else by_url.get(item["url"].rstrip("/"), set())
        ids |= found
        if not found:
            missing.append(item)
    return ids, missing


def _about(graph, statistic: str, topic_names: set[str]) -> bool:
    """Whether a statistic is about a topic of one of these names, or a narrower one."""
    topics = {t for _, v, k in graph.out_edges(statistic, keys=True) if k == "ABOUT" for t in broader_topics(graph, v)}
    return any(name_key(graph.nodes[t].get("name", "")) in topic_names for t in topics if t in graph)


def _organisations(graph, route_path: list[str]) -> set[str]:
    """The names (and aliases) of the producers on a route and the bodies they are part of."""
    bodies = {b for n in route_path if graph.nodes[n].get("label") == "Producer"
              for b in closure(graph, n, "PART_OF", "out")}
    return {name_key(x) for b in bodies for x in [graph.nodes[b].get("name", ""), *(graph.nodes[b].get("aliases") or [])]}


def judge(store, question: dict) -> Outcome:
    graph = store.graph()
    kind = question["kind"]
    expected, missing = _expected(graph, question)
    topics = {name_key(t) for t in _as_list(question.get("topic"))}
    avoid = [n.lower() for n in _as_list(question.get("not"))]
    try:
        answer = A.ask(store.snapshot(), question["q"])
    except A.NoMatch:
        return Outcome(question["q"], kind, "nothing", found=kind == "nonsense", first=kind == "nonsense",
                       missing=missing)
    if isinstance(answer, A.Choices):
        ids = [h.id for h in answer.choices]
        offered_topics = {name_key(h.name) for h in answer.topics}
        found = bool(expected & set(ids)) or bool(topics & offered_topics) or (
            bool(topics) and any(_about(graph, i, topics) for i in ids[:3]))
        first = bool(ids) and (ids[0] in expected or bool(topics) and _about(graph, ids[0], topics))
        return Outcome(question["q"], kind, f"choices: {', '.join(ids[:4])}", kind != "nonsense" and found,
                       kind != "nonsense" and first, missing=missing)
    if isinstance(answer, A.TopicAnswer):
        right = name_key(answer.topic["name"]) in topics
        offered = expected & {s["id"] for s in answer.statistics}
        wrong = None if right or kind != "nonsense" else f"a topic ({answer.topic['name']}) for nonsense"
        return Outcome(question["q"], kind, f"topic: {answer.topic['name']}", right or bool(offered), right, wrong,
                       missing)
    name = graph.nodes[answer].get("name", answer)
    out = Outcome(question["q"], kind, f"answer: {answer} ({name})", missing=missing)
    if kind == "nonsense":
        out.wrong = f"a confident answer ({name}) to nonsense"
        return out
    right = answer in expected or (kind == "topic" and _about(graph, answer, topics))
    hit_avoid = [a for a in avoid if a in name.lower()]
    if not right or hit_avoid:
        out.wrong = f"confidently answered {name} ({answer})"
        return out
    organisation = {name_key(o) for o in _as_list(question.get("organisation"))}
    if organisation:
        contact = S.signpost(graph, answer).first_contact
        path = contact.path if contact else []
        if path == [answer]:  # the statistic's own enquiries route: its producers answer
            path = [u for u, _, k in graph.in_edges(answer, keys=True) if k == "PRODUCES"]
        reached = _organisations(graph, path)
        if not organisation & reached:
            out.wrong = f"{name} is right, but its first contact is {contact.name if contact else 'nobody'}"
            return out
    out.found = out.first = True
    return out


def test_the_relevance_set_is_big_and_well_formed():
    kinds = {q["kind"] for q in QUESTIONS}
    assert len(QUESTIONS) >= 80 and kinds >= {"plain", "typo", "acronym", "word_form", "nation", "topic",
                                              "nonsense"}
    for question in QUESTIONS:
        if question["kind"] not in ("topic", "nonsense"):
            assert question.get("expect"), question["q"]
        if question["kind"] == "topic":
            assert question.get("topic"), question["q"]


def test_the_seed_answers_the_relevance_set(seeded):
    outcomes = [judge(seeded, q) for q in QUESTIONS]
    answerable = [o for o in outcomes if o.kind != "nonsense"]
    found = sum(o.found for o in answerable)
    first = sum(o.first for o in answerable)
    wrong = [o for o in outcomes if o.wrong]
    SCORE["line"] = (f"relevance: found {found}/{len(answerable)}, right first {first}/{len(answerable)}, "
                     f"confident wrong {len(wrong)}")
    report = "\n".join(f"  {o.kind:9} {o.q!r}: {o.answer}" + (f"  WRONG: {o.wrong}" if o.wrong else "")
                       + (f"  (expected not in the seed: {o.missing})" if o.missing and not o.found else "")
                       for o in outcomes if o.wrong or not o.found)
    assert not wrong and found >= FOUND_AT_LEAST * len(answerable), f"{SCORE['line']}\n{report}"
