"""Many engagements at once, from one CSV file: a row per engagement, its links as columns.

Editors keep engagements in spreadsheets; this reads one so that recording a year's activity
is one upload, not fifty forms. A row holds the Engagement's properties (the columns are the
model's names: ``method``, ``start``, ``status``, ``participants`` …) and four link columns
holding record ids separated by ``;``: ``publics`` (INVOLVED), ``via`` (intermediaries or user
groups), ``on`` (statistics or topics) and ``producers`` (who RAN it). Cells are read like any
import's (:func:`graph.model.csv_value`), and every problem is named with its line; the store
applies the model's rules to the whole file in one transaction, so one wrong line writes nothing.

>>> doc = parse(["id,name,method,start,status,publics,producers",
...              "e.1,Carers survey,survey,2025-03-01,held,pub.carers;pub.young-carers,ons"])
>>> doc.nodes
[{'id': 'e.1', 'name': 'Carers survey', 'method': 'survey', 'start': '2025-03-01', 'status': 'held', 'label': 'Engagement'}]
>>> [(e["type"], e["from"], e["to"]) for e in doc.edges], doc.edge_lines
([('INVOLVED', 'e.1', 'pub.carers'), ('INVOLVED', 'e.1', 'pub.young-carers'), ('RAN', 'ons', 'e.1')], [2, 2, 2])
"""
from __future__ import annotations

import csv
import io
from typing import Iterable

from . import model
from .errors import InvalidRecord, Problem
from .transfer import Document, read_csv_rows

LABEL = "Engagement"
REQUIRED = ("id", "name")
# column -> (relationship, whether the engagement is its start)
LINKS = {"publics": ("INVOLVED", True), "via": ("VIA", True), "on": ("ON", True), "producers": ("RAN", False)}
EXAMPLE = {"id": "eng.carers-survey-2025", "name": "Carers survey 2025", "method": "survey", "iap2": "consult",
           "start": "2025-03-01", "end": "2025-04-30", "status": "reported", "participants": "412",
           "remunerated": "false", "publics": "pub.unpaid-carers", "via": "carers-uk", "on": "",
           "producers": "ons", "source": "https://www.example.org/the-page-that-says-so", "verified": "2025-06-01"}


def columns() -> list[str]:
    """Every column an upload may have: the required ones, the model's properties, then the links.

    >>> columns()[:4], columns()[-4:]
    (['id', 'name', 'method', 'iap2'], ['publics', 'via', 'on', 'producers'])
    """
    props = [k for k in model.LABELS[LABEL] if k not in REQUIRED]
    return [*REQUIRED, *props, *LINKS]


def template() -> str:
    """A CSV with the header and one example row, to download and fill in.

    >>> template().splitlines()[0].startswith("id,name,method,iap2,start")
    True
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns(), lineterminator="\r\n")
    writer.writeheader()
    writer.writerow({c: EXAMPLE.get(c, "") for c in columns()})
    return out.getvalue()


def parse(source: bytes | str | Iterable[str], name: str = "engagements.csv") -> Document:
    """The engagements and their links an upload describes (UTF-8 bytes, text or lines);
    InvalidRecord naming each line otherwise."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidRecord([Problem(name, "", "is not UTF-8 text: save the spreadsheet as "
                                         "\"CSV UTF-8\" and upload it again")]) from None
    lines = io.StringIO(source.removeprefix("\ufeff"), newline="") if isinstance(source, str) else source
    problems: list[Problem] = []
    rows, row_lines = read_csv_rows(lines, name, REQUIRED, _prop, problems)
    known = set(columns())
    doc = Document(node_lines=[], edge_lines=[])
    for row, line in zip(rows, row_lines):
        unknown = [c for c in row if c not in known]
        if unknown:
            problems.append(Problem(f"{name} line {line}", unknown[0], "is not a column an engagement upload takes; "
                                    "the columns are: " + ", ".join(columns())))
            continue
        record = {k: v for k, v in row.items() if k not in LINKS}
        record["label"] = LABEL
        doc.nodes.append(record)
        doc.node_lines.append(line)
        for column, (rel, outward) in LINKS.items():
            for other in _ids(row.get(column)):
                edge = {"type": rel, "from": record.get("id"), "to": other} if outward else \
                    {"type": rel, "from": other, "to": record.get("id")}
                doc.edges.append(edge)
                doc.edge_lines.append(line)
    if not problems and not doc.nodes:
        problems.append(Problem(name, "", "has no engagements: add a row under the header"))
    if problems:
        raise InvalidRecord(problems)
    return doc


def _prop(_row: dict, column: str) -> model.Prop | None:
    return model.LABELS[LABEL].get(column)


def _ids(cell) -> list[str]:
    """The ids in a link cell, in order, once each.

    >>> _ids(" a ; b;;a "), _ids(None)
    (['a', 'b'], [])
    """
    if not isinstance(cell, str):
        return [] if cell is None else [str(cell)]
    return list(dict.fromkeys(part.strip() for part in cell.split(";") if part.strip()))
