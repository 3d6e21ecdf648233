"""Helpers shared by the web forms: who may open them, the status they answer, GOV.UK date inputs."""
from __future__ import annotations

from functools import wraps
from typing import Iterable
from urllib.parse import quote

from flask import redirect, request

from graph import model
from graph.errors import InvalidRecord

from .auth import current_identity, require_role
from .redirects import local_path


def sign_in_first(role: str = "editor"):
    """Decorator for the editors' pages: a signed-out visitor is sent to sign in and brought back.

    Signed in with too small a role, the page answers 403. Every form page behaves alike,
    GET or POST (a POST returns to the form, not to what was posted).
    """
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_identity() is None:
                path = request.full_path.rstrip("?") if request.method == "GET" else request.path
                return redirect("/account/sign-in?next=" + quote(local_path(path), safe="/"))
            require_role(role)
            return view(*args, **kwargs)
        return wrapper
    return decorate


def form_status(errors) -> int:
    """The status of a form page: 400 when shown again with errors, 200 otherwise — on every form.

    >>> form_status({}), form_status({"name": "is required"}), form_status(None)
    (200, 400, 200)
    """
    return 400 if errors else 200


def refusal(exc: InvalidRecord) -> str:
    """The store's reasons for refusing a change, as the text of one error message.

    >>> from graph.errors import Problem
    >>> refusal(InvalidRecord([Problem("node 'e'", "INVOLVED", "a held engagement must involve a public")]))
    "This cannot be done: node 'e': a held engagement must involve a public"
    """
    return "This cannot be done: " + "; ".join(f"{p.record}: {p.message}" for p in exc.problems)


def form_date(form, key: str) -> str | None:
    """The ISO text of a GOV.UK date input; None when all three boxes are blank.

    The boxes are read by :func:`graph.model.date_from_parts` (ASCII digits only: ``²`` and ``٣``
    are not digits here). Malformed input is returned as typed, so the model's message names the field.

    >>> form_date({"start-day": "7", "start-month": "3", "start-year": "2026"}, "start")
    '2026-03-07'
    >>> form_date({}, "start") is None, form_date({"start-day": "31", "start-month": "x"}, "start")
    (True, '31-x-')
    >>> form_date({"as_of-day": "²", "as_of-month": "3", "as_of-year": "2026"}, "as_of")
    '²-3-2026'
    """
    return model.date_from_parts(*(form.get(f"{key}-{k}") or "" for k in ("day", "month", "year")))


def box_value(prop: model.Prop | None, raw: str | None):
    """The value one form box holds, by :func:`graph.model.value_from_text`; None when it is blank.

    A box is trimmed; a text area keeps its inner line breaks, as ``\\n`` rather than the
    ``\\r\\n`` browsers send (the model allows no carriage return).

    >>> box_value(model.Prop("int"), " 8 "), box_value(model.Prop("text"), "a\\r\\nb\\r\\n"), box_value(None, "  ")
    (8, 'a\\nb', None)
    >>> box_value(model.Prop("number"), "²").why
    'must be a number'
    """
    raw = raw or ""
    if not raw.strip():
        return None
    if prop is not None and prop.kind == "text":
        return model.value_from_text(prop, raw.replace("\r\n", "\n").strip("\n"))
    return model.value_from_text(prop, raw.strip())


def date_parts(values: dict, keys: Iterable[str]) -> dict:
    """Form values with each ISO date in ``keys`` split into the three boxes.

    >>> date_parts({"start": "2026-03-07", "name": "x"}, ["start", "end"])
    {'start': '2026-03-07', 'name': 'x', 'start-day': '7', 'start-month': '3', 'start-year': '2026'}
    """
    out = dict(values)
    for key in keys:
        parsed = model.parse_date(values.get(key))
        if parsed:
            out.update({f"{key}-day": str(parsed.day), f"{key}-month": str(parsed.month),
                        f"{key}-year": str(parsed.year)})
    return out
