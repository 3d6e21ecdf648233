"""User needs: their lifecycle, their history, and the prioritised waiting list.

A need is recorded as a user-need statement ("As a …, I need …, so that …", the
OSR toolkit's tip 5), raised by publics, intermediaries or user groups
(RAISED_BY), about statistics or topics (CONCERNS) and owned by producers
(OWNED_BY). Its status moves through a lifecycle; "not taken forward" needs the
reason. The history is read from the store's audit trail, never kept twice.

>>> need = {"id": "need.a", "label": "Need", "name": "A", "status": "captured",
...         "statement": "As a carer, I need local figures, so that I can plan."}
>>> change_status(need, "under_review")["status"]
'under_review'
>>> change_status(need, "not_taken_forward")
Traceback (most recent call last):
...
graph.errors.InvalidRecord: need 'need.a': decision_reason: give the reason when a need is not taken forward
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field, replace

import networkx as nx

from . import model
from .errors import InvalidRecord, Problem
from .settings import section_of
from .walk import narrower_topics, producer_and_parts

STATUSES = model.NEED_STATUSES
OPEN = ("captured", "under_review", "planned", "in_progress")
STATUS_WORDS = model.NEED_STATUS_WORDS
TRANSITIONS = model.NEED_TRANSITIONS  # the lifecycle is a model rule, checked by the store on every write
TRACKED = ("status", "priority", "decision_reason", "response", "statement")
STATEMENT_PARTS = re.compile(
    r"^\s*as\s+(?:an?\s+|someone\s+)?(?P<as_a>.+?),\s*i\s+(?:need|want)\s+(?P<i_need>.+?),?\s+"
    r"so\s+(?:that\s+|i\s+can\s+)?(?P<so_that>.+?)\.?\s*$", re.IGNORECASE | re.DOTALL)


def _where(need_id: str | None) -> str:
    return f"need '{need_id}'" if need_id else "new need"


# -- statements ---------------------------------------------------------------

def split_statement(statement: str) -> tuple[str, str, str] | None:
    """The three parts of a user-need statement, or None when it is not in that shape.

    >>> split_statement("As a carer, I need local figures, so that I can plan my week.")
    ('carer', 'local figures', 'I can plan my week')
    >>> split_statement("Please publish more data") is None
    True
    """
    match = STATEMENT_PARTS.match(statement or "")
    if not match:
        return None
    return match["as_a"].strip(), match["i_need"].strip(), match["so_that"].strip()


def compose_statement(as_a: str, i_need: str, so_that: str) -> str:
    """One statement from its three parts; the words "As a", "I need" and "so that" may be left out.

    >>> compose_statement("carer", "local figures", "I can plan")
    'As a carer, I need local figures, so that I can plan.'
    >>> compose_statement("As an adviser", "I need a named contact", "so that I am not passed around.")
    'As an adviser, I need a named contact, so that I am not passed around.'
    """
    who = re.sub(r"^\s*as\s+(?:an?\s+)?", "", as_a.strip(), flags=re.I).strip(" ,")
    what = re.sub(r"^\s*i\s+(?:need|want)\s+", "", i_need.strip(), flags=re.I).strip(" ,")
    why = re.sub(r"^\s*so\s+(?:that\s+)?", "", so_that.strip(), flags=re.I).strip(" ,.")
    article = "an" if who[:1].lower() in "aeiou" else "a"
    return f"As {article} {who}, I need {what}, so that {why}."


def statement_from(fields: dict, need_id: str | None = None) -> str:
    """The statement from ``statement``, or from ``as_a``/``i_need``/``so_that``; refused naming the field.

    >>> statement_from({"as_a": "carer", "i_need": "x", "so_that": "y"})
    'As a carer, I need x, so that y.'
    >>> statement_from({"as_a": "carer"})
    Traceback (most recent call last):
    ...
    graph.errors.InvalidRecord: new need: i_need: enter what they need (and 1 more)
    """
    where = _where(need_id)
    statement = (fields.get("statement") or "").strip()
    parts = {k: (fields.get(k) or "").strip() for k in ("as_a", "i_need", "so_that")}
    if statement:
        if not model.NEED_STATEMENT.match(statement):
            raise InvalidRecord([Problem(where, "statement", 'must read "As a …, I need …, so that …" '
                                                             "(or give as_a, i_need and so_that)")])
        return statement
    missing = {"as_a": "enter who has the need", "i_need": "enter what they need",
               "so_that": "enter what it will let them do"}
    problems = [Problem(where, k, msg) for k, msg in missing.items() if not parts[k]]
    if problems:
        if not any(parts.values()):
            problems = [Problem(where, "statement", 'enter the need as "As a …, I need …, so that …"')]
        raise InvalidRecord(problems)
    return compose_statement(parts["as_a"], parts["i_need"], parts["so_that"])


def new_need_id(name: str, taken) -> str:
    """A readable id for a new need, unique among ``taken`` (a container of ids).

    >>> new_need_id("Local figures for carers!", {"need.local-figures-for-carers"})
    'need.local-figures-for-carers-2'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-") or "need"
    base = f"need.{slug}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def build_need(fields: dict, today: _dt.date, taken=()) -> tuple[dict, list[dict]]:
    """The record and relationships for a new need from form or API fields.

    ``fields``: ``statement`` or ``as_a``/``i_need``/``so_that``; optional ``id``, ``name``,
    ``priority``, ``raised``, ``response``; lists of ids ``raised_by``, ``concerns``, ``owned_by``.
    The store checks the ends of each relationship exist and have the right labels.

    >>> rec, edges = build_need({"as_a": "carer", "i_need": "local figures", "so_that": "I can plan",
    ...                          "owned_by": ["ons"]}, _dt.date(2026, 11, 21))
    >>> rec["id"], rec["status"], rec["raised"], edges
    ('need.local-figures', 'captured', '2026-11-21', [{'type': 'OWNED_BY', 'from': 'need.local-figures', 'to': 'ons'}])
    """
    statement = statement_from(fields, fields.get("id"))
    parts = split_statement(statement)
    name = (fields.get("name") or "").strip()
    if not name:
        what = parts[1] if parts else statement
        name = what[:1].upper() + what[1:]
        if len(name) > 120:
            name = name[:117].rsplit(" ", 1)[0] + "…"
    need_id = (fields.get("id") or "").strip() or new_need_id(parts[1] if parts else name, taken)
    record = {"id": need_id, "label": "Need", "name": name, "statement": statement, "status": "captured",
              "raised": fields.get("raised") or today.isoformat()}
    for key in ("priority", "response", "source", "description"):
        if fields.get(key) not in (None, ""):
            record[key] = fields[key]
    edges = []
    for key, type_ in (("raised_by", "RAISED_BY"), ("concerns", "CONCERNS"), ("owned_by", "OWNED_BY")):
        for target in dict.fromkeys(fields.get(key) or []):
            edges.append({"type": type_, "from": need_id, "to": target})
    problems = model.validate_node(record)
    if problems:
        raise InvalidRecord(problems)
    return record, edges


