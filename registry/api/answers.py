"""Every status each API operation can answer, in the OpenAPI document.

flask-smorest documents the success and, for operations with arguments, 400; anything else
went under a catch-all ``default``, so a client could not tell that a write may answer 428 or
412. This apispec plugin lists the others explicitly, from what the operation is (its body,
its parameters, its security, its If-Match header) and, where only the view knows, from
:data:`EXTRA`. ``tests/test_fuzz_api.py`` checks every answer against the list.
"""
from __future__ import annotations

from http import HTTPStatus

from apispec import BasePlugin

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}

WHY = {
    400: "The request is not valid: the errors name each field",
    401: "No token, or one that is not valid: send Authorization: Bearer <token>",
    403: "The token's role does not allow this",
    404: "No record (or relationship) with that id",
    409: "It conflicts with what the registry holds (the message says what)",
    412: "The record changed since you read it: read it again (its ETag) and retry",
    413: "The body is larger than the limit, or nested deeper than the model allows",
    428: "Send If-Match with the ETag you read",
    429: "Too many writes from this client: wait for Retry-After seconds",
    503: "The registry's database is unavailable: try again later",
}

# Statuses only the view can know, by (method, path).
EXTRA: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/api/v1/nodes"): (409,),
    ("delete", "/api/v1/nodes/{node_id}"): (409,),
    ("delete", "/api/v1/edges"): (404,),
    ("get", "/api/v1/signpost"): (404,),
    ("get", "/api/v1/map"): (404,),
    ("post", "/api/v1/burden/check"): (404,),
    ("get", "/api/v1/needs"): (404,),
    ("post", "/api/v1/needs"): (404, 409),
    ("post", "/api/v1/tokens"): (409,),
    ("post", "/api/v1/import"): (409,),
}


def statuses(method: str, path: str, operation: dict) -> set[int]:
    """The error statuses an operation can answer besides those flask-smorest documents.

    >>> sorted(statuses("patch", "/api/v1/nodes/{node_id}", {"security": [{"bearer": []}], "requestBody": {},
    ...        "parameters": [{"in": "header", "name": "If-Match"}]}))
    [400, 401, 403, 404, 412, 413, 428, 429, 503]
    >>> sorted(statuses("get", "/api/v1/search", {"parameters": [{"in": "query", "name": "q"}]}))
    [400, 503]
    """
    found = {503}
    parameters = operation.get("parameters", [])
    if "requestBody" in operation:
        found |= {400, 413}
    if any(p.get("in") == "query" for p in parameters):
        found.add(400)
    if "/{" in path:
        found.add(404)
    if operation.get("security"):
        found |= {401, 403}
        if method != "get":
            found.add(429)
    if any(p.get("in") == "header" and p.get("name") == "If-Match" for p in parameters):
        found |= {412, 428}
    return found | set(EXTRA.get((method, path), ()))


class ErrorAnswers(BasePlugin):
    """Adds each operation's error answers, with the one error envelope as their body."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            responses.pop("default", None)
            for status in sorted(statuses(method, path or "", operation)):
                responses.setdefault(str(status), {"description": f"{HTTPStatus(status).phrase}: {WHY[status]}",
                                                   "content": ERROR})
