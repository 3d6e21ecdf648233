"""Limits on a request body, checked before anything parses it: its size (413) and its JSON nesting (400).

Python's JSON parser recurses once per level, so a body nested 50,000 deep would exhaust it
inside webargs or the importer; and a body is read into memory whole. So before any view (or
its argument parser) runs, a JSON body larger than its view allows is refused with 413, and
one nested deeper than :data:`graph.model.MAX_JSON_DEPTH` with 400 naming where. Both answers
are the one error envelope (``registry.errors``) and name the limit.

A view that takes whole documents says so with a class attribute ``MAX_BODY = "MAX_CONTENT_LENGTH"``
(the import); every other JSON body carries one record or a small query, and may be at most
:data:`graph.model.MAX_RECORD_BYTES`.
"""
from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from graph import model
from graph.errors import InvalidRecord, Problem

from .auth import allows, current_identity
from .errors import TooLarge

BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def body_limit(app, view) -> tuple[int, str]:
    """The largest JSON body ``view`` takes, in bytes, and the name of that limit.

    >>> from flask import Flask
    >>> class Import:
    ...     MAX_BODY = "MAX_CONTENT_LENGTH"
    >>> app = Flask("x"); app.config["MAX_CONTENT_LENGTH"] = 10
    >>> body_limit(app, type("V", (), {"view_class": Import})), body_limit(app, None)[1]
    ((10, 'MAX_CONTENT_LENGTH'), 'graph.model.MAX_RECORD_BYTES')
    """
    if getattr(getattr(view, "view_class", None), "MAX_BODY", None) == "MAX_CONTENT_LENGTH":
        return app.config["MAX_CONTENT_LENGTH"], "MAX_CONTENT_LENGTH"
    return model.MAX_RECORD_BYTES, "graph.model.MAX_RECORD_BYTES"


def body_problem(data: bytes, whole_document: bool) -> Problem | None:
    """What is wrong with a JSON body before a view's parser sees it; None when nothing is.

    Its nesting is checked for every body. A body of one record is also parsed here (it is
    small), so that what Python's parser raises beyond JSON's syntax errors (a number of more
    than 4300 digits, bytes that are not UTF-8) is a 400 too; a whole document is parsed once,
    by the importer, which reports the same.

    >>> str(body_problem(b'{"tags": ' + b"[" * 40 + b"]" * 40 + b"}", True))
    'body: tags[0]: nests deeper than 32 levels (the limit for JSON)'
    >>> str(body_problem(b'{"capacity": ' + b"9" * 5000 + b"}", False))[:42]
    'body: is not valid JSON: Exceeds the limit'
    >>> body_problem(b'{"tags": ["a"]}', False) is None
    True
    """
    try:
        if whole_document:
            path = model.json_too_deep(data.decode("utf-8-sig"), model.MAX_JSON_DEPTH)
            if path is not None:
                raise model.TooDeep(path, model.MAX_JSON_DEPTH)
        else:
            model.read_json(data)
    except model.TooDeep as exc:
        return Problem("body", exc.path, str(exc))
    except ValueError as exc:
        return Problem("body", "", f"is not valid JSON: {exc}")
    return None


def check_json_body() -> None:
    """``before_request``: refuse a JSON body too large (413) or too deep (400) before it is parsed."""
    if request.method not in BODY_METHODS or not request.is_json:
        return
    limit, name = body_limit(current_app, current_app.view_functions.get(request.endpoint))
    if request.content_length is not None and request.content_length > limit:
        raise TooLarge(request.content_length, limit, name)
    request.max_content_length = limit  # a body without Content-Length is cut off at the limit too
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge:  # no Content-Length, and more arrived than the limit
        raise TooLarge(None, limit, name) from None
    if _refused_caller(current_app.view_functions.get(request.endpoint)):
        return  # the view answers 401 or 403 before anything reads the body: who you are comes first
    problem = body_problem(data, whole_document=name == "MAX_CONTENT_LENGTH")
    if problem is not None:
        raise InvalidRecord([problem])


def _refused_caller(view) -> bool:
    """True when the view needs a role (``registry.auth.requires``) the request's token does not give."""
    method = getattr(getattr(view, "view_class", None), request.method.lower(), None)
    needed = getattr(method, "required_role", None)
    if needed is None:
        return False
    identity = current_identity()
    return identity is None or not allows(identity.role, needed)


def init_app(app) -> None:
    app.before_request(check_json_body)