# -- the lifecycle -------------------------------------------------------------

def change_status(need: dict, status: str, reason: str | None = None, response: str | None = None) -> dict:
    """The need's record after moving it to ``status``; refused when the move is not allowed.

    ``reason`` is required for ``not_taken_forward`` and kept as ``decision_reason``;
    ``response`` (what was decided or done) may accompany any move.

    >>> n = {"id": "need.a", "label": "Need", "name": "A", "statement": "s", "status": "delivered"}
    >>> change_status(n, "planned")
    Traceback (most recent call last):
    ...
    graph.errors.InvalidRecord: need 'need.a': status: a delivered need cannot move to planned; record a new need instead
    >>> n2 = change_status(dict(n, status="captured"), "not_taken_forward", reason="No budget this year")
    >>> n2["status"], n2["decision_reason"]
    ('not_taken_forward', 'No budget this year')
    >>> "decision_reason" in change_status(n2, "under_review")
    False
    """
    where = _where(need.get("id"))
    current = need.get("status") or "captured"
    if status not in STATUSES:
        raise InvalidRecord([Problem(where, "status", "must be one of: " + ", ".join(STATUSES))])
    refused = model.need_move_problem(current, status)
    if refused:
        raise InvalidRecord([Problem(where, "status", refused)])
    reason = (reason or "").strip()
    response = (response or "").strip()
    if status == "not_taken_forward" and not reason:
        raise InvalidRecord([Problem(where, "decision_reason", "give the reason when a need is not taken forward")])
    record = {k: v for k, v in need.items() if k != "version"}
    record["status"] = status
    if status == "not_taken_forward":
        record["decision_reason"] = reason
    else:
        record.pop("decision_reason", None)
    if response:
        record["response"] = response
    return record


