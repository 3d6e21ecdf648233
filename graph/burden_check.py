"""Check before you consult: what a draft engagement would add to the burden.

Given a draft engagement (publics, method, dates, intermediaries, the statistic or
topic it is on, the producer running it), :func:`check` returns each public's and
intermediary's burden before and after, the warnings (over or high, a
``rest_until`` in force, other producers' planned engagements with the same public
within ``join_up_days``: "join up") and suggestions ("use existing evidence", a
less-loaded intermediary that reaches the same public, remuneration). It is a
pure function of the graph: nothing is saved.

The check is made **as of the draft's start**: existing engagements are aged to
that day and the draft counts at full weight, as if held. Other producers' planned
engagements are not added to the burden (they may not happen); they are shown as
"join up" warnings instead.

>>> import networkx as nx
>>> from graph.settings import DEFAULTS
>>> g = nx.MultiDiGraph()
>>> g.add_node("p", label="Public", name="Young carers", capacity=4)
>>> result = check(g, {"method": "workshop", "start": "2025-03-01", "publics": ["p"]}, DEFAULTS)
>>> [(c.id, c.before.status, c.after.status, c.after.units) for c in result.publics]
[('p', 'ok', 'high', 3.0)]
>>> [w.kind for w in result.warnings], [s.kind for s in result.suggestions]
(['coverage', 'high'], ['remunerate'])
>>> result.coverage.too_few, result.coverage.engagements
(True, 0)
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from . import burden, model
from .reach import judgement_of
from .errors import InvalidRecord, Problem
from .feedback import feedback_given

WHERE = "draft engagement"
DRAFT_ID = "draft"


@dataclass
class Draft:
    name: str
    method: str
    start: _dt.date
    end: _dt.date | None
    publics: list[str]
    intermediaries: list[str] = field(default_factory=list)
    on: list[str] = field(default_factory=list)
    producer: str | None = None
    remunerated: bool = False
    participants: int | None = None

    def record(self, graph=None) -> dict:
        """The draft as an Engagement record, with ``_producers`` for the burden model."""
        rec = {"id": DRAFT_ID, "label": "Engagement", "name": self.name, "method": self.method,
               "start": self.start.isoformat(), "status": "planned", "remunerated": self.remunerated}
        if self.end:
            rec["end"] = self.end.isoformat()
        if self.producer:
            name = graph.nodes[self.producer].get("name", self.producer) if graph is not None else self.producer
            rec["_producers"] = [(self.producer, name)]
        return rec


@dataclass
class Change:
    """One public's or intermediary's burden before and after the draft."""

    id: str
    name: str
    label: str
    before: burden.Score
    after: burden.Score


@dataclass
class Warning:
    kind: str  # over | high | rest_until | join_up | coverage
    node: str
    node_name: str
    message: str
    engagements: list[dict] = field(default_factory=list)


@dataclass
class Suggestion:
    kind: str  # use_existing_evidence | less_loaded_intermediary | remunerate
    message: str
    node: str | None = None
    node_name: str | None = None
    engagements: list[dict] = field(default_factory=list)
    intermediaries: list[dict] = field(default_factory=list)


@dataclass
class CheckResult:
    draft: Draft
    as_of: _dt.date
    publics: list[Change]
    intermediaries: list[Change]
    warnings: list[Warning]
    suggestions: list[Suggestion]
    coverage: burden.Coverage | None = None  # what "before" rests on (graph.burden.coverage)


def _ids(value, field_name: str, problems: list[Problem]) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem(WHERE, field_name, "must be a list of record ids"))
        return []
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))


def parse_draft(data: dict, graph) -> Draft:
    """A :class:`Draft` from a form or JSON body; InvalidRecord naming each wrong field.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph(); g.add_node("t", label="Topic", name="T")
    >>> try:
    ...     parse_draft({"method": "chat", "start": "2025-02-30", "publics": ["t"]}, g)
    ... except InvalidRecord as exc:
    ...     [str(p) for p in exc.problems]
    ['draft engagement: method: must be one of: survey, poll, consultation, focus_group, interview, workshop, panel_meeting, co_design, citizens_jury, deliberation, community_research, user_testing, other', 'draft engagement: start: must be a date as YYYY-MM-DD', "draft engagement: publics: 't' is a Topic, not a Public"]
    """
    if not isinstance(data, dict):
        raise InvalidRecord([Problem(WHERE, "", "must be an object")])
    problems: list[Problem] = []
    props = model.LABELS["Engagement"]
    method = data.get("method")
    if not method:
        problems.append(Problem(WHERE, "method", "is required"))
    else:
        msg = model.check_value(props["method"], method)
        if msg:
            problems.append(Problem(WHERE, "method", msg))
    dates = {}
    for key in ("start", "end"):
        value = data.get(key)
        if value in (None, ""):
            if key == "start":
                problems.append(Problem(WHERE, "start", "is required"))
            dates[key] = None
            continue
        dates[key] = model.parse_date(value)
        if dates[key] is None:
            problems.append(Problem(WHERE, key, "must be a date as YYYY-MM-DD"))
    if dates.get("start") and dates.get("end") and dates["end"] < dates["start"]:
        problems.append(Problem(WHERE, "end", "must not be before start"))
    remunerated = data.get("remunerated", False)
    if remunerated in (None, ""):
        remunerated = False
    if not isinstance(remunerated, bool):
        problems.append(Problem(WHERE, "remunerated", "must be true or false"))
    participants = data.get("participants")
    if participants not in (None, ""):
        msg = model.check_value(props["participants"], participants)
        if msg:
            problems.append(Problem(WHERE, "participants", msg))
    else:
        participants = None
    name = data.get("name") or "Draft engagement"
    if not isinstance(name, str) or len(name) > 300:
        problems.append(Problem(WHERE, "name", "must be one line of at most 300 characters"))
    wanted = {"publics": ("Public",), "intermediaries": ("Intermediary", "UserGroup"), "on": ("Statistic", "Topic")}
    lists = {}
    for key, labels in wanted.items():
        ids = _ids(data.get(key), key, problems)
        for node_id in ids:
            label = graph.nodes[node_id].get("label") if node_id in graph else None
            if label is None:
                problems.append(Problem(WHERE, key, f"no record with id '{node_id}'"))
            elif label not in labels:
                problems.append(Problem(WHERE, key, f"'{node_id}' is a {label}, not a {' or '.join(labels)}"))
        lists[key] = ids
    if not lists["publics"] and not any(p.field == "publics" for p in problems):
        problems.append(Problem(WHERE, "publics", "choose at least one public"))
    producer = data.get("producer") or None
    if producer is not None:
        label = graph.nodes[producer].get("label") if isinstance(producer, str) and producer in graph else None
        if label != "Producer":
            problems.append(Problem(WHERE, "producer", f"no producer with id '{producer}'"))
    if problems:
        raise InvalidRecord(problems)
    return Draft(name=name, method=method, start=dates["start"], end=dates["end"], publics=lists["publics"],
                 intermediaries=lists["intermediaries"], on=lists["on"], producer=producer,
                 remunerated=remunerated, participants=participants)


def _summary(graph, engagement_id: str) -> dict:
    data = graph.nodes[engagement_id]
    ran = sorted((src, graph.nodes[src].get("name", src))
                 for src, _d, key in graph.in_edges(engagement_id, keys=True) if key == "RAN")
    return {"id": engagement_id, "name": data.get("name", engagement_id), "method": data.get("method"),
            "start": data.get("start"), "end": data.get("end"), "status": data.get("status"),
            "producer": ran[0][0] if ran else None, "producer_name": ran[0][1] if ran else None,
            "feedback_published": data.get("feedback_published"), "feedback_url": data.get("feedback_url"),
            "feedback_given": feedback_given(data)}


def _change(graph, node_id: str, as_of: _dt.date, settings: dict, draft_record: dict) -> Change:
    before = burden.score_node(graph, node_id, as_of, settings)
    after = burden.score_node(graph, node_id, as_of, settings, extra=[draft_record])
    return Change(node_id, before.name, before.label, before, after)


def _subjects(graph, on: list[str]) -> set[str]:
    """The draft's statistics and topics, with the topics its statistics are ABOUT."""
    out = set(on)
    for node_id in on:
        if graph.nodes[node_id].get("label") == "Statistic":
            out.update(dst for _s, dst, key in graph.out_edges(node_id, keys=True) if key == "ABOUT")
    return out


