"""The one interface every store implements, and the parts they share.

A store holds the registry and answers a small set of questions; everything
else (signposting, discovery, burden, maps) is pure functions over the
networkx graphs it returns. Writes arrive as one :class:`Change`, validated
against the model *inside* the store's transaction and applied whole or not at
all, so the importer, the API and the CLI share one write path.
"""
from __future__ import annotations

import abc
import logging
import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, TypeVar

import networkx as nx

from .. import model
from ..errors import InvalidRecord, Problem

Triple = tuple[str, str, str]
T = TypeVar("T")
META_KEYS = ("version",)
PROGRESS_EVERY = 5000
# The change log: a change of more writes than this is logged as "reload" (a reader loads the
# registry afresh rather than replaying a bulk import), and the newest LOG_KEEP changes are kept.
LOG_MAX_WRITES = 5000
LOG_KEEP = 2000


@dataclass
class Change:
    """One batch of writes, applied in one transaction.

    ``put_nodes`` replaces each record's properties wholesale (upsert by id);
    ``put_edges`` upserts by (type, from, to). ``expect`` maps ids to the
    version the caller last read (0: the record must not exist yet), for
    optimistic locking. ``audit`` is "records" (before/after of each record)
    or "summary" (one entry with counts, for bulk imports). ``id`` is recorded with the
    revision the change commits as, so when the answer to a commit is lost the store can read
    back whether it was saved (:meth:`GraphStore.change_saved`).
    """

    put_nodes: list[dict] = field(default_factory=list)
    put_edges: list[dict] = field(default_factory=list)
    delete_nodes: list[str] = field(default_factory=list)
    delete_edges: list[Triple] = field(default_factory=list)
    expect: dict[str, int] = field(default_factory=dict)
    actor: str = "system"
    action: str = "write"
    audit: str = "records"
    # CSV line of each record, so messages can point at it (None: not from CSV).
    node_lines: list[int] | None = field(default=None, repr=False)
    edge_lines: list[int] | None = field(default=None, repr=False)
    # Told (stage, done, total) as a long change is checked and written.
    progress: Callable[[str, int, int], None] | None = field(default=None, repr=False, compare=False)
    id: str = field(default_factory=lambda: uuid.uuid4().hex, compare=False)

    def report(self, stage: str, done: int) -> None:
        if self.progress:
            self.progress(stage, done, len(self))

    def __len__(self) -> int:
        return len(self.put_nodes) + len(self.put_edges) + len(self.delete_nodes) + len(self.delete_edges)


@dataclass
class WriteResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    edges_written: int = 0
    edges_deleted: int = 0
    revision: int = 0
    versions: dict[str, int] = field(default_factory=dict)
    # What the change did, as the change log holds it (None when nothing changed).
    log: dict | None = field(default=None, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.edges_written or self.edges_deleted)


def strip_meta(node: dict) -> dict:
    """A node record as the import document has it (no store bookkeeping).

    >>> strip_meta({"id": "a", "label": "Topic", "name": "A", "version": 3})
    {'id': 'a', 'label': 'Topic', 'name': 'A'}
    """
    return {k: v for k, v in node.items() if k not in META_KEYS}


@dataclass
class NodePlan:
    """What a change does to nodes, worked out from the records as they were before it.

    Both stores compute this the same way inside their transaction and then only
    differ in how they write ``inserts``, ``updates`` (record, new version) and
    ``deletes``.
    """

    inserts: list[dict]
    updates: list[tuple[dict, int]]
    deletes: list[str]
    audit: list[tuple]  # (kind, target, before, after)
    result: WriteResult


def _same(old: dict, new: dict) -> bool:
    return old["name"] == new["name"] and model.node_props(strip_meta(old)) == model.node_props(new)