def model_word(status: str) -> str:
    """A status in words, lower case.

    >>> model_word("not_taken_forward")
    'not taken forward'
    """
    return STATUS_WORDS.get(status, status).lower()


# -- the history ---------------------------------------------------------------

@dataclass
class HistoryEntry:
    date: str                   # YYYY-MM-DD
    event: str                  # raised | recorded | status | updated
    status: str | None
    previous: str | None = None
    changed: list[str] = field(default_factory=list)
    reason: str | None = None
    response: str | None = None
    at: str | None = None       # the audit time, when the entry comes from the audit trail

    def as_dict(self) -> dict:
        return {"date": self.date, "event": self.event, "status": self.status, "previous": self.previous,
                "changed": self.changed, "reason": self.reason, "response": self.response, "at": self.at}


def history(need: dict, audit: list[dict]) -> list[HistoryEntry]:
    """Every change to a need, oldest first, from its audit entries (the store's, newest first).

    Needs written by a bulk import have no per-record entries; their history starts
    with the date the need was raised and the status it was imported with.

    >>> need = {"id": "n", "status": "planned", "raised": "2026-01-05", "statement": "s"}
    >>> audit = [
    ...   {"seq": 3, "at": "2026-03-01T10:00:00+00:00", "action": "status: update",
    ...    "before": {"status": "under_review", "statement": "s"}, "after": {"status": "planned", "statement": "s"}},
    ...   {"seq": 2, "at": "2026-02-01T10:00:00+00:00", "action": "status: update",
    ...    "before": {"status": "captured", "statement": "s"}, "after": {"status": "under_review", "statement": "s"}}]
    >>> [(h.date, h.event, h.status) for h in history(need, audit)]
    [('2026-01-05', 'raised', 'captured'), ('2026-02-01', 'status', 'under_review'), ('2026-03-01', 'status', 'planned')]
    """
    entries = sorted((e for e in audit if e.get("after") is not None or e.get("before") is not None),
                     key=lambda e: e.get("seq") or 0)
    out: list[HistoryEntry] = []
    created = next((e for e in entries if e.get("before") is None and e.get("after")), None)
    if created is None:
        first = next((e["before"] for e in entries if e.get("before")), None) or need
        out.append(HistoryEntry(date=need.get("raised") or (entries[0]["at"][:10] if entries else ""),
                                event="raised", status=first.get("status") or "captured"))
    for entry in entries:
        before, after = entry.get("before"), entry.get("after")
        day = (entry.get("at") or "")[:10]
        if after is None:
            continue  # deleted: the page is gone with it
        if before is None:
            out.append(HistoryEntry(date=after.get("raised") or day, event="recorded",
                                    status=after.get("status") or "captured", at=entry.get("at"),
                                    response=after.get("response")))
            continue
        changed = [k for k in TRACKED if before.get(k) != after.get(k)]
        if not changed:
            continue
        status_moved = before.get("status") != after.get("status")
        out.append(HistoryEntry(
            date=day, event="status" if status_moved else "updated", status=after.get("status") or "captured",
            previous=before.get("status") if status_moved else None, changed=changed, at=entry.get("at"),
            reason=after.get("decision_reason") if "decision_reason" in changed or status_moved else None,
            response=after.get("response") if "response" in changed else None))
    return out


# -- the waiting list ----------------------------------------------------------

@dataclass
class Ref:
    id: str
    name: str
    label: str
    seldom_heard: bool = False

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "label": self.label, "seldom_heard": self.seldom_heard}


@dataclass
class Similar:
    id: str
    name: str
    status: str
    owners: list[Ref]
    score: float

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "status": self.status,
                "owners": [o.as_dict() for o in self.owners], "score": round(self.score, 1)}


@dataclass
class NeedItem:
    id: str
    name: str
    statement: str
    status: str
    priority: int | None
    raised: str | None
    support: float
    decision_reason: str | None
    response: str | None
    owners: list[Ref]
    raised_by: list[Ref]
    concerns: list[Ref]
    topics: list[str]             # ids of the topics it concerns, directly or through its statistics
    also_raised_with: list[Similar] = field(default_factory=list)
    rank: int = 0

    def as_dict(self) -> dict:
        return {"rank": self.rank, "id": self.id, "name": self.name, "statement": self.statement,
                "status": self.status, "priority": self.priority, "raised": self.raised,
                "support": round(self.support, 2), "decision_reason": self.decision_reason,
                "response": self.response, "owners": [r.as_dict() for r in self.owners],
                "raised_by": [r.as_dict() for r in self.raised_by],
                "concerns": [r.as_dict() for r in self.concerns],
                "also_raised_with": [s.as_dict() for s in self.also_raised_with]}


