"""Every list page as a download: ``?format=csv`` or ``?format=json`` on the page's own address.

A list view calls :func:`requested_format` first (an unknown format is a 400 in the one
error envelope, naming the ``format`` field), builds its list once, and when a format
was asked for returns :func:`download` instead of the page. The JSON is what the API
gives for the same list (the view passes the API's serialiser's output); the CSV is a
:class:`graph.tables.Table`. :func:`download_links` gives the page its "Download this
list" links, keeping every filter the page was given.
"""
from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterator
from urllib.parse import urlencode

from flask import current_app, request

from graph.errors import InvalidRecord, Problem
from graph.jsonstream import json_chunks
from graph.tables import Table, csv_chunks

FORMATS = ("csv", "json")
MIMETYPES = {"csv": "text/csv", "json": "application/json"}


def requested_format() -> str | None:
    """``csv`` or ``json`` when the query string asks for a download, None for the page itself."""
    fmt = request.args.get("format")
    if fmt is None:
        return None
    if fmt not in FORMATS:
        raise InvalidRecord([Problem("query", "format", "must be csv or json (leave it out for the page)")])
    return fmt


def filename(name: str, fmt: str, day: _dt.date | None = None) -> str:
    """The file a download is saved as: the list's name and the date.

    >>> filename("Burden of consultation", "csv", _dt.date(2026, 3, 1))
    'pathways-burden-of-consultation-2026-03-01.csv'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f"pathways-{slug}-{(day or _dt.date.today()).isoformat()}.{fmt}"


def download(fmt: str, name: str, table: Table, data, day: _dt.date | None = None):
    """The list as an attachment: ``table`` as UTF-8 CSV, or ``data`` as JSON.

    ``data`` is a dict, JSON text (or its UTF-8 bytes, or a tuple of their pieces), or a dict
    whose long lists are iterators (:func:`graph.jsonstream.json_chunks`). The CSV, and the
    JSON of such a dict, are sent a batch of rows at a time as they are written.
    """
    if fmt == "csv":
        body = csv_chunks(table)
    elif isinstance(data, (str, bytes)):
        body = [data]
    elif isinstance(data, tuple):  # the JSON already written, in pieces
        body = data
    elif any(isinstance(v, Iterator) for v in data.values()):
        body = json_chunks(data, ensure_ascii=False, indent=1)
    else:
        body = [json.dumps(data, ensure_ascii=False, indent=1)]
    response = current_app.response_class(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Type"] = f"{MIMETYPES[fmt]}; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(name, fmt, day)}"'
    return response


def download_links(leave_out: tuple[str, ...] = ()) -> dict[str, str]:
    """``{format: address}`` for this page's downloads: its path and every query value but those in
    ``leave_out`` (a page number: the download is the whole list), plus ``format``."""
    kept = [(k, v) for k, v in request.args.items(multi=True) if k != "format" and k not in leave_out]
    return {fmt: request.path + "?" + urlencode([*kept, ("format", fmt)]) for fmt in FORMATS}
