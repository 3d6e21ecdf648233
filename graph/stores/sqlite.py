"""The embedded store: one SQLite file, WAL mode, every change in one transaction.

It needs no server, so it is the default for one machine. Node properties are
kept as canonical JSON (sorted keys) so that "unchanged" is a text comparison
and re-importing the same file writes nothing. A ``revision`` counter moves
with every write that changed something; cached graphs are rebuilt only then.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from typing import Iterable, Iterator

import networkx as nx

from .. import model
from ..errors import DuplicateNode, EdgeNotFound, NodeNotFound, StoreUnavailable
from .base import (LOG_KEEP, PROGRESS_EVERY, Change, GraphStore, WriteResult, audit_rows_for, complete_log,
                   graph_from_records, log_entry, plan_nodes, prepare_report, raise_if_problems, resolved, rule_problems,
                   strip_meta, touched_ids, validate_change)

SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    name TEXT NOT NULL,
    props TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS nodes_label_name ON nodes(label, name);
CREATE TABLE IF NOT EXISTS edges (
    type TEXT NOT NULL,
    src TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    dst TEXT NOT NULL REFERENCES nodes(id) ON DELETE CASCADE,
    props TEXT NOT NULL,
    PRIMARY KEY (type, src, dst)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS edges_src ON edges(src, type);
CREATE INDEX IF NOT EXISTS edges_dst ON edges(dst, type);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta(key, value) VALUES ('revision', 0);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS audit_target ON audit(target, seq);
CREATE TABLE IF NOT EXISTS changes (
    revision INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    entry TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    revoked TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    sid_hash TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    started REAL NOT NULL
);
"""
# Route reports ("Did this help?"): beside the registry, never part of it (no revision, no change log).
REPORT_SCHEMA = """
CREATE TABLE IF NOT EXISTS route_reports (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    contact TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS route_reports_at ON route_reports(at);
CREATE INDEX IF NOT EXISTS route_reports_contact ON route_reports(contact, at);
INSERT OR IGNORE INTO meta(key, value) VALUES ('reports', 0);
"""
# Lists of ids or types travel as one JSON parameter, json_each(:ids), so every query is fixed text.


# One encoder, made once: json.dumps with options builds a new one per call (a tenth of an import).
_CANON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def _canon(props: dict) -> str:
    """Properties as canonical JSON text (sorted keys, no spaces), so equal records compare equal as text.

    >>> _canon({"b": 1, "a": "é"})
    '{"a":"é","b":1}'
    """
    return _CANON(props)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _node(row) -> dict:
    return {"id": row[0], "label": row[1], "name": row[2], **json.loads(row[3]), "version": row[4]}


def _edge(row) -> dict:
    return {"type": row[0], "from": row[1], "to": row[2], **json.loads(row[3])}


def path_from_url(url: str) -> str:
    """The file path in a ``sqlite:///path`` URL.

    >>> path_from_url("sqlite:///instance/registry.db"), path_from_url("sqlite:////tmp/r.db")
    ('instance/registry.db', '/tmp/r.db')
    """
    if not url.startswith("sqlite:///"):
        raise ValueError(f"not a sqlite URL: {url}")
    return url[len("sqlite:///"):]


