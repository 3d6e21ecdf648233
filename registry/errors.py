"""One error envelope for every error: ``{code, status, message, errors}``.

API paths get JSON; pages get the same facts on a GOV.UK error page. Domain
errors map to HTTP statuses here, in one table, and nowhere else. No stack
trace ever reaches a client.
"""
from __future__ import annotations

from http import HTTPStatus

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, SecurityError

from graph.errors import (AuthError, DuplicateNode, EdgeNotFound, InvalidRecord, NodeNotFound, PathwaysError,
                          StoreUnavailable, VersionConflict)

STATUS_OF = {
    InvalidRecord: 400,
    AuthError: 401,
    NodeNotFound: 404,
    EdgeNotFound: 404,
    DuplicateNode: 409,
    VersionConflict: 412,
    StoreUnavailable: 503,
}


class Forbidden(AuthError):
    """Signed in, but the role does not allow this."""


class PreconditionRequired(PathwaysError):
    code = "precondition_required"


class RateLimited(PathwaysError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int | None = None):
        self.retry_after = retry_after
        super().__init__(message)


class TooLarge(PathwaysError):
    """A request body larger than the limit for where it was sent; the message names the limit.

    >>> str(TooLarge(2_000_000, 1_048_576, "graph.model.MAX_RECORD_BYTES"))
    'the request body is 2,000,000 bytes; the limit here is 1,048,576 bytes (graph.model.MAX_RECORD_BYTES)'
    """

    code = "too_large"

    def __init__(self, size: int | None, limit: int | None, name: str):
        self.size, self.limit = size, limit
        told = f"is {size:,} bytes" if size is not None else "is larger than the limit"
        super().__init__(f"the request body {told}; the limit here is {limit or 0:,} bytes ({name})")


class Conflict(PathwaysError):
    """The request cannot be done as asked; ``errors`` says what stands in the way."""

    code = "conflict"

    def __init__(self, message: str, errors: dict | None = None):
        self.errors = errors or {}
        super().__init__(message)


STATUS_OF.update({Forbidden: 403, PreconditionRequired: 428, RateLimited: 429, Conflict: 409, TooLarge: 413})


def status_for(exc: PathwaysError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 400


def envelope(status: int, message: str, errors=None) -> dict:
    """The error body every client sees.

    >>> envelope(404, "no record with id 'x'")
    {'code': 404, 'status': 'Not Found', 'message': "no record with id 'x'", 'errors': {}}
    """
    return {"code": status, "status": HTTPStatus(status).phrase, "message": message, "errors": errors or {}}


def wants_json() -> bool:
    """The APIs (ours and the HSDS one) answer errors as JSON; pages as pages unless JSON is asked for."""
    return request.path.startswith(("/api/", "/hsds/")) or request.accept_mimetypes.best == "application/json"


def respond(status: int, message: str, errors=None, headers=None):
    if wants_json():
        response = jsonify(envelope(status, message, errors))
    else:
        response = current_app.make_response(
            (render_template("error.html", status=status, phrase=HTTPStatus(status).phrase, message=message,
                             errors=errors or {}), status))
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def unavailable(exc: StoreUnavailable) -> tuple[str, dict]:
    """What a client is told when the store is down: the message and ``errors``.

    Nothing about the infrastructure (the store's own message, with its address and the
    driver's words, goes to the log), and "not saved" only when the store knows it.

    >>> unavailable(StoreUnavailable("Neo4j at neo4j://10.0.0.5:7687 is unavailable"))
    ('The registry is unavailable at the moment. Try again in a few minutes.', {})
    >>> unavailable(StoreUnavailable("…", StoreUnavailable.NOT_SAVED, "c1"))[1]
    {'change': {'id': 'c1', 'saved': False}}
    """
    if exc.outcome == StoreUnavailable.NOT_SAVED:
        message = "The registry is unavailable at the moment and your change was not saved. " \
                  "Try again in a few minutes."
        saved = False
    elif exc.outcome == StoreUnavailable.UNKNOWN:
        message = ("The registry became unavailable while saving your change, and it could not be checked "
                   "whether the change was saved. Look at the record in a few minutes before you try again.")
        saved = None
    else:
        return "The registry is unavailable at the moment. Try again in a few minutes.", {}
    return message, {"change": {"id": exc.change_id, "saved": saved}}


def problems_as_errors(exc: InvalidRecord) -> dict:
    """Per-field messages, grouped by record: ``{record: {field: [messages]}}``."""
    grouped: dict = {}
    for p in exc.problems:
        grouped.setdefault(p.record, {}).setdefault(p.field or "_record", []).append(p.message)
    return grouped


def first_message(errors) -> str | None:
    """The first of webargs' ``{location: {field: [messages]}}``, as one line.

    >>> first_message({"query": {"before": ["Must be at most 9."]}}), first_message({})
    ('query: before: Must be at most 9.', None)
    """
    for location, fields in (errors or {}).items():
        if isinstance(fields, dict):
            for field, messages in fields.items():
                if isinstance(messages, list) and messages and isinstance(messages[0], str):
                    return f"{location}: {field}: {messages[0]}"
    return None


def too_large_message() -> str:
    """What werkzeug's 413 means for this request, naming the limit it passed."""
    limit = request.max_content_length
    if limit is None or (request.content_length or 0) > limit or request.content_length is None:
        return str(TooLarge(request.content_length, limit, "MAX_CONTENT_LENGTH"))
    return (f"a field of the form is larger than {request.max_form_memory_size or 0:,} bytes "
            f"(MAX_FORM_MEMORY_SIZE) or the form has more than {request.max_form_parts or 0:,} parts "
            "(MAX_FORM_PARTS)")


def init_app(app: Flask) -> None:
    @app.errorhandler(PathwaysError)
    def _domain(exc: PathwaysError):
        status = status_for(exc)
        errors = problems_as_errors(exc) if isinstance(exc, InvalidRecord) else getattr(exc, "errors", None)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if getattr(exc, "retry_after", None):
            headers["Retry-After"] = str(exc.retry_after)
        message = str(exc)
        if isinstance(exc, StoreUnavailable):
            app.logger.error("store unavailable (%s %s): %s", request.method, request.path, exc)
            message, errors = unavailable(exc)
            headers["Retry-After"] = "30"
        return respond(status, message, errors, headers)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        data = getattr(exc, "data", None) or {}
        errors = data.get("messages") or data.get("errors")
        message = exc.description if isinstance(exc.description, str) else HTTPStatus(exc.code).phrase
        if isinstance(exc, RequestEntityTooLarge):  # werkzeug's, reading a form or an upload
            message = too_large_message()
        elif errors and exc.description == type(exc).description:  # webargs': say the first problem
            message = first_message(errors) or message
        passed_on = {k: v for k, v in exc.get_headers() if k in ("Allow", "Retry-After", "WWW-Authenticate")}
        return respond(exc.code or 500, message, errors, passed_on)

    @app.errorhandler(SecurityError)
    def _untrusted(exc: SecurityError):
        # A Host outside TRUSTED_HOSTS is refused before routing, so no URL can be built for
        # the error page; the answer is plain and does not repeat the host it was sent.
        message = "Pathways does not answer on this address."
        if wants_json():
            return jsonify(envelope(400, message)), 400
        return Response(message + "\n", 400, mimetype="text/plain")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unexpected error")
        return respond(500, "Something went wrong on our side. The error has been logged.")