def plan_nodes(change: Change, before: dict[str, dict]) -> NodePlan:
    """Check the expected versions and sort each node into create, update or unchanged.

    ``before`` holds the stored records (with ``version``) for every id the change
    touches. Raises DuplicateNode / VersionConflict / NodeNotFound, so the store's
    transaction rolls back.

    >>> plan = plan_nodes(Change(put_nodes=[{"id": "a", "label": "Topic", "name": "A"},
    ...                                     {"id": "b", "label": "Topic", "name": "B2"}]),
    ...                   {"b": {"id": "b", "label": "Topic", "name": "B", "version": 3}})
    >>> [r["id"] for r in plan.inserts], [(r["id"], v) for r, v in plan.updates], plan.result.versions
    (['a'], [('b', 4)], {'a': 1, 'b': 4})
    """
    from ..errors import DuplicateNode, NodeNotFound, VersionConflict
    for node_id, expected in change.expect.items():
        actual = before.get(node_id, {}).get("version")
        if expected == 0 and actual is not None:
            raise DuplicateNode(node_id)
        if expected and actual != expected:
            raise VersionConflict(node_id, expected, actual)
    result, inserts, updates, audit = WriteResult(), [], [], []
    for record in change.put_nodes:
        record = strip_meta(record)
        old = before.get(record["id"])
        if old is None:
            inserts.append(record)
            result.created += 1
            result.versions[record["id"]] = 1
            audit.append(("create", record["id"], None, record))
        elif _same(old, record):
            result.unchanged += 1
            result.versions[record["id"]] = old["version"]
        else:
            updates.append((record, old["version"] + 1))
            result.updated += 1
            result.versions[record["id"]] = old["version"] + 1
            audit.append(("update", record["id"], strip_meta(old), record))
    for node_id in change.delete_nodes:
        if node_id not in before:
            raise NodeNotFound(node_id)
        audit.append(("delete", node_id, strip_meta(before[node_id]), None))
    result.deleted = len(change.delete_nodes)
    return NodePlan(inserts, updates, list(change.delete_nodes), audit, result)


def rule_problems(change: Change, before: dict[str, dict], fetch: Callable[[list[str]], dict[str, dict]],
                  involved: Callable[[Iterable[str]], Iterable[tuple[str, str]]]) -> list[Problem]:
    """The model's rules over the registry as the change would leave it, checked in the store's transaction.

    A stored record may only become what :func:`model.transition_problems` allows (a need follows
    its lifecycle), and an engagement held or reported afterwards involves at least one public —
    whether the change creates it, moves its status, drops its INVOLVED relationships or deletes
    its public. ``before`` holds the stored records the change touches, ``fetch(ids)`` reads others
    and ``involved(ids)`` gives the stored INVOLVED (engagement, public) pairs touching any of ``ids``.

    >>> eng = {"id": "e", "label": "Engagement", "name": "E", "method": "survey", "start": "2024-01-01",
    ...        "status": "held"}
    >>> pairs = {("e", "p")}
    >>> def involved(ids): return [pair for pair in pairs if set(pair) & set(ids)]
    >>> [str(p) for p in rule_problems(Change(put_nodes=[eng]), {}, lambda ids: {}, lambda ids: [])]
    ["node 'e': INVOLVED: a held or reported engagement must involve at least one public"]
    >>> rule_problems(Change(put_nodes=[eng], put_edges=[{"type": "INVOLVED", "from": "e", "to": "p"}]),
    ...               {}, lambda ids: {}, lambda ids: [])
    []
    >>> [str(p) for p in rule_problems(Change(delete_nodes=["p"]), {"p": {"id": "p", "label": "Public"}},
    ...                                lambda ids: {"e": eng}, involved)]
    ["node 'e': INVOLVED: a held or reported engagement must involve at least one public"]
    """
    lines = change.node_lines or []
    problems: list[Problem] = []
    after: dict[str, tuple[dict, int | None]] = {}
    for i, record in enumerate(change.put_nodes):
        line = lines[i] if i < len(lines) else None
        problems += model.transition_problems(before.get(record["id"]), record, line)
        after[record["id"]] = (record, line)
    deleted = set(change.delete_nodes)
    dropped = {(f, t) for type_, f, t in change.delete_edges if type_ == "INVOLVED"}
    added = {(e["from"], e["to"]) for e in change.put_edges if e["type"] == "INVOLVED"}
    engagements = {rid for rid, (record, _) in after.items() if model.must_involve_public(record)}
    engagements |= {f for f, _ in dropped}
    gone_publics = {rid for rid in deleted if before.get(rid, {}).get("label") == "Public"}
    engagements -= deleted
    if not engagements and not gone_publics:
        return problems
    # An engagement this change creates has no stored relationships yet: only ask about the others
    # (an import creates thousands and none is stored).
    stored = set(involved({e for e in engagements if e in before or e not in after} | gone_publics))
    orphaned = {e for e, p in stored if p in gone_publics} - engagements - deleted
    if orphaned:
        stored |= set(involved(orphaned))
        engagements |= orphaned
    unread = [e for e in engagements if e not in after and e not in before]
    records = {**before, **(fetch(unread) if unread else {})}
    kept: dict[str, set[str]] = {}  # engagement -> its stored publics that stay (by engagement: an import has thousands)
    for e, p in stored:
        if (e, p) not in dropped and p not in deleted:
            kept.setdefault(e, set()).add(p)
    gaining = {e for e, _ in added}
    for eng in sorted(engagements):
        record, line = after.get(eng, (records.get(eng), None))
        if not model.must_involve_public(record):
            continue
        if not kept.get(eng) and eng not in gaining:
            problems.append(Problem(model.node_where(record, line), "INVOLVED", model.ENGAGEMENT_NEEDS_PUBLIC))
    return problems


