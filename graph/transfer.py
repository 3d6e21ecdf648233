"""Import and export of the registry: the JSON document, the CSV folder, GraphML.

An import is parsed, then validated whole against the model and the store, and
written in one transaction or not at all (the store's :meth:`apply` does both
inside its transaction). Parse errors are located by record index or CSV line.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import networkx as nx

from . import model
from .errors import InvalidRecord, Problem
from .stores.base import Change, GraphStore, WriteResult

FORMAT = "pathways-graph"
VERSION = 1
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class Document:
    """A parsed import document: node and edge records, plus where each came from."""

    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    node_lines: list[int] | None = field(default=None, repr=False)
    edge_lines: list[int] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.nodes) + len(self.edges)


def parse_json(text: str | bytes, name: str = "document") -> Document:
    """Parse the JSON import document, refusing anything but its contract shape.

    Its nesting is checked before it is parsed (:func:`graph.model.read_json`), so a document
    nested too deep is refused naming where, not left to exhaust the parser.

    >>> parse_json('{"format": "pathways-graph", "version": 1, "nodes": [], "edges": []}')
    Document(nodes=[], edges=[])
    >>> parse_json('{"format": "other"}')
    Traceback (most recent call last):
    ...
    graph.errors.InvalidRecord: document: format: must be "pathways-graph"
    >>> parse_json('{"nodes": [{"tags": ' + "[" * 99 + "]" * 99 + '}]}')
    Traceback (most recent call last):
    ...
    graph.errors.InvalidRecord: document: nodes[0].tags: nests deeper than 32 levels (the limit for JSON)
    """
    try:
        data = model.read_json(text)
    except model.TooDeep as exc:
        raise InvalidRecord([Problem(name, exc.path, str(exc))]) from None
    except ValueError as exc:  # not JSON, not UTF-8, or a number Python will not convert
        raise InvalidRecord([Problem(name, "", f"is not valid JSON: {exc}")]) from None
    return document_from_data(data, name)


def document_from_data(data, name: str = "document") -> Document:
    """Check the envelope of an already-parsed JSON document."""
    if not isinstance(data, dict):
        raise InvalidRecord([Problem(name, "", "must be a JSON object with format, version, nodes and edges")])
    problems = []
    if data.get("format") != FORMAT:
        problems.append(Problem(name, "format", f'must be "{FORMAT}"'))
    elif data.get("version") != VERSION:
        problems.append(Problem(name, "version", f"must be {VERSION}"))
    for key in ("nodes", "edges"):
        if not isinstance(data.get(key, []), list):
            problems.append(Problem(name, key, "must be a list"))
    unknown = sorted(set(data) - {"format", "version", "nodes", "edges", "exported"})
    if unknown:
        problems.append(Problem(name, unknown[0], "unknown key; allowed: format, version, nodes, edges"))
    if problems:
        raise InvalidRecord(problems)
    return Document(list(data.get("nodes", [])), list(data.get("edges", [])))


def read_csv_rows(handle: Iterable[str], name: str, keys: tuple[str, ...],
                  prop_of: Callable[[dict, str], model.Prop | None],
                  problems: list[Problem]) -> tuple[list[dict], list[int]]:
    """The rows of a CSV as records, each cell read by the model's type for its column, and their lines.

    ``keys`` must head the file; problems (with their lines) are added to ``problems``.
    """
    records, lines = [], []
    reader = csv.DictReader(handle)
    try:
        fieldnames = reader.fieldnames
        missing = [k for k in keys if k not in (fieldnames or [])]
        if missing:
            problems.append(Problem(name, missing[0], f"column is missing; the first columns must be "
                                    f"{', '.join(keys)}"))
            return [], []
        repeated = repeated_columns(fieldnames)
        if repeated:
            problems += [Problem(name, column or "(blank)", "column appears more than once in the header; "
                                 "each column may appear once") for column in repeated]
            return [], []
        ended = reader.line_num  # a record may span lines (a quoted line break): name the line it starts on
        for row in reader:
            line, ended = ended + 1, reader.line_num
            if None in row:
                problems.append(Problem(f"{name} line {line}", "", "has more cells than the header"))
                continue
            record = {k: model.restore_cell(row[k]) for k in keys if row[k] != ""}
            for column, text in row.items():
                if column in keys or text is None:
                    continue
                value = model.csv_value(prop_of(row, column), text)
                if value is not None:
                    record[column] = value
            lines.append(line)
            records.append(record)
    except UnicodeDecodeError:
        problems.append(Problem(name, "", "is not UTF-8 text"))
        return [], []
    except csv.Error as exc:
        problems.append(Problem(f"{name} line {reader.line_num}", "", f"is not valid CSV: {exc}"))
        return [], []
    return records, lines


def repeated_columns(header: list[str]) -> list[str]:
    """The columns a CSV header names more than once (a reader would silently keep the last).

    >>> repeated_columns(["id", "label", "name", "tags", "tags"]), repeated_columns(["id"])
    (['tags'], [])
    """
    seen: dict[str, int] = {}
    for column in header:
        seen[column] = seen.get(column, 0) + 1
    return [model.shown(column) if column else column for column, n in seen.items() if n > 1]


def _text_lines(source) -> Iterable[str]:
    """Lines of text from a str, UTF-8 bytes, a text or binary stream (BOM dropped)."""
    if isinstance(source, bytes):
        source = source.decode("utf-8-sig")  # UnicodeDecodeError is reported by read_csv_rows's caller
    if isinstance(source, str):
        return io.StringIO(source.removeprefix("\ufeff"), newline="")
    if isinstance(source, io.TextIOBase):
        return source
    return io.TextIOWrapper(source, encoding="utf-8-sig", newline="")


def parse_csv(nodes=None, edges=None, names: tuple[str, str] = ("nodes.csv", "edges.csv")) -> Document:
    r"""Read the CSV form of a document from text, bytes or open streams (either part may be None, not both).

    Cells are converted by each property's kind; lists and objects are JSON. A cell that
    :func:`export_csv` neutralised against spreadsheet formulas (``'=…``) is restored first
    (:func:`graph.model.restore_cell`).
    Problems name the part (``names``) and the line.

    >>> doc = parse_csv("id,label,name,seldom_heard\nrenters,Public,Renters,true\n",
    ...                 b"type,from,to,strength\nREACHES,shelter,renters,0.8\n")
    >>> doc.nodes, doc.edges, doc.node_lines
    ([{'id': 'renters', 'label': 'Public', 'name': 'Renters', 'seldom_heard': True}], [{'type': 'REACHES', 'from': 'shelter', 'to': 'renters', 'strength': 0.8}], [2])
    >>> parse_csv(b"id,name\nx,X\n")
    Traceback (most recent call last):
    ...
    graph.errors.InvalidRecord: nodes.csv: label: column is missing; the first columns must be id, label, name
    """
    if nodes is None and edges is None:
        raise InvalidRecord([Problem("import", "", "needs nodes.csv, edges.csv or both")])
    problems: list[Problem] = []
    doc = Document(node_lines=[], edge_lines=[])
    parts = ((nodes, names[0], model.NODE_KEYS, "label", "nodes", "node_lines"),
             (edges, names[1], model.EDGE_KEYS, "type", "edges", "edge_lines"))
    for source, name, keys, by, attr, lines_attr in parts:
        if source is None:
            continue
        try:
            handle = _text_lines(source)
        except UnicodeDecodeError:
            problems.append(Problem(name, "", "is not UTF-8 text"))
            continue
        records, lines = read_csv_rows(handle, name, keys, lambda row, col, by=by: model.prop_for(
                                   model.restore_cell(row.get(by) or ""), col), problems)
        setattr(doc, attr, records)
        setattr(doc, lines_attr, lines)
    if problems:
        raise InvalidRecord(problems)
    return doc


def parse_csv_folder(folder: str | os.PathLike) -> Document:
    """Read ``nodes.csv`` and ``edges.csv`` (either may be absent, not both) from a folder."""
    folder = Path(folder)
    nodes_path, edges_path = folder / "nodes.csv", folder / "edges.csv"
    if not nodes_path.exists() and not edges_path.exists():
        raise InvalidRecord([Problem(str(folder), "", "has neither nodes.csv nor edges.csv")])
    _refuse_large(p for p in (nodes_path, edges_path) if p.exists())
    with contextlib.ExitStack() as stack:
        nodes, edges = (stack.enter_context(open(p, newline="", encoding="utf-8-sig")) if p.exists() else None
                        for p in (nodes_path, edges_path))
        return parse_csv(nodes, edges)


def read_document(path: str | os.PathLike) -> Document:
    """Read an import from a JSON file or a CSV folder."""
    path = Path(path)
    if path.is_dir():
        return parse_csv_folder(path)
    if not path.exists():
        raise InvalidRecord([Problem(str(path), "", "no such file or folder")])
    _refuse_large([path])
    return parse_json(path.read_bytes(), name=path.name)


def _refuse_large(paths: Iterable[Path]) -> None:
    """Refuse, before reading them, import files larger than the limit (naming the file and the limit)."""
    limit = model.MAX_DOCUMENT_BYTES
    problems = [Problem(p.name, "", f"is {p.stat().st_size:,} bytes; an import file may be at most {limit:,} "
                        "bytes (graph.model.MAX_DOCUMENT_BYTES)") for p in paths if p.stat().st_size > limit]
    if problems:
        raise InvalidRecord(problems)


def to_change(doc: Document, actor: str = "system", action: str = "import") -> Change:
    return Change(put_nodes=doc.nodes, put_edges=doc.edges, actor=actor, action=action, audit="summary",
                  node_lines=doc.node_lines, edge_lines=doc.edge_lines)


def import_document(store: GraphStore, doc: Document, actor: str = "system",
                    progress: Progress | None = None, dry_run: bool = False) -> WriteResult | None:
    """Validate the whole document, then write it in one transaction; nothing on any error.

    ``dry_run`` validates only. ``progress`` is told (stage, done, total) as the
    records are checked and then written.
    """
    change = to_change(doc, actor)
    change.progress = progress
    if dry_run:
        problems = store.check(change)
        if problems:
            raise InvalidRecord(problems)
        return None
    return store.apply(change)


# -- export ---------------------------------------------------------------

def export_json(store: GraphStore, out: io.TextIOBase) -> tuple[int, int]:
    """Stream the registry as the import document, one record a line; returns the counts."""
    counts = [0, 0]
    out.write(f'{{"format": "{FORMAT}", "version": {VERSION},\n "nodes": [')
    for i, record in enumerate(store.iter_nodes()):
        out.write(("\n  " if i == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False, sort_keys=True))
        counts[0] += 1
    out.write('\n ],\n "edges": [')
    for i, record in enumerate(store.iter_edges()):
        out.write(("\n  " if i == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False, sort_keys=True))
        counts[1] += 1
    out.write("\n ]}\n")
    return counts[0], counts[1]


def _write_csv(path: Path, keys: tuple[str, ...], columns: list[str], records: Iterable[dict]) -> int:
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*keys, *columns])
        for record in records:
            writer.writerow([model.csv_cell(record.get(k)) for k in keys] + [model.csv_cell(record.get(c))
                                                                                for c in columns])
            count += 1
    return count


def export_csv(store: GraphStore, folder: str | os.PathLike) -> tuple[int, int]:
    """Write ``nodes.csv`` and ``edges.csv`` into a folder (created if needed).

    Text cells that a spreadsheet would run as a formula get a leading ``'``
    (:func:`graph.model.neutralise_cell`); :func:`parse_csv` removes it, so export then
    import gives back the same registry.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    node_columns = [c for c in model.all_node_props()]
    edge_columns = model.all_edge_props()
    n = _write_csv(folder / "nodes.csv", model.NODE_KEYS, node_columns, store.iter_nodes())
    e = _write_csv(folder / "edges.csv", model.EDGE_KEYS, edge_columns, store.iter_edges())
    return n, e


def graphml_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of the graph with attributes GraphML can hold (scalars; lists and objects as JSON).

    >>> g = nx.MultiDiGraph(); g.add_node("a", id="a", tags=["x"], version=2)
    >>> graphml_graph(g).nodes["a"]
    {'id': 'a', 'tags': '["x"]'}
    """
    def flat(attrs: dict) -> dict:
        return {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v)
                for k, v in attrs.items() if v is not None and k != "version"}

    out = nx.MultiDiGraph()
    out.add_nodes_from((n, flat(d)) for n, d in graph.nodes(data=True))
    out.add_edges_from((u, v, k, flat(d)) for u, v, k, d in graph.edges(keys=True, data=True))
    return out


def export_graphml(store: GraphStore, out) -> tuple[int, int]:
    """Write GraphML (opens in Gephi, yEd, Cytoscape)."""
    graph = graphml_graph(store.graph())
    nx.write_graphml(graph, out, named_key_ids=True)
    return graph.number_of_nodes(), graph.number_of_edges()
