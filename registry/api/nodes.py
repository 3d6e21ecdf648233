"""Records: list, search, read, create, change and delete, with no lost updates.

Every record carries a ``version``; reading one returns it as the ``ETag``. A
change or delete must send it back in ``If-Match`` (428 without it) and is
refused with 412 when the record changed since. Deleting a record that has
relationships answers 409 listing them, unless ``?confirm=true``.
"""
from __future__ import annotations

import re

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from graph import model
from graph.errors import InvalidRecord, NodeNotFound, Problem, VersionConflict
from graph.search import text_search
from graph.stores import Change
from graph.stores.base import strip_meta

from ..auth import require_role, requires
from ..errors import Conflict, PreconditionRequired
from ..ratelimit import check as rate_limit
from ..store import get_store, snapshot
from .schemas import DeleteQuerySchema, NodeOutSchema, NodePageSchema, NodePatchSchema, NodeQuerySchema, NodeSchema

blp = Blueprint("nodes", __name__, description="Records of every label: producers, statistics, topics, publics, "
                                               "intermediaries, user groups, engagements and user needs.")
WRITE = [{"bearer": []}]
IF_MATCH = {"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
            "description": "the ETag of the record as you last read it"}


class UnknownETag(VersionConflict):
    """An If-Match that no version of the record could have had (412, like any stale ETag)."""

    def __init__(self, header: str):
        self.node_id, self.expected, self.actual = None, None, None
        Exception.__init__(self, f"If-Match {header[:40]!r} is not an ETag this API gives: read the record again")


def etag(node: dict) -> str:
    """The ETag of a record: its version, quoted.

    >>> etag({"version": 3})
    '"3"'
    """
    return f'"{node["version"]}"'


def parse_if_match(header: str) -> int | None:
    """The version an If-Match header names; None when it names none we could have sent.

    >>> parse_if_match('"3"'), parse_if_match('W/"3"'), parse_if_match("3"), parse_if_match('"x"')
    (3, 3, 3, None)
    """
    match = re.fullmatch(r'\s*(?:W/)?"?(\d{1,18})"?\s*', header)
    return int(match.group(1)) if match else None


def expected_version() -> int:
    """The version the caller read, from If-Match: 428 without it, 412 when it cannot match."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired("send the record's ETag in If-Match (read the record first), so that "
                                   "changes made by someone else since are not lost")
    version = parse_if_match(header)
    if version is None:
        raise UnknownETag(header)
    return version


def connections(store, node_id: str) -> list[dict]:
    """The relationships that go when the record goes, as ``{type, from, to}``."""
    return [{"type": e["type"], "from": e["from"], "to": e["to"]} for e in store.edges_of(node_id)]


def _checked_write(node_id: str, role: str):
    """The caller, the record and the version it was read at, once the role, the rate limit
    and ``If-Match`` allow a write to it (401/403, 429, 428 or 412 otherwise)."""
    identity = require_role(role)
    expected = expected_version()
    rate_limit("write")
    current = _found(node_id)
    if current["version"] != expected:
        raise VersionConflict(node_id, expected, current["version"])
    return identity, current, expected


@blp.route("/nodes")
class Nodes(MethodView):
    @blp.arguments(NodeQuerySchema, location="query")
    @blp.response(200, NodePageSchema)
    def get(self, args):
        """List records, optionally of one label or matching some words

        Ordered by label then name. With ``q``, records whose name, tags or
        description contain every word, shortest names first.
        """
        store = get_store()
        label, limit, offset = args.get("label"), args["limit"], args["offset"]
        if args.get("q"):
            found = text_search(snapshot(), args["q"], label=label, limit=offset + limit)
            return {"items": found[offset:], "total": len(found), "limit": limit, "offset": offset}
        return {"items": store.list_nodes(label, limit=limit, offset=offset), "total": store.count_nodes(label),
                "limit": limit, "offset": offset}

    @requires("editor")
    @blp.arguments(NodeSchema)
    @blp.response(201, NodeOutSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.doc(security=WRITE)
    def post(self, record):
        """Create a record (editor)

        Refused with 409 when the id is taken, and 400 naming each field that
        breaks the model's rules.
        """
        identity = require_role("editor")
        rate_limit("write")
        store = get_store()
        store.apply(Change(put_nodes=[record], expect={record["id"]: 0}, actor=identity.actor, action="api"))
        node = store.get_node(record["id"])
        return node, 201, {"ETag": etag(node), "Location": url_for("nodes.Node", node_id=node["id"])}


@blp.route("/nodes/<node_id>")
class Node(MethodView):
    @blp.response(200, NodeOutSchema, headers={"ETag": {"schema": {"type": "string"}}})
    def get(self, node_id):
        """Read one record; its version comes back as the ETag"""
        # from the read model, caught up with the store at this request (no second round trip)
        node = snapshot().graph._node.get(node_id)
        if node is None:
            raise NodeNotFound(node_id)
        return node, 200, {"ETag": etag(node)}

    @requires("editor")
    @blp.arguments(NodePatchSchema)
    @blp.response(200, NodeOutSchema, headers={"ETag": {"schema": {"type": "string"}}})
    @blp.doc(security=WRITE, parameters=[IF_MATCH])
    def patch(self, changes, node_id):
        """Change some properties of a record (editor)

        Send the ETag you read in ``If-Match``. A property set to null is removed.
        The id and label cannot change.
        """
        identity, current, expected = _checked_write(node_id, "editor")
        store = get_store()
        where = model.node_where(current)
        fixed = [Problem(where, key, "cannot be changed; create a new record instead")
                 for key in ("id", "label") if key in changes and changes[key] != current[key]]
        if fixed:
            raise InvalidRecord(fixed)
        record = strip_meta(current)
        for key, value in changes.items():
            if key in ("id", "label"):
                continue
            if value is None:
                record.pop(key, None)
            else:
                record[key] = value
        store.apply(Change(put_nodes=[record], expect={node_id: expected}, actor=identity.actor, action="api"))
        node = _found(node_id)
        return node, 200, {"ETag": etag(node)}

    @requires("admin")
    @blp.arguments(DeleteQuerySchema, location="query")
    @blp.response(204)
    @blp.doc(security=WRITE, parameters=[IF_MATCH])
    def delete(self, args, node_id):
        """Delete a record (admin)

        A record with relationships is only deleted with ``?confirm=true``; the
        409 answer otherwise lists the relationships that would go with it.
        """
        identity, current, expected = _checked_write(node_id, "admin")
        store = get_store()
        linked = connections(store, node_id)
        if linked and not args["confirm"]:
            raise Conflict(f"record '{node_id}' has {len(linked)} relationship{'s' if len(linked) != 1 else ''} "
                           "that would be deleted with it: send confirm=true to delete them too",
                           {"relationships": linked})
        store.apply(Change(delete_nodes=[node_id], expect={node_id: expected}, actor=identity.actor, action="api"))
        return None


def _found(node_id: str) -> dict:
    node = get_store().get_node(node_id)
    if node is None:
        raise NodeNotFound(node_id)
    return node
