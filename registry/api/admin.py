"""Tokens and the audit trail (admin)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from ..auth import hash_token, new_token, require_role, requires
from ..errors import Conflict
from ..ratelimit import check as rate_limit
from ..store import get_store
from .schemas import AuditEntrySchema, AuditQuerySchema, NewTokenSchema, TokenCreateSchema, TokenSchema

blp = Blueprint("tokens", __name__, description="API tokens and the audit trail: admin only.")
ADMIN = [{"bearer": []}]


@blp.route("/tokens")
class Tokens(MethodView):
    @requires("admin")
    @blp.response(200, TokenSchema(many=True))
    @blp.doc(security=ADMIN)
    def get(self):
        """List tokens: names, roles and dates, never the tokens themselves"""
        require_role("admin")
        return get_store().list_tokens()

    @requires("admin")
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, NewTokenSchema)
    @blp.doc(security=ADMIN)
    def post(self, body):
        """Create a token; the answer is the only time it is shown (only its hash is kept)"""
        require_role("admin")
        rate_limit("write")
        store = get_store()
        if any(t["name"] == body["name"] for t in store.list_tokens()):
            raise Conflict(f"a token named '{body['name']}' already exists: choose another name",
                           {"name": ["is already taken"]})
        value = new_token()
        store.add_token(body["name"], body["role"], hash_token(value))
        created = next(t for t in store.list_tokens() if t["name"] == body["name"])
        return {**created, "token": value}, 201


@blp.route("/tokens/<name>")
class Token(MethodView):
    @requires("admin")
    @blp.response(204)
    @blp.doc(security=ADMIN)
    def delete(self, name):
        """Revoke a token by name; it stops working at once"""
        require_role("admin")
        rate_limit("write")
        store = get_store()
        if not store.revoke_token(name):
            if any(t["name"] == name for t in store.list_tokens()):
                raise Conflict(f"the token named '{name}' is already revoked", {"name": ["is already revoked"]})
            raise NotFound(f"no token named '{name}'")
        return None


@blp.route("/audit")
class Audit(MethodView):
    @requires("admin")
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.doc(security=ADMIN)
    def get(self, args):
        """The audit trail, newest first: who changed what, when, and the values before and after"""
        require_role("admin")
        return get_store().audit_entries(target=args.get("target"), limit=args["limit"],
                                         before_seq=args.get("before"))