def needs_settings(settings: dict | None) -> dict:
    """The waiting list's settings (``graph.settings.DEFAULTS["needs"]`` with overrides).

    >>> needs_settings({})["seldom_heard_weight"]
    2.0
    """
    given = section_of(settings, "needs")
    return {"seldom_heard_weight": float(given["seldom_heard_weight"]),
            "similar_min_ratio": float(given["similar_min_ratio"]), "unset_priority": int(given["unset_priority"])}


def _refs(graph: nx.MultiDiGraph, node: str, type_: str) -> list[Ref]:
    refs = []
    for _, other, key in graph.out_edges(node, keys=True):
        if key == type_:
            rec = graph.nodes[other]
            refs.append(Ref(other, rec.get("name", other), rec.get("label", ""),
                            bool(rec.get("label") == "Public" and rec.get("seldom_heard"))))
    return sorted(refs, key=lambda r: r.name.lower())


def topics_of(graph: nx.MultiDiGraph, node: str) -> list[str]:
    """The topics a need (or engagement) is about: those it CONCERNS (or is ON) and those of its statistics."""
    topics: dict[str, None] = {}
    for _, other, key in graph.out_edges(node, keys=True):
        if key not in ("CONCERNS", "ON"):
            continue
        label = graph.nodes[other].get("label")
        if label == "Topic":
            topics[other] = None
        elif label == "Statistic":
            for _, t, k in graph.out_edges(other, keys=True):
                if k == "ABOUT":
                    topics[t] = None
    return list(topics)


def need_item(graph: nx.MultiDiGraph, need_id: str, settings: dict | None = None) -> NeedItem:
    """One need with its owners, who raised it, what it concerns, and its support."""
    cfg = needs_settings(settings)
    rec = graph.nodes[need_id]
    raised_by = _refs(graph, need_id, "RAISED_BY")
    support = sum(cfg["seldom_heard_weight"] if r.seldom_heard else 1.0 for r in raised_by)
    return NeedItem(
        id=need_id, name=rec.get("name", need_id), statement=rec.get("statement", ""),
        status=rec.get("status") or "captured", priority=rec.get("priority"), raised=rec.get("raised"),
        support=support, decision_reason=rec.get("decision_reason"), response=rec.get("response"),
        owners=_refs(graph, need_id, "OWNED_BY"), raised_by=raised_by, concerns=_refs(graph, need_id, "CONCERNS"),
        topics=topics_of(graph, need_id))


def sort_key(item: NeedItem, settings: dict | None = None) -> tuple:
    """Owner's priority (1 first; unset after 5), then support (more first), then age (older first).

    >>> a = NeedItem("a", "A", "", "captured", 2, "2026-01-01", 1, None, None, [], [], [], [])
    >>> b = NeedItem("b", "B", "", "captured", 2, "2025-01-01", 3, None, None, [], [], [], [])
    >>> c = NeedItem("c", "C", "", "captured", None, "2020-01-01", 9, None, None, [], [], [], [])
    >>> [i.id for i in sorted([a, b, c], key=sort_key)]
    ['b', 'a', 'c']
    """
    cfg = needs_settings(settings)
    priority = item.priority if item.priority is not None else cfg["unset_priority"]
    raised = model.parse_date(item.raised) or _dt.date.max
    return priority, -item.support, raised, item.name.lower()


def similarity(a: str, b: str) -> float:
    """How alike two needs' "I need …" parts are, 0–100 (token-set similarity).

    >>> similarity("As a user, I need local data on disability, so that I can plan",
    ...            "As a charity, I need disability data for local areas, so that we can campaign") > 60
    True
    """
    from rapidfuzz import fuzz
    return fuzz.token_set_ratio(_compared(a), _compared(b), processor=None)


def _compared(statement: str) -> str:
    """The part of a need's statement that :func:`similarity` compares ("I need …"), normalised."""
    from rapidfuzz import utils
    parts = split_statement(statement)
    return utils.default_process(parts[1] if parts else statement)