def _load_warnings(change: Change) -> list[Warning]:
    after = change.after
    if after.status not in ("over", "high"):
        return []
    word = "over capacity" if after.status == "over" else "close to capacity"
    who = "This public" if change.label == "Public" else "This intermediary"
    message = (f"{change.name} would be {word}: {after.units:g} burden units against a capacity of "
               f"{after.capacity:g} (ratio {after.ratio:.2f}), from {len(after.engagements)} engagements by "
               f"{len(after.producers)} producers. {who} is at risk of consultation fatigue.")
    return [Warning(after.status, change.id, change.name, message,
                    [{"id": c.engagement, "name": c.name, "units": c.units} for c in after.engagements])]


def check(graph, data: dict, settings: dict) -> CheckResult:
    """Check a draft engagement against the registry; nothing is saved.

    ``data`` has ``method``, ``start``, optional ``end``, ``publics`` (ids),
    ``intermediaries`` (ids of intermediaries or user groups), ``on`` (statistic
    or topic ids), ``producer``, ``remunerated``, ``participants`` and ``name``.
    """
    draft = parse_draft(data, graph)
    c = burden.conf(settings)
    as_of = draft.start
    record = draft.record(graph)
    publics = [_change(graph, p, as_of, settings, record) for p in draft.publics]
    gatekeepers = [_change(graph, i, as_of, settings, record) for i in draft.intermediaries]
    warnings: list[Warning] = []
    suggestions: list[Suggestion] = []
    covered = burden.coverage(graph, as_of, settings)
    if covered.too_few:
        warnings.append(Warning(
            "coverage", "", "",
            f"{covered.message} A check that finds nothing wrong cannot tell you that these publics are not "
            "already being asked too often: ask the intermediaries and other producers what they have done."))
    for change in publics + gatekeepers:
        warnings += _load_warnings(change)
    subjects = _subjects(graph, draft.on)
    join_up_days = int(c["join_up_days"])
    chosen_after = {ch.id: ch.after.ratio for ch in gatekeepers}
    for change in publics:
        node = graph.nodes[change.id]
        rest = model.parse_date(node.get("rest_until"))
        if rest and draft.start < rest:
            warnings.append(Warning("rest_until", change.id, change.name,
                                    f"{change.name} should not be approached before {rest.isoformat()}: "
                                    f"the registry asks producers to let this public rest."))
        engaged = [src for src, _d, key, attrs in graph.in_edges(change.id, keys=True, data=True)
                   if key == "INVOLVED" and graph.nodes[src].get("label") == "Engagement"
                   and burden.confirmed(attrs)]
        planned, evidence = [], []
        for eng in engaged:
            info = _summary(graph, eng)
            start = model.parse_date(info["start"])
            if start is None:
                continue
            status = info["status"] or "held"
            if status == "planned":
                other = draft.producer is None or info["producer"] != draft.producer
                if other and abs((start - draft.start).days) <= join_up_days:
                    planned.append(info)
            elif status in burden.COUNTED and start <= draft.start and subjects:
                on = {dst for _s, dst, key in graph.out_edges(eng, keys=True) if key == "ON"}
                if on & subjects and feedback_given(graph.nodes[eng], draft.start):
                    evidence.append(info)
        if planned:
            names = "; ".join(f"{p['name']} ({p['producer_name'] or 'producer not recorded'}, from "
                              f"{p['start']})" for p in planned)
            warnings.append(Warning("join_up", change.id, change.name,
                                    f"Other producers plan to engage {change.name} within {join_up_days} days: "
                                    f"{names}. Join up with them rather than approach the same people twice.",
                                    planned))
        if evidence:
            suggestions.append(Suggestion(
                "use_existing_evidence",
                f"Use existing evidence: {len(evidence)} earlier engagement"
                f"{'s' if len(evidence) != 1 else ''} with {change.name} on the same subject "
                f"published findings. Read them before asking again.",
                change.id, change.name, engagements=sorted(evidence, key=lambda e: e["start"], reverse=True)))
        reachers = []
        for src, _d, key, attrs in graph.in_edges(change.id, keys=True, data=True):
            if key != "REACHES" or src in chosen_after:
                continue
            score = burden.score_node(graph, src, as_of, settings)
            if score.status != "ok":
                continue
            if chosen_after and score.ratio >= min(chosen_after.values()):
                continue
            judged = judgement_of(attrs, settings) or {}  # an editor's strength and trust count only with a source
            reachers.append({"id": src, "name": score.name, "units": score.units, "ratio": score.ratio,
                             "status": score.status, "strength": judged.get("strength"),
                             "trust": judged.get("trust")})
        if reachers:
            reachers.sort(key=lambda r: (r["ratio"], -float(r["strength"] or 0), r["name"].lower()))
            reachers = reachers[:int(c["max_intermediary_suggestions"])]
            suggestions.append(Suggestion(
                "less_loaded_intermediary",
                f"Less-loaded intermediaries also reach {change.name}: "
                + ", ".join(f"{r['name']} (ratio {r['ratio']:.2f})" for r in reachers) + ".",
                change.id, change.name, intermediaries=reachers))
    if not draft.remunerated:
        factor = float(c["remunerated_factor"])
        suggestions.append(Suggestion(
            "remunerate",
            "Pay or reward participants: this engagement offers no remuneration. Answer \"what is in it for "
            f"me?\" — a remunerated engagement counts ×{factor:g} towards the burden."))
    return CheckResult(draft, as_of, publics, gatekeepers, warnings, suggestions, covered)