def edge_audit_rows(change: Change, result: WriteResult) -> list[tuple]:
    """Audit rows for the edges of a record-level change (summary changes log counts only)."""
    if change.audit != "records":
        return []
    rows = [("link", f"{e['type']}:{e['from']}->{e['to']}", None, e) for e in change.put_edges] \
        if result.edges_written else []
    return rows + [("unlink", f"{t[0]}:{t[1]}->{t[2]}", None, None) for t in change.delete_edges]


def log_entry(change: Change, plan: NodePlan) -> dict:
    """What a committed change did, as the change log keeps it: each record put as it is now
    stored (with its version), the ids deleted, the relationships put and the ones removed; or
    ``{"reload": True}`` for a change too large to replay (a bulk import).

    Readers replay entries in revision order to keep an in-memory copy of the registry exact
    (:mod:`graph.readmodel`).

    >>> plan = plan_nodes(Change(put_nodes=[{"id": "a", "label": "Topic", "name": "A", "tags": None}]), {})
    >>> log_entry(Change(put_nodes=[{"id": "a", "label": "Topic", "name": "A"}],
    ...                  put_edges=[{"type": "BROADER", "from": "a", "to": "b", "note": None}]), plan)
    {'nodes': [{'id': 'a', 'label': 'Topic', 'name': 'A', 'version': 1}], 'deleted': [], 'edges': [{'type': 'BROADER', 'from': 'a', 'to': 'b'}], 'unlinked': []}
    """
    if len(change) > LOG_MAX_WRITES:
        return {"reload": True}
    put = [(r, 1) for r in plan.inserts] + plan.updates
    return {"nodes": [{"id": r["id"], "label": r["label"], "name": r["name"],
                       **dict(sorted(model.node_props(r).items())), "version": v} for r, v in put],
            "deleted": list(plan.deletes),
            "edges": [{"type": e["type"], "from": e["from"], "to": e["to"], **dict(sorted(model.edge_props(e).items()))}
                      for e in change.put_edges],
            "unlinked": [list(t) for t in change.delete_edges]}


def complete_log(revision: int, current: int, rows: list[tuple[int, dict]]) -> list[tuple[int, dict]] | None:
    """The entries after ``revision`` if they are all there, one per revision up to ``current`` at
    least, none saying "reload"; else None (the reader loads afresh).

    >>> complete_log(3, 5, [(4, {}), (5, {})]), complete_log(3, 5, [(5, {})]), complete_log(3, 4, [(4, {"reload": True})])
    ([(4, {}), (5, {})], None, None)
    """
    if [r for r, _ in rows] != list(range(revision + 1, revision + 1 + len(rows))) \
            or revision + len(rows) < current or any(e.get("reload") for _, e in rows):
        return None
    return rows


def behind(revision: int, current: int, rows: list[tuple[int, dict]]) -> bool:
    """Whether an incomplete log (:func:`complete_log` said None) is only not visible yet: its entries
    follow ``revision`` without a gap, none says "reload", and the newest ``LOG_KEEP`` would still
    reach back. Neo4j shows a commit to a concurrent reader piece by piece (the revision before the
    entry written with it), so a reader can see the new revision and not yet its entry.

    >>> behind(3, 4, []), behind(3, 5, [(4, {})]), behind(3, 5, [(5, {})]), behind(3, 4, [(4, {"reload": True})])
    (True, True, False, False)
    >>> behind(3, 3 + LOG_KEEP + 1, [])
    False
    """
    return [r for r, _ in rows] == list(range(revision + 1, revision + 1 + len(rows))) \
        and current - revision <= LOG_KEEP and not any(e.get("reload") for _, e in rows)


