"""Helpers shared by the web forms: GOV.UK date inputs (day, month and year boxes)."""
from __future__ import annotations

from typing import Iterable

from graph import model


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
