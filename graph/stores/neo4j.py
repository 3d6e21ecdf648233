"""The server store: a Neo4j 5 database through the official Python driver.

Each record is a node with the common label ``:Node`` (unique ``id``) and its
model label; relationships carry the model's types. Properties are native
Neo4j properties, except the ``contact`` object, which Neo4j cannot hold as a
map and is kept as a JSON string, so a record reads back exactly as written.

Bookkeeping lives beside the registry under labels no record can have:
``:PathwaysMeta`` (the revision counter and audit sequence), ``:AuditEntry``,
``:ChangeLog`` (what each revision did, for readers catching up), ``:Token``, ``:Session`` (web sign-ins)
and ``:RouteReport``
("Did this help?" reports, :mod:`graph.route_reports`). Every write is one managed transaction that first locks the
revision node, so writers are serialised exactly as SQLite's ``BEGIN
IMMEDIATE`` serialises them; that makes the ``expect`` check and the version
bump one atomic step. Labels and relationship types reach query text only
from :data:`graph.model.LABELS` / :data:`graph.model.RELATIONSHIPS`; every
value is a ``$parameter``. Driver errors are translated at this boundary.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
import time
from collections import defaultdict
from typing import Any, Callable, Iterable, Iterator

import networkx as nx

from .. import model
from ..errors import DuplicateNode, EdgeNotFound, NodeNotFound, StoreUnavailable
from .breaker import CircuitBreaker
from .base import (LOG_KEEP, Change, GraphStore, WriteResult, audit_rows_for, behind, complete_log, graph_from_records,
                   log_entry, plan_nodes, prepare_report, raise_if_problems, resolved, rule_problems, strip_meta,
                   touched_ids, validate_change)

try:  # the driver is a dependency, but keep the import error readable
    import neo4j
    from neo4j import exceptions as nx_errors
except ImportError as _exc:  # pragma: no cover - packaging problem
    raise ImportError("the Neo4j store needs the neo4j driver: pip install neo4j") from _exc

BATCH = 5000  # rows per UNWIND statement
LOG_VISIBLE_TRIES = 4  # reads of the change log while a commit's entry is not visible yet
log = logging.getLogger(__name__)
# A change of more writes than this (an import, a harvest, the seed) and whole-registry reads get
# the long transaction timeout; everything a request does gets the short one.
BULK = 1000
# Settings and their defaults (seconds unless said); each also read from the environment as NEO4J_<NAME>.
TIMEOUTS = {"connect_timeout": 3.0, "acquire_timeout": 3.0, "retry_time": 0.5, "transaction_timeout": 15.0,
            "bulk_timeout": 600.0, "readback_time": 3.0, "breaker_failures": 3, "breaker_reset": 5.0}

BOOKKEEPING_KEYS = ("id", "label", "name", "version")
# Object-valued properties (Neo4j has no map properties): stored as JSON text.
JSON_PROPS = frozenset(k for props in model.LABELS.values() for k, p in props.items() if p.kind in model.OBJECT_KINDS)

SCHEMA = (
    "CREATE CONSTRAINT pathways_node_id IF NOT EXISTS FOR (n:Node) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT pathways_meta_key IF NOT EXISTS FOR (m:PathwaysMeta) REQUIRE m.key IS UNIQUE",
    "CREATE CONSTRAINT pathways_token_name IF NOT EXISTS FOR (t:Token) REQUIRE t.name IS UNIQUE",
    "CREATE CONSTRAINT pathways_token_hash IF NOT EXISTS FOR (t:Token) REQUIRE t.hash IS UNIQUE",
    "CREATE CONSTRAINT pathways_session_id IF NOT EXISTS FOR (s:Session) REQUIRE s.sid_hash IS UNIQUE",
    "CREATE INDEX pathways_node_label_name IF NOT EXISTS FOR (n:Node) ON (n.label, n.name)",
    "CREATE INDEX pathways_audit_seq IF NOT EXISTS FOR (a:AuditEntry) ON (a.seq)",
    "CREATE INDEX pathways_audit_target IF NOT EXISTS FOR (a:AuditEntry) ON (a.target)",
    "CREATE CONSTRAINT pathways_change_revision IF NOT EXISTS FOR (c:ChangeLog) REQUIRE c.revision IS UNIQUE",
    "CREATE INDEX pathways_change_id IF NOT EXISTS FOR (c:ChangeLog) ON (c.change_id)",
    "CREATE CONSTRAINT pathways_report_id IF NOT EXISTS FOR (r:RouteReport) REQUIRE r.id IS UNIQUE",
    "CREATE INDEX pathways_report_at IF NOT EXISTS FOR (r:RouteReport) ON (r.at)",
    "CREATE FULLTEXT INDEX pathways_node_text IF NOT EXISTS FOR (n:Node) ON EACH [n.name, n.description, n.tags]",
)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _canon(props: dict) -> str:
    return json.dumps(props, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def label_clause(label: str) -> str:
    """The ``:Label`` text for a model label, refusing anything outside the allow-list.

    >>> label_clause("Producer")
    ':Producer'
    >>> label_clause("Producer) DETACH DELETE (n")
    Traceback (most recent call last):
    ...
    ValueError: unknown label 'Producer) DETACH DELETE (n'
    """
    if label not in model.LABELS:
        raise ValueError(f"unknown label {label!r}")
    return f":{label}"


def type_clause(type_: str) -> str:
    """The ``:TYPE`` text for a relationship type from the allow-list.

    >>> type_clause("REACHES")
    ':REACHES'
    """
    if type_ not in model.RELATIONSHIPS:
        raise ValueError(f"unknown relationship type {type_!r}")
    return f":{type_}"


def to_neo4j(record: dict, version: int) -> dict:
    """A node record as the property map Neo4j stores (contact as JSON, no nulls).

    >>> to_neo4j({"id": "a", "label": "Producer", "name": "A", "contact": {"url": "https://a.org"}}, 1)
    {'id': 'a', 'label': 'Producer', 'name': 'A', 'version': 1, 'contact': '{"url":"https://a.org"}'}
    """
    out = {"id": record["id"], "label": record["label"], "name": record["name"], "version": version}
    for key, value in model.node_props(record).items():
        if key != "version":
            out[key] = _canon(value) if key in JSON_PROPS else value
    return out


def from_neo4j(props: dict) -> dict:
    """The node record for a stored property map (the inverse of :func:`to_neo4j`).

    >>> from_neo4j({"version": 1, "name": "A", "contact": '{"url":"https://a.org"}', "id": "a", "label": "Producer"})
    {'id': 'a', 'label': 'Producer', 'name': 'A', 'contact': {'url': 'https://a.org'}, 'version': 1}
    """
    record = {"id": props["id"], "label": props["label"], "name": props["name"]}
    for key in sorted(props):
        if key not in BOOKKEEPING_KEYS:
            value = props[key]
            record[key] = json.loads(value) if key in JSON_PROPS and isinstance(value, str) else value
    record["version"] = props.get("version", 1)
    return record


def _edge(type_: str, src: str, dst: str, props: dict) -> dict:
    return {"type": type_, "from": src, "to": dst, **{k: props[k] for k in sorted(props)}}


def _one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc or type(exc).__name__)
    return " ".join(text.split())[:300]


class Neo4jStore(GraphStore):
    """The registry in a Neo4j 5 database (a local server, a cluster or Aura).

    ``url`` is any driver URL (``neo4j://``, ``bolt://``, ``neo4j+s://`` …);
    ``user``, ``password`` and ``database`` default to ``NEO4J_USER``,
    ``NEO4J_PASSWORD`` and ``NEO4J_DATABASE`` (then ``neo4j``/``neo4j``).
    The keywords of :data:`TIMEOUTS` (each defaulting to ``NEO4J_<NAME>`` in
    the environment, then to the value there) bound how long anything waits for
    the server, so an outage is answered in seconds: connecting, getting a
    connection from the pool, retrying transient errors, a transaction's run on
    the server (``bulk_timeout`` for imports and whole-registry reads), and
    reading back a commit whose answer was lost; ``breaker_failures``
    consecutive failures open a :class:`CircuitBreaker` for ``breaker_reset``
    seconds, during which calls fail at once. Other keyword arguments go to
    :func:`neo4j.GraphDatabase.driver`. Opening verifies connectivity and
    creates the constraints and indexes if they are missing.
    """

    def __init__(self, url: str, user: str | None = None, password: str | None = None,
                 database: str | None = None, **driver_config: Any):
        super().__init__()
        self.url = url
        self.user = user or os.environ.get("NEO4J_USER") or "neo4j"
        self.database = database or os.environ.get("NEO4J_DATABASE") or "neo4j"
        secret = password if password is not None else os.environ.get("NEO4J_PASSWORD", "")
        limits = {}
        for name, default in TIMEOUTS.items():
            value = driver_config.pop(name, None)
            if value is None:
                value = os.environ.get(f"NEO4J_{name.upper()}") or default
            try:
                limits[name] = type(default)(value)
            except ValueError:
                raise StoreUnavailable(f"NEO4J_{name.upper()} must be a number, not {value!r}") from None
        self.limits = limits
        self.breaker = CircuitBreaker(limits["breaker_failures"], limits["breaker_reset"])
        self._revision_query = neo4j.Query("OPTIONAL MATCH (m:PathwaysMeta {key: 'revision'}) "
                                           "RETURN coalesce(m.value, 0) AS v", timeout=limits["transaction_timeout"] or None)
        self._stamps_query = neo4j.Query("OPTIONAL MATCH (m:PathwaysMeta {key: 'revision'}) "
                                         "OPTIONAL MATCH (r:PathwaysMeta {key: 'reports'}) "
                                         "RETURN coalesce(m.value, 0) AS v, coalesce(r.value, 0) AS r",
                                         timeout=limits["transaction_timeout"] or None)
        self._audit_query = neo4j.Query(
            "OPTIONAL MATCH (a:AuditEntry) WHERE ($target IS NULL OR a.target = $target) "
            "AND ($before IS NULL OR a.seq < $before) WITH a ORDER BY a.seq DESC LIMIT $limit "
            "RETURN [x IN collect({seq: a.seq, at: a.at, actor: a.actor, action: a.action, target: a.target, "
            "before: a.before, after: a.after}) WHERE x.seq IS NOT NULL] AS rows",
            timeout=limits["transaction_timeout"] or None)
        self._changes_query = neo4j.Query(
            "OPTIONAL MATCH (m:PathwaysMeta {key: 'revision'}) WITH coalesce(m.value, 0) AS current "
            "OPTIONAL MATCH (c:ChangeLog) WHERE c.revision > $revision WITH current, c ORDER BY c.revision "
            "RETURN current, [x IN collect([c.revision, c.entry]) WHERE x[0] IS NOT NULL] AS rows",
            timeout=limits["transaction_timeout"] or None)
        driver_config.setdefault("connection_timeout", limits["connect_timeout"])
        driver_config.setdefault("max_transaction_retry_time", limits["retry_time"])
        driver_config.setdefault("connection_acquisition_timeout", limits["acquire_timeout"])
        # Queries name every relationship type of the model, some not yet in a fresh database;
        # the server's "type does not exist" notices would flood the log on each import.
        driver_config.setdefault("notifications_min_severity", "OFF")
        try:
            self._driver = neo4j.GraphDatabase.driver(url, auth=(self.user, secret), **driver_config)
        except (ValueError, nx_errors.ConfigurationError) as exc:
            raise StoreUnavailable(f"bad Neo4j URL or settings {url!r}: {_one_line(exc)}") from None
        try:
            self._guard(self._driver.verify_connectivity)
            self._create_schema()
        except BaseException:
            self._driver.close()
            raise

    # -- the boundary: sessions, transactions and error translation ------------
    def _guard(self, fn: Callable, *args, **kwargs):
        """Call ``fn`` through the circuit breaker; driver errors become the domain's (one line)."""
        if not self.breaker.allow():
            raise StoreUnavailable(f"Neo4j at {self.url} is unavailable (it failed {self.breaker.failures} "
                                   f"times in a row; trying again {self.breaker.reset_after:g} s after the last)")
        try:
            value = self._translate(fn, *args, **kwargs)
        except StoreUnavailable:
            self.breaker.failed()
            raise
        except BaseException:
            self.breaker.succeeded()  # the server answered (a refusal is an answer)
            raise
        self.breaker.succeeded()
        return value

    def _translate(self, fn: Callable, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except nx_errors.ConstraintError as exc:
            found = re.search(r"property `?\w+`? = '([^']*)'", str(exc.message or ""))
            raise DuplicateNode(found.group(1) if found else "?") from exc
        except nx_errors.AuthError as exc:
            raise StoreUnavailable(f"Neo4j at {self.url} refused the credentials for user "
                                   f"'{self.user}': {_one_line(exc)}") from None
        except (nx_errors.ServiceUnavailable, nx_errors.SessionExpired, nx_errors.DatabaseUnavailable) as exc:
            raise StoreUnavailable(f"Neo4j at {self.url} is unavailable ({_one_line(exc)}); "
                                   "is the server running and the URL right?") from None
        except nx_errors.TransientError as exc:  # retries are spent
            raise StoreUnavailable(f"Neo4j at {self.url} is busy: {_one_line(exc)}") from None
        except (nx_errors.DriverError, nx_errors.Neo4jError, OSError) as exc:
            raise StoreUnavailable(f"Neo4j at {self.url} failed: {_one_line(exc)}") from exc

    def _timed(self, work: Callable, bulk: bool) -> Callable:
        timeout = self.limits["bulk_timeout" if bulk else "transaction_timeout"]
        return neo4j.unit_of_work(timeout=timeout or None)(work)

    def _read(self, work: Callable, *args, bulk: bool = False):
        """Run an idempotent unit of work in a managed read transaction."""
        def run():
            with self._driver.session(database=self.database) as session:
                return session.execute_read(self._timed(work, bulk), *args)
        return self._guard(run)

    def _write(self, work: Callable, *args, bulk: bool = False):
        """Run an idempotent unit of work in a managed write transaction (retried on transient errors)."""
        def run():
            with self._driver.session(database=self.database) as session:
                return session.execute_write(self._timed(work, bulk), *args)
        return self._guard(run)

    def _create_schema(self) -> None:
        def statement(tx, query):
            tx.run(query).consume()
        for query in SCHEMA:
            self._write(statement, query, bulk=True)
        self._write(lambda tx: tx.run("MERGE (m:PathwaysMeta {key: 'revision'}) ON CREATE SET m.value = 0, "
                                      "m.audit_seq = 0").consume(), bulk=True)

        def await_indexes(tx):
            tx.run("CALL db.awaitIndexes(60)").consume()
        self._read(await_indexes, bulk=True)

    def close(self) -> None:
        """Close the driver and its connection pool."""
        self._driver.close()

    # -- writes ------------------------------------------------------------------
    def _apply(self, change: Change) -> WriteResult:
        """The change in one explicit transaction, so that a lost answer to COMMIT is told apart
        from any failure before it: the first is read back (:meth:`_read_back`), the second
        wrote nothing and is retried while the retry time lasts (the server rolls back the
        transaction of a connection that dropped)."""
        return self._guard(self._commit, change)

    def _commit(self, change: Change) -> WriteResult:
        timeout = self.limits["bulk_timeout" if len(change) > BULK else "transaction_timeout"] or None
        deadline = time.monotonic() + self.limits["retry_time"]
        while True:
            committing = False
            try:
                with self._driver.session(database=self.database) as session:
                    tx = session.begin_transaction(timeout=timeout, metadata={"change": change.id})
                    try:
                        result = self._apply_tx(tx, change)
                        if result.changed:  # the change's id, with its revision, in the same transaction
                            tx.run("MATCH (c:ChangeLog {revision: $revision}) SET c.change_id = $id",
                                   revision=result.revision, id=change.id).consume()
                        committing = True
                        tx.commit()
                        return result
                    finally:
                        if not committing:
                            try:
                                tx.close()  # rolls back
                            except (nx_errors.DriverError, nx_errors.Neo4jError, OSError):
                                pass  # the connection is gone, and the server rolls back with it
            except nx_errors.Neo4jError as exc:
                if committing or not exc.is_retryable() or time.monotonic() > deadline:
                    raise self._not_saved(exc, change) from None
            except (nx_errors.DriverError, OSError) as exc:
                if committing:
                    if not result.changed:
                        return result  # it wrote nothing either way
                    return self._read_back(change, result, exc)
                if not getattr(exc, "is_retryable", lambda: False)() or time.monotonic() > deadline:
                    raise self._not_saved(exc, change) from None
            time.sleep(0.2)

    def _not_saved(self, exc: BaseException, change: Change) -> BaseException:
        """A failure before the commit, or the server's refusal of it: nothing was written."""
        def reraise():
            raise exc
        try:
            self._translate(reraise)
        except StoreUnavailable as translated:
            return StoreUnavailable(str(translated), StoreUnavailable.NOT_SAVED, change.id)
        except BaseException as other:  # a constraint the commit found, say
            return other
        return exc  # pragma: no cover

    def _read_back(self, change: Change, result: WriteResult, cause: BaseException) -> WriteResult:
        """After COMMIT was sent but its answer lost: whether the change was saved, from its id.

        The read-back is a write transaction that first takes the revision lock, which the lost
        transaction held until it committed or rolled back, so "not there" is final. If the
        server cannot be asked within ``readback_time``, the outcome is reported as unknown.
        """
        log.warning("the answer to the commit of change %s was lost (%s); reading it back", change.id,
                    _one_line(cause))
        deadline = time.monotonic() + self.limits["readback_time"]

        def check(tx):
            self._lock(tx)
            return tx.run("MATCH (c:ChangeLog {change_id: $id}) RETURN c.revision AS revision LIMIT 1",
                          id=change.id).single()
        while True:
            try:
                with self._driver.session(database=self.database) as session:
                    row = session.execute_write(self._timed(check, False))
                break
            except (nx_errors.DriverError, nx_errors.Neo4jError, OSError) as exc:
                if time.monotonic() > deadline:
                    raise StoreUnavailable(
                        f"Neo4j at {self.url} became unavailable while committing change {change.id}, and "
                        f"whether it was saved could not be read back ({_one_line(exc)})",
                        StoreUnavailable.UNKNOWN, change.id) from None
                time.sleep(0.25)
        if row is None:
            raise StoreUnavailable(f"Neo4j at {self.url} lost the connection while committing change {change.id}; "
                                   "read back: it was not saved", StoreUnavailable.NOT_SAVED, change.id)
        log.warning("change %s was saved as revision %s (read back)", change.id, row["revision"])
        return result

    @staticmethod
    def _lock(tx) -> int:
        """Take the write lock on the revision node (serialising writers); return the revision."""
        row = tx.run("MERGE (m:PathwaysMeta {key: 'revision'}) ON CREATE SET m.value = 0, m.audit_seq = 0 "
                     "SET m.locked = true RETURN m.value AS value").single()
        return row["value"]

    @staticmethod
    def _labels_tx(tx, ids: Iterable[str], element: dict[str, str] | None = None) -> dict[str, str]:
        """The labels of those ``ids`` that are stored; their element ids also go into ``element``."""
        ids = list(ids)
        found: dict[str, str] = {}
        for chunk in _chunks(ids):
            for r in tx.run("UNWIND $ids AS id MATCH (n:Node {id: id}) "
                            "RETURN n.id AS id, n.label AS label, elementId(n) AS e", ids=chunk):
                found[r["id"]] = r["label"]
                if element is not None:
                    element[r["id"]] = r["e"]
        return found

    @staticmethod
    def _involved_tx(tx, ids: Iterable[str]) -> list[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for chunk in _chunks(list(ids)):
            found.update((r["e"], r["p"]) for r in tx.run(
                "UNWIND $ids AS id MATCH (:Node {id: id})-[r:INVOLVED]-() "
                "RETURN startNode(r).id AS e, endNode(r).id AS p", ids=chunk))
        return sorted(found)

    def involved_pairs(self, ids) -> list[tuple[str, str]]:
        return self._read(self._involved_tx, list(ids))

    @staticmethod
    def _fetch_tx(tx, ids: list[str]) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for chunk in _chunks(ids):
            for row in tx.run("UNWIND $ids AS id MATCH (n:Node {id: id}) RETURN properties(n) AS p", ids=chunk):
                found[row["p"]["id"]] = from_neo4j(row["p"])
        return found

    def _apply_tx(self, tx, change: Change) -> WriteResult:
        """The whole write, as one idempotent unit of work (the driver may retry it).

        Everything is read before anything is written: Neo4j answers an index seek inside a
        transaction by merging in the transaction's own uncommitted nodes, which costs in
        proportion to them (about 2 ms a seek with 2,000 new nodes), so finding relationship
        ends by ``id`` after creating an import's nodes was most of an import's time. Instead
        the stored records the change touches are found once, up front, with their element ids,
        the nodes created return theirs, and every later step matches by element id (a direct
        lookup). Creating nodes and relationships uses Neo4j 5.26's dynamic labels and types
        (``$(row.label)``), so an import is a few large statements with one plan, not one per
        label and type; both come only from the model's allow-list (checked here again).
        """
        revision = self._lock(tx)
        element: dict[str, str] = {}  # record id -> element id, for every record the change refers to
        raise_if_problems(validate_change(change, lambda ids: self._labels_tx(tx, ids, element)))
        before = self._fetch_tx(tx, touched_ids(change))
        plan = plan_nodes(change, before)
        raise_if_problems(rule_problems(change, before, lambda ids: self._fetch_tx(tx, ids),
                                        lambda ids: self._involved_tx(tx, ids)))
        created = {r["id"] for r in plan.inserts}
        existing = self._existing_edges_tx(tx, [e for e in change.put_edges
                                                if e["from"] not in created and e["to"] not in created])
        result = plan.result
        written = 0
        updates = [{"e": element[record["id"]], "p": to_neo4j(record, version)} for record, version in plan.updates]
        for chunk in _chunks(updates):
            tx.run("UNWIND $rows AS row MATCH (n) WHERE elementId(n) = row.e SET n = row.p", rows=chunk).consume()
            written += len(chunk)
            change.report("writing", written)
        for chunk in _chunks([element[node_id] for node_id in plan.deletes]):
            tx.run("UNWIND $ids AS e MATCH (n) WHERE elementId(n) = e DETACH DELETE n", ids=chunk).consume()
        inserts = [{"label": label_clause(record["label"])[1:], "p": to_neo4j(record, 1)} for record in plan.inserts]
        for chunk in _chunks(inserts):
            element.update((r["id"], r["e"]) for r in tx.run(
                "UNWIND $rows AS row CREATE (n:Node:$(row.label)) SET n = row.p RETURN row.p.id AS id, elementId(n) AS e",
                rows=chunk))
            written += len(chunk)
            change.report("writing", written)

        result.edges_written = self._put_edges_tx(tx, change.put_edges, element, existing)
        self._delete_edges_tx(tx, change.delete_edges)
        result.edges_deleted = len(change.delete_edges)

        if result.changed:
            result.revision = tx.run("MATCH (m:PathwaysMeta {key: 'revision'}) SET m.value = m.value + 1 "
                                     "RETURN m.value AS value").single()["value"]
            self._audit_tx(tx, audit_rows_for(change, plan))
            result.log = log_entry(change, plan)
            self._log_tx(tx, result.revision, result.log)
        else:
            result.revision = revision
        change.report("writing", len(change))
        return result

    @staticmethod
    def _existing_edges_tx(tx, edges: list[dict]) -> dict[tuple, tuple[dict, str]]:
        """The stored relationships among ``edges`` (by type, from, to): their properties and
        element ids. Read before the change writes anything (see :meth:`_apply_tx`)."""
        by_type: dict[str, list[dict]] = defaultdict(list)
        for e in edges:
            by_type[e["type"]].append({"from": e["from"], "to": e["to"]})
        found: dict[tuple, tuple[dict, str]] = {}
        for type_, rows in by_type.items():
            rel = type_clause(type_)
            for chunk in _chunks(rows):
                found.update(((type_, r["f"], r["t"]), (r["p"], r["e"])) for r in tx.run(
                    f"UNWIND $rows AS row MATCH (a:Node {{id: row.from}})-[r{rel}]->(b:Node {{id: row.to}}) "
                    "RETURN a.id AS f, b.id AS t, properties(r) AS p, elementId(r) AS e", rows=chunk))
        return found

    @staticmethod
    def _put_edges_tx(tx, edges: list[dict], element: dict[str, str], existing: dict[tuple, tuple[dict, str]]) -> int:
        """Upsert edges by (type, from, to); return how many were created or changed.

        ``element`` gives each end's element id and ``existing`` the stored relationships
        (:meth:`_existing_edges_tx`): the others are created without a check, the changed ones
        set by their element id.
        """
        new, changed = [], []
        for e in edges:
            props = model.edge_props(e)
            stored = existing.get((e["type"], e["from"], e["to"]))
            if stored is None:
                src, dst = element.get(e["from"]), element.get(e["to"])
                if src is not None and dst is not None:  # validated: an end is missing only if deleted here
                    new.append({"a": src, "b": dst, "type": type_clause(e["type"])[1:], "props": props})
            elif stored[0] != props:
                changed.append({"r": stored[1], "props": props})
        for chunk in _chunks(new):
            tx.run("UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row.a MATCH (b) WHERE elementId(b) = row.b "
                   "CREATE (a)-[r:$(row.type)]->(b) SET r = row.props", rows=chunk).consume()
        for chunk in _chunks(changed):
            tx.run("UNWIND $rows AS row MATCH ()-[r]->() WHERE elementId(r) = row.r SET r = row.props",
                   rows=chunk).consume()
        return len(new) + len(changed)

    @staticmethod
    def _delete_edges_tx(tx, triples: list) -> None:
        """Delete edges by triple; EdgeNotFound for the first that does not exist."""
        by_type: dict[str, list[dict]] = defaultdict(list)
        for t in triples:
            if t[0] not in model.RELATIONSHIPS:
                raise EdgeNotFound(*t)
            by_type[t[0]].append({"from": t[1], "to": t[2]})
        found: set[tuple] = set()
        for type_, rows in by_type.items():
            for chunk in _chunks(rows):
                found.update((type_, r["f"], r["t"]) for r in tx.run(
                    f"UNWIND $rows AS row MATCH (a:Node {{id: row.from}})-[r{type_clause(type_)}]->"
                    "(b:Node {id: row.to}) DELETE r RETURN a.id AS f, b.id AS t", rows=chunk))
        for t in triples:
            if tuple(t) not in found:
                raise EdgeNotFound(*t)

    @staticmethod
    def _log_tx(tx, revision: int, entry: dict) -> None:
        """Keep what the change did under its revision; forget entries older than the newest LOG_KEEP."""
        tx.run("CREATE (c:ChangeLog {revision: $revision, at: $at, entry: $entry})", revision=revision, at=_now(),
               entry=json.dumps(entry, ensure_ascii=False, separators=(",", ":"))).consume()
        tx.run("MATCH (c:ChangeLog) WHERE c.revision <= $old DELETE c", old=revision - LOG_KEEP).consume()

    @staticmethod
    def _audit_tx(tx, entries: list[dict]) -> None:
        at = _now()
        if not entries:
            return
        last = tx.run("MATCH (m:PathwaysMeta {key: 'revision'}) SET m.audit_seq = coalesce(m.audit_seq, 0) + $n "
                      "RETURN m.audit_seq AS last", n=len(entries)).single()["last"]
        first = last - len(entries) + 1
        for i, entry in enumerate(entries):
            entry["seq"], entry["at"] = first + i, at
        for chunk in _chunks(entries):
            tx.run("UNWIND $rows AS row CREATE (a:AuditEntry) SET a = row", rows=chunk).consume()

    def wipe(self) -> None:
        """Delete every record, token and audit entry in batches, then bump the revision.

        Batches keep each transaction small (relationships first: a batch of records holding an
        umbrella body's thousands of relationships outgrew the server's default transaction memory
        at 100,000 records); the bump happens last, so caches see the change.
        """
        def batch(tx, query):
            return tx.run(query).single()["n"]
        for query in ("MATCH (:Node)-[r]->() WITH r LIMIT 10000 DELETE r RETURN count(*) AS n",
                      "MATCH (n:Node) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n",
                      "MATCH (n:AuditEntry) WITH n LIMIT 10000 DELETE n RETURN count(*) AS n",
                      "MATCH (n:Token) WITH n LIMIT 10000 DELETE n RETURN count(*) AS n",
                      "MATCH (n:Session) WITH n LIMIT 10000 DELETE n RETURN count(*) AS n",
                      "MATCH (n:ChangeLog) WITH n LIMIT 10000 DELETE n RETURN count(*) AS n",
                      "MATCH (n:RouteReport) WITH n LIMIT 10000 DELETE n RETURN count(*) AS n"):
            while self._write(batch, query, bulk=True):
                pass

        def bump(tx):
            self._lock(tx)
            revision = tx.run("MATCH (m:PathwaysMeta {key: 'revision'}) SET m.value = m.value + 1, m.audit_seq = 0 "
                              "RETURN m.value AS value").single()["value"]
            self._log_tx(tx, revision, {"reload": True})
        self._write(bump, bulk=True)

    # -- reads -----------------------------------------------------------------
    def change_saved(self, change_id: str) -> int | None:
        row = self._read(lambda tx: tx.run("MATCH (c:ChangeLog {change_id: $id}) RETURN c.revision AS r LIMIT 1",
                                           id=change_id).single())
        return row["r"] if row else None

    def revision(self) -> int:
        """The current revision, as one auto-commit read: every request asks this first (the read
        model's "has anything changed?"), so it is one round trip (RUN and PULL sent together),
        with no BEGIN and COMMIT of a managed transaction."""
        return self._auto_read(self._revision_query)[0]

    def _auto_read(self, query, **params):
        """The one row of a read ``query`` run as an auto-commit transaction: one round trip. A
        read is safe to send again, so an error that the driver calls retryable is retried once."""
        def run():
            for attempt in (1, 2):
                try:
                    with self._driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS,
                                              bookmark_manager=None) as session:
                        return session.run(query, params).single(strict=True)
                except nx_errors.Neo4jError as exc:
                    if attempt == 2 or not exc.is_retryable():
                        raise
                except nx_errors.DriverError as exc:
                    if attempt == 2 or not getattr(exc, "is_retryable", lambda: False)():
                        raise
        return self._guard(run)

    def get_nodes(self, ids) -> dict[str, dict]:
        ids = list(dict.fromkeys(ids))
        return self._read(self._fetch_tx, ids) if ids else {}

    def labels_of(self, ids) -> dict[str, str]:
        ids = list(dict.fromkeys(ids))
        return self._read(self._labels_tx, ids) if ids else {}

    def list_nodes(self, label=None, limit=100, offset=0) -> list[dict]:
        if label and label not in model.LABELS:
            return []
        match = f"MATCH (n{label_clause(label)})" if label else "MATCH (n:Node)"

        def work(tx):
            return [from_neo4j(r["p"]) for r in tx.run(
                f"{match} RETURN properties(n) AS p ORDER BY n.label, toLower(n.name), n.id "
                "SKIP $offset LIMIT $limit", offset=offset, limit=limit)]
        return self._read(work)

    def count_nodes(self, label=None) -> int:
        if label and label not in model.LABELS:
            return 0
        match = f"MATCH (n{label_clause(label)})" if label else "MATCH (n:Node)"
        return self._read(lambda tx: tx.run(f"{match} RETURN count(n) AS n").single()["n"])

    def edges_of(self, node_id, direction="both", types=None) -> list[dict]:
        types = list(types) if types else None
        patterns = []
        if direction in ("out", "both"):
            patterns.append("MATCH (a:Node {id: $id})-[r]->(b:Node)")
        if direction in ("in", "both"):
            patterns.append("MATCH (a:Node)-[r]->(b:Node {id: $id})")
        if not patterns:
            return []
        query = " UNION ".join(f"{p} WHERE $types IS NULL OR type(r) IN $types "
                               "RETURN type(r) AS t, a.id AS f, b.id AS d, properties(r) AS p" for p in patterns)

        def work(tx):
            rows = [(r["t"], r["f"], r["d"], r["p"]) for r in tx.run(query, id=node_id, types=types)]
            return [_edge(*row) for row in sorted(rows, key=lambda row: row[:3])]
        return self._read(work)

    def iter_nodes(self, batch=5000) -> Iterator[dict]:
        last = ""
        while True:
            page = self._read(lambda tx, after: [from_neo4j(r["p"]) for r in tx.run(
                "MATCH (n:Node) WHERE n.id > $after RETURN properties(n) AS p ORDER BY n.id LIMIT $batch",
                after=after, batch=batch)], last)
            if not page:
                return
            for record in page:
                yield strip_meta(record)
            last = page[-1]["id"]

    def iter_edges(self, batch=5000) -> Iterator[dict]:
        for type_ in sorted(model.RELATIONSHIPS):
            rel = type_clause(type_)
            last = ("", "")
            while True:
                page = self._read(lambda tx, after: [(r["f"], r["d"], r["p"]) for r in tx.run(
                    f"MATCH (a:Node)-[r{rel}]->(b:Node) WHERE a.id > $f OR (a.id = $f AND b.id > $d) "
                    "RETURN a.id AS f, b.id AS d, properties(r) AS p ORDER BY f, d LIMIT $batch",
                    f=after[0], d=after[1], batch=batch)], last)
                if not page:
                    break
                for src, dst, props in page:
                    yield _edge(type_, src, dst, props)
                last = page[-1][:2]

    def counts(self) -> dict:
        def work(tx):
            nodes = {r["k"]: r["n"] for r in tx.run("MATCH (n:Node) RETURN n.label AS k, count(*) AS n ORDER BY k")}
            edges = {r["k"]: r["n"] for r in tx.run(
                "MATCH (:Node)-[r]->(:Node) RETURN type(r) AS k, count(*) AS n ORDER BY k")}
            return {"nodes": nodes, "edges": edges}
        return self._read(work, bulk=True)

    def search_text(self, text, label=None, limit=20) -> list[dict]:
        """Records whose name, description or tags contain every word of ``text``.

        The full-text index finds candidates (each word as ``*word*``, so parts of
        words match as they do on SQLite); words the index cannot take literally
        (punctuation) are checked with ``CONTAINS`` on the candidates' text instead.
        """
        words = [w for w in text.lower().split() if w][:10]
        if not words or (label and label not in model.LABELS):
            return []
        plain = [w for w in words if re.fullmatch(r"\w+", w)]
        if plain:
            lucene = " AND ".join(f"*{w}*" for w in plain)  # \w+ only: nothing to escape
            source = "CALL db.index.fulltext.queryNodes('pathways_node_text', $lucene) YIELD node AS n"
        else:
            lucene, source = None, "MATCH (n:Node)"
        query = (f"{source} WITH n, toLower(n.name + ' ' + coalesce(n.description, '') + ' ' + "
                 "reduce(s = '', t IN coalesce(n.tags, []) | s + ' ' + t)) AS hay "
                 "WHERE ($label IS NULL OR n.label = $label) AND all(w IN $words WHERE hay CONTAINS w) "
                 "RETURN properties(n) AS p ORDER BY size(n.name), n.name LIMIT $limit")
        return self._read(lambda tx: [from_neo4j(r["p"]) for r in tx.run(
            query, lucene=lucene, words=words, label=label, limit=limit)])

    def neighbourhood(self, ids, depth=1, types=None, max_nodes=None) -> nx.MultiDiGraph:
        """Breadth-first in Cypher, one bounded query per hop, all in one read transaction."""
        types = list(types) if types else None
        ids = list(dict.fromkeys(ids))

        def work(tx):
            present = self._labels_tx(tx, ids)
            included = [i for i in ids if i in present]
            if max_nodes is not None:
                included = included[:max_nodes]
            frontier, seen = list(included), set(included)
            for _ in range(depth):
                room = None if max_nodes is None else max_nodes - len(seen)
                if not frontier or room == 0:
                    break
                rows = tx.run("UNWIND $frontier AS id MATCH (n:Node {id: id})-[r]-(m:Node) "
                              "WHERE ($types IS NULL OR type(r) IN $types) AND NOT m.id IN $seen "
                              "WITH DISTINCT m.id AS other RETURN other ORDER BY other "
                              + ("LIMIT $room" if room is not None else ""),
                              frontier=frontier, types=types, seen=list(seen), room=room)
                frontier = [r["other"] for r in rows]
                seen.update(frontier)
                included += frontier
            nodes = self._fetch_tx(tx, included)
            edges = [_edge(r["t"], r["f"], r["d"], r["p"]) for r in tx.run(
                "UNWIND $ids AS id MATCH (a:Node {id: id})-[r]->(b:Node) "
                "WHERE b.id IN $ids AND ($types IS NULL OR type(r) IN $types) "
                "RETURN type(r) AS t, a.id AS f, b.id AS d, properties(r) AS p ORDER BY t, f, d",
                ids=included, types=types)]
            return graph_from_records((nodes[i] for i in sorted(included) if i in nodes), edges)
        return self._read(work)

    def changes_since(self, revision: int) -> list[tuple[int, dict]] | None:
        """The log after ``revision`` in one auto-commit query (one round trip, as :meth:`revision`):
        the current revision and the entries as ``[revision, JSON text]`` pairs in one row. A reader
        may see a concurrent commit's revision before its entry (:func:`graph.stores.base.behind`):
        it asks again a few times, then takes what is visible, rather than load the registry afresh
        (23 s at 100,000 records, with every request waiting)."""
        loads = json.loads
        for attempt in range(LOG_VISIBLE_TRIES):
            row = self._auto_read(self._changes_query, revision=revision)
            rows = [(r, loads(e)) for r, e in sorted(row["rows"])]
            found = complete_log(revision, row["current"], rows)
            if found is not None or not behind(revision, row["current"], rows):
                return found
            time.sleep(0.002 * (attempt + 1))  # a commit's entry shows a moment after its revision
        return rows  # what is visible now; the rest at the next read (never a reload for it)

    def load_state(self, build):
        """Streamed in one read transaction. Neo4j reads are read-committed, so what is read may
        already hold changes after the revision read first; replaying those is harmless (every
        logged step sets a record or relationship outright)."""
        def work(tx):
            revision = tx.run("OPTIONAL MATCH (m:PathwaysMeta {key: 'revision'}) RETURN coalesce(m.value, 0) AS v") \
                .single()["v"]

            def nodes():  # generators, so each query runs only once the one before is read
                for r in tx.run("MATCH (n:Node) RETURN properties(n) AS p"):
                    yield from_neo4j(r["p"])

            def edges():
                for r in tx.run("MATCH (a:Node)-[r]->(b:Node) "
                                "RETURN type(r) AS t, a.id AS f, b.id AS d, properties(r) AS p"):
                    yield r["t"], r["f"], r["d"], r["p"]
            return build(revision, nodes(), edges())
        return self._read(work, bulk=True)

    # -- tokens and audit ----------------------------------------------------------
    def add_token(self, name, role, token_hash) -> None:
        def work(tx):
            if tx.run("MATCH (t:Token {name: $name}) RETURN t LIMIT 1", name=name).peek() is not None:
                raise DuplicateNode(name)
            tx.run("CREATE (t:Token {name: $name, role: $role, hash: $hash, created: $created})",
                   name=name, role=role, hash=token_hash, created=_now()).consume()
        self._write(work)

    def find_token(self, token_hash) -> dict | None:
        def work(tx):
            row = tx.run("MATCH (t:Token {hash: $hash}) WHERE t.revoked IS NULL "
                         "RETURN t.name AS name, t.role AS role, t.created AS created, t.revoked AS revoked",
                         hash=token_hash).single()
            return dict(row) if row else None
        return self._read(work)

    def list_tokens(self) -> list[dict]:
        return self._read(lambda tx: [dict(r) for r in tx.run(
            "MATCH (t:Token) RETURN t.name AS name, t.role AS role, t.created AS created, t.revoked AS revoked "
            "ORDER BY created, name")])

    def revoke_token(self, name) -> bool:
        return self._write(lambda tx: tx.run(
            "MATCH (t:Token {name: $name}) WHERE t.revoked IS NULL SET t.revoked = $now RETURN count(t) AS n",
            name=name, now=_now()).single()["n"] > 0)

    def add_session(self, sid_hash, token_hash, started, oldest) -> None:
        def work(tx):
            tx.run("MATCH (s:Session) WHERE s.started < $oldest DELETE s", oldest=oldest).consume()
            tx.run("CREATE (s:Session {sid_hash: $sid, token_hash: $token, started: $started})",
                   sid=sid_hash, token=token_hash, started=started).consume()
        self._write(work)

    def session_token(self, sid_hash, token_hash, oldest) -> dict | None:
        def work(tx):
            row = tx.run("MATCH (s:Session {sid_hash: $sid}) WHERE s.token_hash = $token AND s.started >= $oldest "
                         "MATCH (t:Token {hash: $token}) WHERE t.revoked IS NULL "
                         "RETURN t.name AS name, t.role AS role, t.created AS created, t.revoked AS revoked",
                         sid=sid_hash, token=token_hash, oldest=oldest).single()
            return dict(row) if row else None
        return self._read(work)

    def end_session(self, sid_hash) -> None:
        self._write(lambda tx: tx.run("MATCH (s:Session {sid_hash: $sid}) DELETE s", sid=sid_hash).consume())

    def audit_entries(self, target=None, limit=100, before_seq=None) -> list[dict]:
        """One auto-commit read, as :meth:`revision` (every record page shows its history: a managed
        transaction of its own was a second round trip per page)."""
        rows = self._auto_read(self._audit_query, target=target or None, before=before_seq or None, limit=limit)["rows"]
        return [{**r, "before": json.loads(r["before"]) if r["before"] else None,
                 "after": json.loads(r["after"]) if r["after"] else None} for r in rows]

    # -- route reports -----------------------------------------------------------------
    @staticmethod
    def _bump_reports_tx(tx) -> None:
        tx.run("MERGE (m:PathwaysMeta {key: 'reports'}) ON CREATE SET m.value = 0 SET m.value = m.value + 1").consume()

    def add_report(self, report, at=None) -> dict:
        def work(tx):
            row = prepare_report(report, lambda ids: self._labels_tx(tx, ids), at)
            tx.run("CREATE (r:RouteReport) SET r = $row", row=row).consume()
            self._bump_reports_tx(tx)
            return row
        return self._write(work)

    @staticmethod
    def _report(props: dict) -> dict:
        return {"id": props["id"], "at": props["at"], "status": props["status"], "contact": props["contact"],
                **{k: props[k] for k in sorted(props) if k not in ("id", "at", "status", "contact")}}

    def reports(self, since=None, statuses=None, contact=None, limit=10_000) -> list[dict]:
        def work(tx):
            return [self._report(r["p"]) for r in tx.run(
                "MATCH (r:RouteReport) WHERE ($since IS NULL OR r.at >= $since) "
                "AND ($statuses IS NULL OR r.status IN $statuses) AND ($contact IS NULL OR r.contact = $contact) "
                "RETURN properties(r) AS p ORDER BY r.at DESC, r.id DESC LIMIT $limit",
                since=since, statuses=list(statuses) if statuses is not None else None, contact=contact, limit=limit)]
        return self._read(work)

    def reports_by_id(self, ids) -> list[dict]:
        def work(tx):
            return [self._report(r["p"]) for r in tx.run(
                "MATCH (r:RouteReport) WHERE r.id IN $ids RETURN properties(r) AS p ORDER BY r.at DESC, r.id DESC",
                ids=list(ids))]
        return self._read(work)

    def resolve_reports(self, ids, status, actor, note=None) -> list[dict]:
        ids = list(dict.fromkeys(ids))

        def work(tx):
            found = {r["p"]["id"]: self._report(r["p"]) for r in tx.run(
                "MATCH (r:RouteReport) WHERE r.id IN $ids RETURN properties(r) AS p", ids=ids)}
            out, entries, now = [], [], _now()
            for report_id in ids:
                if report_id not in found:
                    raise NodeNotFound(report_id)
                after, entry = resolved(found[report_id], status, actor, note, now)
                tx.run("MATCH (r:RouteReport {id: $id}) SET r = $row", id=report_id, row=after).consume()
                out.append(after)
                entries.append(entry)
            self._audit_tx(tx, entries)
            if out:
                self._bump_reports_tx(tx)
            return out
        return self._write(work)

    def reports_stamp(self) -> int:
        return self._read(lambda tx: tx.run("OPTIONAL MATCH (m:PathwaysMeta {key: 'reports'}) "
                                            "RETURN coalesce(m.value, 0) AS v").single()["v"])

    def stamps(self) -> tuple[int, int]:
        """One auto-commit read, as :meth:`revision`: a ranked page read the reports stamp in a
        managed transaction of its own, about 5 ms more per request at 100,000 records."""
        row = self._auto_read(self._stamps_query)
        return row["v"], row["r"]