def audit_rows_for(change: Change, plan: NodePlan) -> list[dict]:
    """The audit entries a change leaves: one per record, or one summary for bulk changes.

    Each is ``{actor, action, target, before, after}`` with before/after as JSON text.
    """
    result = plan.result
    if change.audit == "summary":
        summary = {k: getattr(result, k) for k in
                   ("created", "updated", "unchanged", "deleted", "edges_written", "edges_deleted")}
        return [{"actor": change.actor, "action": change.action, "target": None, "before": None,
                 "after": json.dumps(summary)}]
    return [{"actor": change.actor, "action": f"{change.action}: {kind}", "target": target,
             "before": None if b is None else json.dumps(b, ensure_ascii=False),
             "after": None if a is None else json.dumps(a, ensure_ascii=False)}
            for kind, target, b, a in plan.audit + edge_audit_rows(change, result)]


def touched_ids(change: Change) -> list[str]:
    """Every node id whose stored record the change needs to see before writing."""
    return list({*(n["id"] for n in change.put_nodes if isinstance(n, dict)), *change.delete_nodes, *change.expect})


def validate_change(change: Change, labels_in_store: Callable[[Iterable[str]], dict[str, str]],
                    limit: int = 1000) -> list[Problem]:
    """Every problem with a change, against the model and the store's current records.

    ``labels_in_store(ids)`` returns the labels of those ids already stored. An edge
    may point at a node in the same change or already in the store; a node may not
    change its label; the same id twice in one change is refused.
    """
    problems: list[Problem] = []
    batch_labels: dict[str, str] = {}
    node_lines, edge_lines = change.node_lines or [], change.edge_lines or []
    for i, record in enumerate(change.put_nodes):
        if i % PROGRESS_EVERY == 0:
            change.report("checking", i)
        line = node_lines[i] if i < len(node_lines) else None
        problems += model.validate_node(record, line)
        rid = record.get("id") if isinstance(record, dict) else None
        if isinstance(rid, str):
            if rid in batch_labels:
                problems.append(Problem(model.node_where(record, line), "id",
                                        "appears more than once in this import"))
            elif isinstance(record.get("label"), str):
                batch_labels[rid] = record["label"]
        if len(problems) >= limit:
            return problems[:limit]
    deleted = set(change.delete_nodes)
    wanted = set(batch_labels) | deleted
    add = wanted.add
    for edge in change.put_edges:
        if isinstance(edge, dict):
            src, dst = edge.get("from"), edge.get("to")
            if isinstance(src, str):
                add(src)
            if isinstance(dst, str):
                add(dst)
    stored = labels_in_store(wanted) if wanted else {}
    for rid, label in batch_labels.items():
        if rid in stored and stored[rid] != label:
            problems.append(Problem(f"node '{rid}'", "label", f"is {label} here but the registry already has "
                                    f"'{rid}' as a {stored[rid]}; ids are unique across the registry"))
    labels = {**stored, **batch_labels}
    for rid in deleted:
        labels[rid] = None  # an edge may not point at a node deleted in the same change
    seen: set[Triple] = set()
    validate_edge, n_lines = model.validate_edge, len(edge_lines)
    for i, edge in enumerate(change.put_edges):
        if i % PROGRESS_EVERY == 0:
            change.report("checking", len(change.put_nodes) + i)
        line = edge_lines[i] if i < n_lines else None
        found = validate_edge(edge, labels, line)
        if found:
            problems += found
        if isinstance(edge, dict):
            key = (edge.get("type"), edge.get("from"), edge.get("to"))
            if isinstance(key[0], str) and isinstance(key[1], str) and isinstance(key[2], str):
                if key in seen:
                    problems.append(Problem(model.edge_where(edge, line), "", "appears more than once in this import"))
                seen.add(key)
        if len(problems) >= limit:
            break
    change.report("checking", len(change))
    return problems[:limit]