class SQLiteStore(GraphStore):
    """The embedded store over one SQLite file; safe to share between threads."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.path = path_from_url(url)
        if self.path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        self._local = threading.local()
        try:
            conn = self._conn()
            conn.executescript(SCHEMA)
            conn.executescript(REPORT_SCHEMA)
            if "change_id" not in {row[1] for row in conn.execute("PRAGMA table_info(changes)")}:
                conn.execute("ALTER TABLE changes ADD COLUMN change_id TEXT")  # files made before change ids
            conn.execute("CREATE INDEX IF NOT EXISTS changes_change_id ON changes(change_id)")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot prepare the registry database {self.path}: {exc}") from exc

    # -- connections and transactions --------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute("PRAGMA synchronous=NORMAL")
                # 128 MiB of page cache (default 2 MiB): the edge indexes outgrow the default at 100k records.
                conn.execute("PRAGMA cache_size=-131072")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open the registry database {self.path}: {exc}") from exc
            self._local.conn = conn
        return conn

    @contextmanager
    def _write(self, change_id: str | None = None):
        """One write transaction. A failed COMMIT is rolled back; for a change, whether it was
        saved after all is then read back by its id, so the answer is never a guess."""
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"the registry database is busy or unavailable: {exc}",
                                   StoreUnavailable.NOT_SAVED, change_id) from exc
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if change_id is not None and self.change_saved(change_id) is not None:
                    return
                raise StoreUnavailable(f"the registry database could not save the change: {exc}",
                                       StoreUnavailable.NOT_SAVED, change_id) from exc

    def _read(self, sql: str, params: dict | Iterable = ()) -> list:
        try:
            return self._conn().execute(sql, params if isinstance(params, dict) else tuple(params)).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"the registry database could not be read: {exc}") from exc

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    # -- writes -------------------------------------------------------------
    def _apply(self, change: Change) -> WriteResult:
        with self._write(change.id) as conn:
            def labels(ids):
                return self._labels(conn, ids)
            raise_if_problems(validate_change(change, labels))
            before = self._fetch(conn, touched_ids(change))
            plan = plan_nodes(change, before)
            raise_if_problems(rule_problems(change, before, lambda ids: self._fetch(conn, ids),
                                            lambda ids: self._involved(conn, ids)))
            result = plan.result
            inserts = [(r["id"], r["label"], r["name"], _canon(model.node_props(r))) for r in plan.inserts]
            updates = [(r["name"], _canon(model.node_props(r)), r["id"]) for r, _version in plan.updates]
            written = 0
            for rows, sql in ((inserts, "INSERT INTO nodes(id, label, name, props, version) VALUES (?,?,?,?,1)"),
                              (updates, "UPDATE nodes SET name=?, props=?, version=version+1 WHERE id=?")):
                for chunk in _chunks(rows, PROGRESS_EVERY):
                    conn.executemany(sql, chunk)
                    written += len(chunk)
                    change.report("writing", written)
            if plan.deletes:
                conn.execute("DELETE FROM nodes WHERE id IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(plan.deletes)})
            edge_rows = [(e["type"], e["from"], e["to"], _canon(model.edge_props(e))) for e in change.put_edges]
            before_count = conn.total_changes
            for done, chunk in enumerate(_chunks(edge_rows, PROGRESS_EVERY), start=1):
                conn.executemany(
                    "INSERT INTO edges(type, src, dst, props) VALUES (?,?,?,?) ON CONFLICT(type, src, dst) "
                    "DO UPDATE SET props=excluded.props WHERE edges.props != excluded.props", chunk)
                change.report("writing", len(change.put_nodes) + min(done * PROGRESS_EVERY, len(edge_rows)))
            result.edges_written = conn.total_changes - before_count
            for triple in change.delete_edges:
                cur = conn.execute("DELETE FROM edges WHERE type=? AND src=? AND dst=?", tuple(triple))
                if cur.rowcount == 0:
                    raise EdgeNotFound(*triple)
                result.edges_deleted += 1
            result.revision = self._bump(conn) if result.changed else self._revision(conn)
            if result.changed:
                self._audit(conn, audit_rows_for(change, plan))
                result.log = log_entry(change, plan)
                self._log(conn, result.revision, result.log, change.id)
            change.report("writing", len(change))
            return result

    @staticmethod
    def _audit(conn, entries: list[dict]) -> None:
        at = _now()
        conn.executemany("INSERT INTO audit(at, actor, action, target, before, after) VALUES (?,?,?,?,?,?)",
                         [(at, e["actor"], e["action"], e["target"], e["before"], e["after"]) for e in entries])

    @staticmethod
    def _log(conn, revision: int, entry: dict, change_id: str | None = None) -> None:
        """Keep what the change did (and its id) under its revision; forget entries older than the newest LOG_KEEP."""
        conn.execute("INSERT INTO changes(revision, at, entry, change_id) VALUES (?,?,?,?)",
                     (revision, _now(), json.dumps(entry, ensure_ascii=False, separators=(",", ":")), change_id))
        conn.execute("DELETE FROM changes WHERE revision <= ?", (revision - LOG_KEEP,))

    @staticmethod
    def _bump(conn) -> int:
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
        return SQLiteStore._revision(conn)

    @staticmethod
    def _revision(conn) -> int:
        return conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]

    @staticmethod
    def _labels(conn, ids) -> dict[str, str]:
        return dict(conn.execute("SELECT id, label FROM nodes WHERE id IN (SELECT value FROM json_each(:ids))", {"ids": json.dumps(list(ids))}))

    @staticmethod
    def _involved(conn, ids) -> list[tuple[str, str]]:
        rows = conn.execute("SELECT src, dst FROM edges WHERE type = 'INVOLVED' AND (src IN (SELECT value FROM "
                            "json_each(:ids)) OR dst IN (SELECT value FROM json_each(:ids)))", {"ids": json.dumps(list(ids))})
        return [(src, dst) for src, dst in rows]

    def involved_pairs(self, ids) -> list[tuple[str, str]]:
        try:
            return self._involved(self._conn(), ids)
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"the registry database could not be read: {exc}") from exc

    @staticmethod
    def _fetch(conn, ids: list[str]) -> dict[str, dict]:
        rows = conn.execute("SELECT id, label, name, props, version FROM nodes WHERE id IN (SELECT value FROM json_each(:ids))",
                            {"ids": json.dumps(list(ids))})
        return {row[0]: _node(row) for row in rows}

    # -- reads --------------------------------------------------------------
    def change_saved(self, change_id: str) -> int | None:
        rows = self._read("SELECT revision FROM changes WHERE change_id = ?", [change_id])
        return rows[0][0] if rows else None

    def revision(self) -> int:
        return self._read("SELECT value FROM meta WHERE key = 'revision'")[0][0]

    def get_nodes(self, ids) -> dict[str, dict]:
        try:
            return self._fetch(self._conn(), list(ids))
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"the registry database could not be read: {exc}") from exc

    def labels_of(self, ids) -> dict[str, str]:
        return self._labels(self._conn(), ids)

    def list_nodes(self, label=None, limit=100, offset=0) -> list[dict]:
        rows = self._read("SELECT id, label, name, props, version FROM nodes WHERE (:label IS NULL OR label = :label) "
                          "ORDER BY label, name COLLATE NOCASE, id LIMIT :limit OFFSET :offset",
                          {"label": label, "limit": limit, "offset": offset})
        return [_node(r) for r in rows]

    def count_nodes(self, label=None) -> int:
        if label:
            return self._read("SELECT count(*) FROM nodes WHERE label = ?", [label])[0][0]
        return self._read("SELECT count(*) FROM nodes")[0][0]

    def edges_of(self, node_id, direction="both", types=None) -> list[dict]:
        params = {"id": node_id, "types": json.dumps(list(types)) if types else None,
                  "out": direction in ("out", "both"), "in": direction in ("in", "both")}
        rows = self._read("SELECT type, src, dst, props FROM edges WHERE :out AND src = :id AND (:types IS NULL OR type IN (SELECT value FROM json_each(:types))) UNION "
                          "SELECT type, src, dst, props FROM edges WHERE :in AND dst = :id AND (:types IS NULL OR type IN (SELECT value FROM json_each(:types))) "
                          "ORDER BY 1, 2, 3", params)
        return [_edge(r) for r in rows]

    def iter_nodes(self, batch=5000) -> Iterator[dict]:
        last = ""
        while True:
            rows = self._read("SELECT id, label, name, props, version FROM nodes WHERE id > ? ORDER BY id LIMIT ?",
                              [last, batch])
            if not rows:
                return
            for row in rows:
                yield strip_meta(_node(row))
            last = rows[-1][0]

    def iter_edges(self, batch=5000) -> Iterator[dict]:
        last = ("", "", "")
        while True:
            rows = self._read("SELECT type, src, dst, props FROM edges WHERE (type, src, dst) > (?, ?, ?) "
                              "ORDER BY type, src, dst LIMIT ?", [*last, batch])
            if not rows:
                return
            for row in rows:
                yield _edge(row)
            last = rows[-1][:3]

    def counts(self) -> dict:
        return {"nodes": dict(self._read("SELECT label, count(*) FROM nodes GROUP BY label ORDER BY label")),
                "edges": dict(self._read("SELECT type, count(*) FROM edges GROUP BY type ORDER BY type"))}

    def search_text(self, text, label=None, limit=20) -> list[dict]:
        words = [w for w in text.lower().split() if w][:10]
        if not words:
            return []
        patterns = ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words]
        rows = self._read(
            "SELECT id, label, name, props, version FROM nodes WHERE (:label IS NULL OR label = :label) "
            "AND NOT EXISTS (SELECT 1 FROM json_each(:words) AS w WHERE NOT "
            "(lower(name) LIKE w.value ESCAPE '\\' OR lower(props) LIKE w.value ESCAPE '\\')) "
            "ORDER BY length(name), name LIMIT :limit",
            {"label": label, "words": json.dumps(patterns), "limit": limit})
        return [_node(r) for r in rows]

    def neighbourhood(self, ids, depth=1, types=None, max_nodes=None) -> nx.MultiDiGraph:
        types_json = json.dumps(list(types)) if types else None
        seen = list(dict.fromkeys(self.labels_of(ids)))
        if max_nodes is not None:
            seen = seen[:max_nodes]
        frontier, included = list(seen), set(seen)
        for _ in range(depth):
            if not frontier or (max_nodes is not None and len(included) >= max_nodes):
                break
            nxt = []
            rows = self._read("SELECT dst FROM edges WHERE src IN (SELECT value FROM json_each(:ids)) AND (:types IS NULL OR type IN (SELECT value FROM json_each(:types))) "
                              "UNION SELECT src FROM edges WHERE dst IN (SELECT value FROM json_each(:ids)) AND (:types IS NULL OR type IN (SELECT value FROM json_each(:types))) ORDER BY 1",
                              {"ids": json.dumps(frontier), "types": types_json})
            for (other,) in rows:
                if other not in included and (max_nodes is None or len(included) < max_nodes):
                    included.add(other)
                    nxt.append(other)
            frontier = nxt
        return self._subgraph(sorted(included), types_json)

    def _subgraph(self, ids: list[str], types_json: str | None) -> nx.MultiDiGraph:
        nodes = self.get_nodes(ids)
        rows = self._read("SELECT type, src, dst, props FROM edges WHERE src IN (SELECT value FROM json_each(:ids)) AND dst IN (SELECT value FROM json_each(:ids)) "
                          "AND (:types IS NULL OR type IN (SELECT value FROM json_each(:types)))", {"ids": json.dumps(ids), "types": types_json})
        return graph_from_records((nodes[i] for i in ids if i in nodes), [_edge(r) for r in rows])

    def changes_since(self, revision: int) -> list[tuple[int, dict]] | None:
        conn = self._conn()
        try:
            conn.execute("BEGIN")
            try:
                current = self._revision(conn)
                rows = conn.execute("SELECT revision, entry FROM changes WHERE revision > ? ORDER BY revision",
                                    (revision,)).fetchall()
            finally:
                conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"the registry database could not be read: {exc}") from exc
        return complete_log(revision, current, [(r, json.loads(e)) for r, e in rows])

    def load_state(self, build):
        conn = self._conn()
        loads = json.loads
        try:
            conn.execute("BEGIN")
            try:
                revision = self._revision(conn)

                def nodes():  # generators, so each query runs only once the one before is read
                    for r in conn.execute("SELECT id, label, name, props, version FROM nodes"):
                        yield _node(r)

                def edges():
                    for t, s, d, p in conn.execute("SELECT type, src, dst, props FROM edges"):
                        yield t, s, d, {} if p == "{}" else loads(p)
                return build(revision, nodes(), edges())
            finally:
                conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise StoreUnavailable(f"the registry database could not be read: {exc}") from exc

    def wipe(self) -> None:
        with self._write() as conn:
            for statement in ("DELETE FROM edges", "DELETE FROM nodes", "DELETE FROM audit", "DELETE FROM tokens",
                              "DELETE FROM sessions", "DELETE FROM changes", "DELETE FROM route_reports"):
                conn.execute(statement)
            self._log(conn, self._bump(conn), {"reload": True})

    # -- tokens and audit ----------------------------------------------------
    def add_token(self, name, role, token_hash) -> None:
        with self._write() as conn:
            try:
                conn.execute("INSERT INTO tokens(name, role, hash, created) VALUES (?,?,?,?)",
                             (name, role, token_hash, _now()))
            except sqlite3.IntegrityError as exc:
                raise DuplicateNode(name) from exc

    def find_token(self, token_hash) -> dict | None:
        rows = self._read("SELECT name, role, created, revoked FROM tokens WHERE hash = ? AND revoked IS NULL",
                          [token_hash])
        return dict(zip(("name", "role", "created", "revoked"), rows[0])) if rows else None

    def list_tokens(self) -> list[dict]:
        rows = self._read("SELECT name, role, created, revoked FROM tokens ORDER BY created, name")
        return [dict(zip(("name", "role", "created", "revoked"), r)) for r in rows]

    def revoke_token(self, name) -> bool:
        with self._write() as conn:
            cur = conn.execute("UPDATE tokens SET revoked = ? WHERE name = ? AND revoked IS NULL", (_now(), name))
            return cur.rowcount > 0

    def add_session(self, sid_hash, token_hash, started, oldest) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM sessions WHERE started < ?", (oldest,))
            conn.execute("INSERT INTO sessions(sid_hash, token_hash, started) VALUES (?,?,?)",
                         (sid_hash, token_hash, started))

    def session_token(self, sid_hash, token_hash, oldest) -> dict | None:
        rows = self._read("SELECT t.name, t.role, t.created, t.revoked FROM sessions s JOIN tokens t "
                          "ON t.hash = s.token_hash WHERE s.sid_hash = ? AND s.token_hash = ? AND s.started >= ? "
                          "AND t.revoked IS NULL", [sid_hash, token_hash, oldest])
        return dict(zip(("name", "role", "created", "revoked"), rows[0])) if rows else None

    def end_session(self, sid_hash) -> None:
        with self._write() as conn:
            conn.execute("DELETE FROM sessions WHERE sid_hash = ?", (sid_hash,))

    def audit_entries(self, target=None, limit=100, before_seq=None) -> list[dict]:
        params = {"target": target, "before": before_seq, "limit": limit}
        # Two fixed queries, so a record's history uses the (target, seq) index.
        rows = self._read("SELECT seq, at, actor, action, target, before, after FROM audit WHERE target = :target "
                          "AND (:before IS NULL OR seq < :before) ORDER BY seq DESC LIMIT :limit" if target else
                          "SELECT seq, at, actor, action, target, before, after FROM audit "
                          "WHERE (:before IS NULL OR seq < :before) ORDER BY seq DESC LIMIT :limit", params)
        keys = ("seq", "at", "actor", "action", "target", "before", "after")
        return [{**dict(zip(keys, r)), "before": json.loads(r[5]) if r[5] else None,
                 "after": json.loads(r[6]) if r[6] else None} for r in rows]

    # -- route reports ---------------------------------------------------------
    @staticmethod
    def _bump_reports(conn) -> None:
        conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'reports'")

    def add_report(self, report, at=None) -> dict:
        with self._write() as conn:
            row = prepare_report(report, lambda ids: self._labels(conn, ids), at)
            body = {k: v for k, v in row.items() if k not in ("id", "at", "status", "contact")}
            conn.execute("INSERT INTO route_reports(id, at, status, contact, body) VALUES (?,?,?,?,?)",
                         (row["id"], row["at"], row["status"], row["contact"], _canon(body)))
            self._bump_reports(conn)
        return row

    @staticmethod
    def _report(row) -> dict:
        return {"id": row[0], "at": row[1], "status": row[2], "contact": row[3], **json.loads(row[4])}

    def reports(self, since=None, statuses=None, contact=None, limit=10_000) -> list[dict]:
        rows = self._read("SELECT id, at, status, contact, body FROM route_reports WHERE (:since IS NULL OR at >= :since) "
                          "AND (:statuses IS NULL OR status IN (SELECT value FROM json_each(:statuses))) "
                          "AND (:contact IS NULL OR contact = :contact) ORDER BY at DESC, seq DESC LIMIT :limit",
                          {"since": since, "statuses": json.dumps(list(statuses)) if statuses is not None else None,
                           "contact": contact, "limit": limit})
        return [self._report(r) for r in rows]

    def reports_by_id(self, ids) -> list[dict]:
        rows = self._read("SELECT id, at, status, contact, body FROM route_reports WHERE id IN "
                          "(SELECT value FROM json_each(:ids)) ORDER BY at DESC, seq DESC", {"ids": json.dumps(list(ids))})
        return [self._report(r) for r in rows]

    def resolve_reports(self, ids, status, actor, note=None) -> list[dict]:
        ids = list(dict.fromkeys(ids))
        with self._write() as conn:
            found = {r[0]: self._report(r) for r in conn.execute(
                "SELECT id, at, status, contact, body FROM route_reports WHERE id IN (SELECT value FROM json_each(:ids))",
                {"ids": json.dumps(ids)})}
            out, entries, now = [], [], _now()
            for report_id in ids:
                if report_id not in found:
                    raise NodeNotFound(report_id)
                after, entry = resolved(found[report_id], status, actor, note, now)
                body = {k: v for k, v in after.items() if k not in ("id", "at", "status", "contact")}
                conn.execute("UPDATE route_reports SET status = ?, body = ? WHERE id = ?",
                             (after["status"], _canon(body), report_id))
                out.append(after)
                entries.append(entry)
            self._audit(conn, entries)
            if out:
                self._bump_reports(conn)
        return out

    def reports_stamp(self) -> int:
        return self._read("SELECT value FROM meta WHERE key = 'reports'")[0][0]

    def stamps(self) -> tuple[int, int]:
        found = dict(self._read("SELECT key, value FROM meta WHERE key IN ('revision', 'reports')"))
        return found["revision"], found["reports"]
