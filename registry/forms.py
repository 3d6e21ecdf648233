"""Helpers shared by the web forms: GOV.UK date inputs (day, month and year boxes)."""
from __future__ import annotations

from typing import Iterable

from graph import model


def form_date(form, key: str) -> str | None:
    """The ISO text of a GOV.UK date input; None when all three boxes are blank.

    Malformed input is returned as typed, so the model's message names the field.

    >>> form_date({"start-day": "7", "start-month": "3", "start-year": "2026"}, "start")
    '2026-03-07'
    >>> form_date({}, "start") is None, form_date({"start-day": "31", "start-month": "x"}, "start")
    (True, '31-x-')
    """
    parts = [(form.get(f"{key}-{k}") or "").strip() for k in ("day", "month", "year")]
    if not any(parts):
        return None
    day, month, year = parts
    if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return "-".join(parts)


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