class GraphStore(abc.ABC):
    """The store contract. Implementations: :mod:`.sqlite` (embedded), :mod:`.neo4j`."""

    url: str

    def __init__(self) -> None:
        self._read_model = None
        self._read_model_lock = threading.Lock()

    # -- writes -----------------------------------------------------------
    def apply(self, change: Change) -> WriteResult:
        """Validate and apply a change in one transaction; raise and write nothing on any error.

        Once committed, this process's read model takes the change at once (no re-read). Should
        it fail to, the write is still done: it is logged, and the next read catches up from the
        change log instead, so a committed write is never reported as failed."""
        result = self._apply(change)
        if result.log is not None and self._read_model is not None:
            try:
                self._read_model.applied(result.revision, result.log)
            except Exception:
                logging.getLogger(__name__).exception("revision %s is committed; the read model will read it from "
                                                      "the change log", result.revision)
        return result

    @abc.abstractmethod
    def _apply(self, change: Change) -> WriteResult:
        """The store's transaction: validate, write, bump the revision, log the change and audit it."""

    def check(self, change: Change) -> list[Problem]:
        """The problems :meth:`apply` would refuse the change for, without writing."""
        problems = validate_change(change, self.labels_of)
        if problems:
            return problems
        return rule_problems(change, self.get_nodes(touched_ids(change)), self.get_nodes, self.involved_pairs)

    # -- reads ------------------------------------------------------------
    @abc.abstractmethod
    def change_saved(self, change_id: str) -> int | None:
        """The revision the change with this id committed as, or None if no kept revision has it
        (never committed, changed nothing, or older than the newest ``LOG_KEEP`` changes)."""

    @abc.abstractmethod
    def revision(self) -> int:
        """A number that grows with every write that changed something."""

    @abc.abstractmethod
    def get_nodes(self, ids: Iterable[str]) -> dict[str, dict]:
        """The records with these ids (missing ids are left out), each with its ``version``."""

    def get_node(self, node_id: str) -> dict | None:
        return self.get_nodes([node_id]).get(node_id)

    @abc.abstractmethod
    def involved_pairs(self, ids: Iterable[str]) -> list[tuple[str, str]]:
        """The stored INVOLVED relationships, as (engagement, public), that touch any of ``ids``."""

    @abc.abstractmethod
    def labels_of(self, ids: Iterable[str]) -> dict[str, str]:
        """The label of each of these ids that exists."""

    @abc.abstractmethod
    def list_nodes(self, label: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        """Records ordered by label then name, optionally of one label."""

    @abc.abstractmethod
    def count_nodes(self, label: str | None = None) -> int:
        ...

    @abc.abstractmethod
    def edges_of(self, node_id: str, direction: str = "both", types: Iterable[str] | None = None) -> list[dict]:
        """Edges touching a node as records ``{type, from, to, ...props}``; direction out|in|both."""

    @abc.abstractmethod
    def iter_nodes(self, batch: int = 5000) -> Iterator[dict]:
        """Every node record (without version), in id order, streamed."""

    @abc.abstractmethod
    def iter_edges(self, batch: int = 5000) -> Iterator[dict]:
        """Every edge record, in (type, from, to) order, streamed."""

    @abc.abstractmethod
    def counts(self) -> dict:
        """``{"nodes": {label: n}, "edges": {type: n}}``."""

    @abc.abstractmethod
    def search_text(self, text: str, label: str | None = None, limit: int = 20) -> list[dict]:
        """Records whose name, tags or description contain the words of ``text``."""

    @abc.abstractmethod
    def neighbourhood(self, ids: Iterable[str], depth: int = 1, types: Iterable[str] | None = None,
                      max_nodes: int | None = None) -> nx.MultiDiGraph:
        """The subgraph within ``depth`` hops of ``ids`` (either direction), following ``types`` only
        when given, stopping once ``max_nodes`` are reached; edges between the nodes included."""

    @abc.abstractmethod
    def changes_since(self, revision: int) -> list[tuple[int, dict]] | None:
        """The change log after ``revision``, oldest first, as ``(revision, entry)`` (see
        :func:`log_entry`); None when the log no longer reaches back that far (or an entry
        says "reload"), so the reader must load the registry afresh."""

    @abc.abstractmethod
    def load_state(self, build: Callable[[int, Iterable[dict], Iterable[tuple]], T]) -> T:
        """``build(revision, nodes, edges)`` over the whole registry read in one transaction, so the
        three agree: nodes are records with ``version``, edges ``(type, from, to, props)``. Streamed,
        so a large registry is never held twice."""

    def read_model(self):
        """This store's one in-memory read model (:class:`graph.readmodel.ReadModel`), made on first use."""
        if self._read_model is None:
            with self._read_model_lock:
                if self._read_model is None:
                    from ..readmodel import ReadModel
                    self._read_model = ReadModel(self)
        return self._read_model

    def snapshot(self):
        """The registry as of the store's current revision: caught up from the change log first."""
        return self.read_model().current()

    def graph(self) -> nx.MultiDiGraph:
        """The whole registry as a (frozen) MultiDiGraph, current as of this call."""
        return self.snapshot().graph

    # -- tokens and audit -------------------------------------------------
    @abc.abstractmethod
    def add_token(self, name: str, role: str, token_hash: str) -> None:
        """Store a token's hash under a unique name (DuplicateNode if the name is taken)."""

    @abc.abstractmethod
    def find_token(self, token_hash: str) -> dict | None:
        """``{name, role, created, revoked}`` for a live token with this hash."""

    @abc.abstractmethod
    def list_tokens(self) -> list[dict]:
        ...

    @abc.abstractmethod
    def revoke_token(self, name: str) -> bool:
        ...

    # Web sign-ins: one row per sign-in, named by the hash of the random id in its cookie, so signing
    # out ends every copy of that cookie and every app server on the store sees the same sign-ins.
    @abc.abstractmethod
    def add_session(self, sid_hash: str, token_hash: str, started: float, oldest: float) -> None:
        """Record a sign-in started at ``started`` (seconds since the epoch) for a token's hash; sign-ins
        started before ``oldest`` are forgotten in the same step."""

    @abc.abstractmethod
    def session_token(self, sid_hash: str, token_hash: str, oldest: float) -> dict | None:
        """The live token (as :meth:`find_token`) of a sign-in that has not ended, for this token's hash,
        started at or after ``oldest``; None otherwise."""

    @abc.abstractmethod
    def end_session(self, sid_hash: str) -> None:
        """End a sign-in (nothing happens when it has already ended)."""

    @abc.abstractmethod
    def audit_entries(self, target: str | None = None, limit: int = 100, before_seq: int | None = None) -> list[dict]:
        """Newest first: ``{seq, at, actor, action, target, before, after}``."""

    # -- route reports ("Did this help?", graph/route_reports.py): kept beside the registry ------
    # A report is not a record: no revision, no change log, never in search, maps or exports.
    @abc.abstractmethod
    def add_report(self, report: dict, at: str | None = None) -> dict:
        """Check a report against the model (:func:`prepare_report`) and the records it names, store it
        and return it as stored (with ``id``, ``at``, ``status``); InvalidRecord and nothing stored when
        it breaks a rule. ``at`` (an RFC 3339 time) is for loading old reports; default now."""

    @abc.abstractmethod
    def reports(self, since: str | None = None, statuses: Iterable[str] | None = None,
                contact: str | None = None, limit: int = 10_000) -> list[dict]:
        """Reports newest first, optionally from ``since`` (a date or time), with one of ``statuses``,
        about one ``contact``."""

    def get_report(self, report_id: str) -> dict | None:
        return next((r for r in self.reports_by_id([report_id])), None)

    @abc.abstractmethod
    def reports_by_id(self, ids: Iterable[str]) -> list[dict]:
        """The reports with these ids (missing ones left out)."""

    @abc.abstractmethod
    def resolve_reports(self, ids: Iterable[str], status: str, actor: str, note: str | None = None) -> list[dict]:
        """Give reports an editor's resolution (one of ``model.REPORT_RESOLUTIONS``) in one transaction,
        with an audit entry for each; NodeNotFound (naming the id) and nothing changed if one is missing."""

    @abc.abstractmethod
    def reports_stamp(self) -> int:
        """A number that grows with every report stored or resolved (for caches keyed on reports)."""

    def stamps(self) -> tuple[int, int]:
        """The revision and the reports stamp, read together: a request asks for both before it
        reads anything else (:func:`registry.store.snapshot`), and on a server each read is a round
        trip, so a store that can answers both in one."""
        return self.revision(), self.reports_stamp()

    @abc.abstractmethod
    def wipe(self) -> None:
        """Remove every record, token, sign-in and audit entry (tests; migrating into a fresh store)."""

    def close(self) -> None:  # pragma: no cover - trivial
        """Release connections."""


def graph_from_records(nodes: Iterable[dict], edges: Iterable[dict]) -> nx.MultiDiGraph:
    """Build the networkx form of a registry: node attributes are the record,
    edges are keyed by relationship type and carry their properties.

    >>> g = graph_from_records([{"id": "a", "label": "Topic", "name": "A"},
    ...                         {"id": "b", "label": "Topic", "name": "B"}],
    ...                        [{"type": "BROADER", "from": "a", "to": "b"}])
    >>> list(g.edges(keys=True, data="type"))
    [('a', 'b', 'BROADER', 'BROADER')]
    """
    graph = nx.MultiDiGraph()
    graph.add_nodes_from((node["id"], node) for node in nodes)
    add_edge, keys = graph.add_edge, model.EDGE_KEYS
    for edge in edges:
        props = {k: v for k, v in edge.items() if v is not None and k not in keys} if len(edge) > 3 else {}
        add_edge(edge["from"], edge["to"], key=edge["type"], type=edge["type"], **props)
    return graph


def prepare_report(report: dict, labels_in_store: Callable[[Iterable[str]], dict[str, str]],
                   at: str | None = None) -> dict:
    """A report as a store keeps it: checked by :func:`model.validate_report` against the records it
    names, with an ``id``, the time ``at`` (UTC, to the second), and ``status`` "held" with a
    ``hold_reason`` when its comment should wait for an editor, else "open". Empty fields are left out.

    >>> r = prepare_report({"contact": "ons", "outcome": "no_reply", "comment": "  "}, lambda ids: {"ons": "Producer"},
    ...                    at="2026-03-01T10:00:00+00:00")
    >>> (r["status"], r["at"], "comment" in r, r["id"].startswith("r"))
    ('open', '2026-03-01T10:00:00+00:00', False, True)
    """
    import datetime as _dt
    if isinstance(report, dict):
        report = {k: v for k, v in report.items() if v is not None and not (isinstance(v, str) and not v.strip())}
    ids = [report.get(k) for k in ("contact", "statistic", "passed_to")] if isinstance(report, dict) else []
    ids = [i for i in ids if isinstance(i, str) and model.ID_PATTERN.fullmatch(i)]
    raise_if_problems(model.validate_report(report, labels_in_store(ids) if ids else {}))
    when = at or _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    out = {"id": "r" + uuid.uuid4().hex[:15], "at": when, **report}
    reason = model.report_hold_reason(report.get("comment"))
    out["status"] = "held" if reason else "open"
    if reason:
        out["hold_reason"] = reason
    return out


def resolved(report: dict, status: str, actor: str, note: str | None, now: str) -> tuple[dict, dict]:
    """The report after an editor's resolution, and its audit entry (target ``route-report:<id>``)."""
    if status not in model.REPORT_RESOLUTIONS:
        raise InvalidRecord([Problem(f"report '{model.shown(report.get('id'))}'", "status",
                                     "must be one of: " + ", ".join(model.REPORT_RESOLUTIONS))])
    if note is not None and model.text_problem(note, model.MAX_LINE):
        raise InvalidRecord([Problem(f"report '{report['id']}'", "note", model.text_problem(note, model.MAX_LINE))])
    after = {**report, "status": status, "resolved_at": now, "resolved_by": actor}
    after.pop("resolution_note", None)
    if note:
        after["resolution_note"] = note
    entry = {"actor": actor, "action": f"resolve route report: {status}", "target": f"route-report:{report['id']}",
             "before": json.dumps({"status": report.get("status")}),
             "after": json.dumps({"status": status, "note": note, "contact": report.get("contact"),
                                  "statistic": report.get("statistic"), "outcome": report.get("outcome")},
                                 ensure_ascii=False)}
    return after, entry


def raise_if_problems(problems: list[Problem]) -> None:
    if problems:
        raise InvalidRecord(problems)
