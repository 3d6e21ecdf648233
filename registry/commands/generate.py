"""Generate a synthetic national system for benchmarks."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from graph import generate as _generate

from ..cli import progress_printer


@click.command()
@click.option("--nodes", "n_nodes", type=click.IntRange(min=60), default=10_000, show_default=True,
              help="About how many records to make (about five relationships each).")
@click.option("--seed", type=int, default=0, show_default=True, help="The same seed gives the same file.")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=_generate.DEFAULT_UNTIL.isoformat(),
              show_default=True, help="Engagements are spread over the five years before this date.")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def generate(n_nodes, seed, until, path):
    """Write an import document for a synthetic national system (to PATH, or standard output).

    Heavy-tailed reach (a few large umbrella bodies, many small groups), engagements over
    five years with some publics far more consulted than others, referral chains and a
    few loops. Load it with `pathways import PATH`.
    """
    report = progress_printer("generate")
    doc = _generate.generate(n_nodes, seed=seed, until=until.date(), progress=report)
    if path is None:
        _generate.write_json(doc, sys.stdout, progress=report)
    else:
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            _generate.write_json(doc, out, progress=report)
    click.echo(f"generated {len(doc.nodes)} records and {len(doc.edges)} relationships (seed {seed})"
               + (f" in {path}" if path else ""), err=True)


commands = [generate]
