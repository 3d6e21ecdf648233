"""Serve, seed, import, export and migrate."""
from __future__ import annotations

import json
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import click

from graph import hsds, transfer
from graph.stores import Change, open_store

from .. import ROOT
from ..cli import emit_json, fail, pass_ctx, progress_printer

SEED = ROOT / "seed" / "registry.json"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="PATHWAYS_HOST")
@click.option("--port", default=5000, show_default=True, type=int, envvar="PATHWAYS_PORT")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 1024), envvar="PATHWAYS_THREADS",
              help="requests answered at once")
@click.option("--connection-limit", default=100, show_default=True, type=click.IntRange(1, 100000),
              envvar="PATHWAYS_CONNECTION_LIMIT", help="open connections accepted at once; more wait")
@click.option("--backlog", default=1024, show_default=True, type=click.IntRange(1, 65535),
              envvar="PATHWAYS_BACKLOG", help="connections the system queues before accepting them")
@pass_ctx
def serve(ctx, host, port, threads, connection_limit, backlog):
    """Serve the web interface and the API (waitress; use gunicorn in production).

    Prints one line per request on stderr (method, path, status, time taken)."""
    from waitress import serve as waitress_serve

    from ..cache import warm
    from ..requestlog import print_to_stderr
    from ..templating import asset_missing
    missing = asset_missing()
    if missing:
        fail(missing, 2)
    store = ctx.store  # open (and verify) before accepting requests
    click.echo(f"loading the registry from {store.url} …", err=True)
    started = time.perf_counter()
    snapshot = store.snapshot()  # the read model, loaded once; each later change is replayed onto it
    loaded = time.perf_counter()
    click.echo(f"loaded {snapshot.graph.number_of_nodes()} records and {snapshot.graph.number_of_edges()} "
               f"relationships in {loaded - started:.1f} s; building the search indexes and joining up needs …",
               err=True)
    with ctx.app.app_context():
        warm()
    click.echo(f"Pathways on http://{host}:{port}/ (ready {time.perf_counter() - loaded:.1f} s later)", err=True)
    print_to_stderr()
    waitress_serve(ctx.app, host=host, port=port, threads=threads, connection_limit=connection_limit,
                   backlog=backlog, ident="pathways")


def _import(ctx, path, actor: str, dry_run: bool, as_json: bool, label: str):
    started = time.perf_counter()
    doc = transfer.read_document(path)
    progress = None if as_json or not sys.stderr.isatty() and len(doc) < 10000 else progress_printer(label)
    result = transfer.import_document(ctx.store, doc, actor=actor, progress=progress, dry_run=dry_run)
    seconds = time.perf_counter() - started
    summary = {"nodes": len(doc.nodes), "edges": len(doc.edges), "seconds": round(seconds, 3), "dry_run": dry_run}
    if result is not None:
        summary.update(created=result.created, updated=result.updated, unchanged=result.unchanged,
                       edges_written=result.edges_written, revision=result.revision)
    if as_json:
        emit_json(summary)
    elif dry_run:
        click.echo(f"{path}: {len(doc.nodes)} records and {len(doc.edges)} relationships are valid; nothing written")
    else:
        click.echo(f"{path}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
                   f"{result.edges_written} relationships written ({len(doc) / max(seconds, 1e-9):,.0f} records/s)")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate only; write nothing.")
@click.option("--as", "actor", default="cli", show_default=True, help="Who the audit trail records.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_ctx
def import_(ctx, path, dry_run, actor, as_json):
    """Import a JSON document or a CSV folder: all of it, or nothing if any record is wrong."""
    _import(ctx, path, actor, dry_run, as_json, "import")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_ctx
def seed(ctx, as_json):
    """Load the seed registry of the UK statistical system (safe to run again)."""
    _import(ctx, SEED, "seed", False, as_json, "seed")


@click.command()
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "graphml", "hsds"]), default="json",
              show_default=True)
@click.argument("path", required=False, type=click.Path(path_type=Path))
@pass_ctx
def export(ctx, fmt, path):
    """Export the registry (to PATH, or standard output for json and graphml; csv and hsds need a folder)."""
    store = ctx.store
    if fmt == "hsds":
        if path is None:
            fail("hsds export writes " + ", ".join(hsds.FILES) + ": give a folder", 2)
        _export_hsds(store, path)
        return
    if fmt == "csv":
        if path is None:
            fail("csv export writes nodes.csv and edges.csv: give a folder", 2)
        n, e = transfer.export_csv(store, path)
    elif fmt == "json":
        if path is None:
            n, e = transfer.export_json(store, sys.stdout)
        else:
            with open(path, "w", encoding="utf-8") as out:
                n, e = transfer.export_json(store, out)
    else:
        n, e = transfer.export_graphml(store, sys.stdout.buffer if path is None else str(path))
    click.echo(f"exported {n} records and {e} relationships", err=True)