def join_up(items: list[NeedItem], settings: dict | None = None) -> None:
    """Fill ``also_raised_with``: needs on a shared topic, alike in what is needed, owned by other producers."""
    from rapidfuzz import fuzz
    cfg = needs_settings(settings)
    compared = {item.id: _compared(item.statement) for item in items}  # once per need, not per pair
    by_topic: dict[str, list[NeedItem]] = {}
    for item in items:
        for topic in item.topics:
            by_topic.setdefault(topic, []).append(item)
    for item in items:
        owners = {o.id for o in item.owners}
        seen: set[str] = set()
        for topic in item.topics:
            for other in by_topic[topic]:
                if other.id == item.id or other.id in seen:
                    continue
                seen.add(other.id)
                if not ({o.id for o in other.owners} - owners):
                    continue  # the same producers already hold both
                score = fuzz.token_set_ratio(compared[item.id], compared[other.id], processor=None)
                if score >= cfg["similar_min_ratio"]:
                    item.also_raised_with.append(Similar(other.id, other.name, other.status,
                                                         [o for o in other.owners if o.id not in owners], score))
        item.also_raised_with.sort(key=lambda s: (-s.score, s.id))  # ties by id: the same order however read


@dataclass
class WaitingList:
    items: list[NeedItem]
    filters: dict
    total_open: int

    def as_dict(self) -> dict:
        return {"filters": self.filters, "count": len(self.items), "total_open": self.total_open,
                "needs": [i.as_dict() for i in self.items]}


def joined_items(graph: nx.MultiDiGraph, settings: dict | None = None) -> list[NeedItem]:
    """Every need as the waiting list shows it, joined up with the similar needs of other producers.

    The whole-registry step behind the list and each need's page; the app computes it once per
    revision (``registry.cache.joined_needs``) and passes it as ``joined``. Callers must not change
    the items: :func:`waiting_list` ranks copies.
    """
    items = [need_item(graph, n, settings) for n, rec in graph.nodes(data=True) if rec.get("label") == "Need"]
    join_up(items, settings)
    return items


def waiting_list(graph: nx.MultiDiGraph, settings: dict | None = None, status: str | None = None,
                 producer: str | None = None, topic: str | None = None,
                 statistic: str | None = None, joined: list[NeedItem] | None = None) -> WaitingList:
    """The prioritised waiting list: open needs (or those of ``status``) in priority order.

    ``producer`` includes the teams PART_OF it; ``topic`` includes narrower topics and
    the statistics about them; ``statistic`` is a statistic the need CONCERNS.

    >>> g = nx.MultiDiGraph()
    >>> for i, p, r in (("n1", 2, "2026-01-01"), ("n2", 1, "2026-02-01"), ("n3", 2, "2025-01-01")):
    ...     g.add_node(i, id=i, label="Need", name=i, statement="s", status="captured", priority=p, raised=r)
    >>> g.add_node("p", id="p", label="Public", name="P", seldom_heard=True)
    >>> g.add_edge("n1", "p", key="RAISED_BY")
    'RAISED_BY'
    >>> [i.id for i in waiting_list(g).items]
    ['n2', 'n1', 'n3']
    """
    if status is not None and status not in STATUSES:
        raise InvalidRecord([Problem("waiting list", "status", "must be one of: " + ", ".join(STATUSES))])
    wanted = (status,) if status else OPEN
    all_items = joined if joined is not None else joined_items(graph, settings)
    total_open = sum(1 for i in all_items if i.status in OPEN)
    items = [i for i in all_items if i.status in wanted]
    if producer:
        owners = producer_and_parts(graph, producer)
        items = [i for i in items if any(o.id in owners for o in i.owners)]
    if topic:
        topics = narrower_topics(graph, topic)
        items = [i for i in items if topics.intersection(i.topics)]
    if statistic:
        items = [i for i in items if any(c.id == statistic for c in i.concerns)]
    items = [replace(item, rank=rank) for rank, item in
             enumerate(sorted(items, key=lambda i: sort_key(i, settings)), start=1)]
    filters = {k: v for k, v in (("status", status), ("producer", producer), ("topic", topic),
                                 ("statistic", statistic)) if v}
    return WaitingList(items, filters, total_open)


def need_detail(graph: nx.MultiDiGraph, need_id: str, settings: dict | None = None,
                joined: list[NeedItem] | None = None) -> NeedItem:
    """One need as the waiting list shows it, with the similar needs raised with other producers."""
    from .errors import NodeNotFound
    if need_id not in graph or graph.nodes[need_id].get("label") != "Need":
        raise NodeNotFound(need_id)
    items = joined if joined is not None else joined_items(graph, settings)
    return next(i for i in items if i.id == need_id)