def _export_hsds(store, folder: Path) -> None:
    """Write the Open Referral HSDS 3.0 export into a folder, only once it validates against the schemas."""
    graph = store.graph()
    published = hsds.files(hsds.build(graph, hsds.audit_trail(store)))
    problems = hsds.validate_files(published)
    if problems:
        for problem in problems[:100]:
            click.echo(f"error: {problem}", err=True)
        fail(f"{len(problems)} problems against the HSDS 3.0 schemas; nothing was written")
    hsds.write_files(published, folder)
    counts = {name.removesuffix(".json"): len(json.loads(data)) for name, data in published.items()}
    click.echo(f"exported {counts['organizations']} organizations, {counts['services']} services and "
               f"{counts['taxonomy_terms']} taxonomy terms as HSDS 3.0 to {folder} (0 schema errors)", err=True)


@click.command()
@click.option("--from", "source", required=True, metavar="URL", help="Store to copy from.")
@click.option("--to", "target", required=True, metavar="URL", help="Store to copy into (must be empty).")
@click.option("--batch", default=5000, show_default=True, type=int)
@pass_ctx
def migrate(ctx, source, target, batch):
    """Copy a whole registry between stores (embedded <-> Neo4j) in batches, then verify the counts."""
    options = {k.lower().replace("neo4j_", ""): ctx.app.config[k]
               for k in ("NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE")}
    with ExitStack() as opened:
        src = open_store(source, **(options if not source.startswith("sqlite") else {}))
        opened.callback(src.close)
        dst = open_store(target, **(options if not target.startswith("sqlite") else {}))
        opened.callback(dst.close)
        _migrate(src, dst, target, batch)


def _migrate(src, dst, target: str, batch: int) -> None:
    if dst.count_nodes():
        fail(f"{target} already holds {dst.count_nodes()} records: migrate copies into an empty store", 1)
    counts = src.counts()
    total = sum(counts["nodes"].values()) + sum(counts["edges"].values())
    report = progress_printer("migrate")
    done = 0
    for change in migration_changes(src, batch):
        dst.apply(change)
        done += len(change)
        report("copying", done, total)
    report("copying", total, total)
    if dst.counts() != counts:
        fail(f"counts differ after copying: {counts} in the source, {dst.counts()} in the target", 1)
    click.echo(f"copied {sum(counts['nodes'].values())} records and {sum(counts['edges'].values())} "
               f"relationships; counts match")


def migration_changes(src, batch: int):
    """The registry as batches of Changes, each one the store's rules accept on its own.

    Records first, then relationships, except that an engagement travels with its INVOLVED
    publics: a held or reported engagement without one would be refused.
    """
    def changes(records, kind):
        chunk: list = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= batch:
                yield _change(**{kind: chunk})
                chunk = []
        if chunk:
            yield _change(**{kind: chunk})

    yield from changes((n for n in src.iter_nodes(batch) if n["label"] != "Engagement"), "put_nodes")
    involved: dict[str, list[dict]] = {}
    for edge in src.iter_edges(batch):
        if edge["type"] == "INVOLVED":
            involved.setdefault(edge["from"], []).append(edge)
    chunk, edges = [], []
    for node in (n for n in src.iter_nodes(batch) if n["label"] == "Engagement"):
        chunk.append(node)
        edges += involved.get(node["id"], [])
        if len(chunk) + len(edges) >= batch:
            yield _change(put_nodes=chunk, put_edges=edges)
            chunk, edges = [], []
    if chunk:
        yield _change(put_nodes=chunk, put_edges=edges)
    yield from changes((e for e in src.iter_edges(batch) if e["type"] != "INVOLVED"), "put_edges")


def _change(put_nodes=(), put_edges=()) -> Change:
    return Change(put_nodes=list(put_nodes), put_edges=list(put_edges), action="migrate", actor="migrate",
                  audit="summary")


commands = [serve, import_, seed, export, migrate]
