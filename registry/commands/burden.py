"""``pathways burden``: the burden index as of a date, and the planning check for a draft engagement."""
from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path

import click

from graph import burden as _burden
from graph import burden_check

from ..cli import emit_json, fail, iso_date, pass_ctx


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value != float("inf") else "no capacity"


@click.group(invoke_without_command=True)
@click.option("--as-of", "as_of", callback=iso_date, metavar="DATE", help="Measure as of this date (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print the index as JSON.")
@click.option("--all", "show_all", is_flag=True, help="List publics and intermediaries with no burden too.")
@click.pass_context
def burden(click_ctx, as_of, as_json, show_all):
    """The burden of consultation on each public and intermediary, highest ratio first."""
    if click_ctx.invoked_subcommand is not None:
        return
    ctx = click_ctx.find_object(type(click_ctx.obj))
    from ..api.burden import score_json
    index = _burden.burden_index(ctx.store.graph(), as_of or _dt.date.today(), ctx.settings)
    covered = _burden.coverage(ctx.store.graph(), index.as_of, ctx.settings)
    if as_json:
        emit_json({"as_of": index.as_of.isoformat(), "window_days": index.window_days,
                   "coverage": covered.as_dict(),
                   "publics": [score_json(s) for s in index.publics],
                   "intermediaries": [score_json(s) for s in index.intermediaries]})
        return
    click.echo(f"Burden of consultation as of {index.as_of.isoformat()} (window {index.window_days} days)")
    click.echo(("warning: " if covered.too_few else "") + covered.message)
    for title, scores in (("Publics", index.publics), ("Intermediaries and user groups", index.intermediaries)):
        shown = [s for s in scores if show_all or s.units > 0]
        click.echo(f"\n{title} ({len(shown)} of {len(scores)}{' with a burden' if not show_all else ''})")
        click.echo(f"  {'status':<6} {'ratio':>6} {'units':>7} {'capacity':>8} {'eng':>4} {'prod':>4}  name (id)")
        for s in shown:
            status = "few" if covered.too_few and s.status == "ok" else s.status
            click.echo(f"  {status:<6} {_ratio(s.ratio):>6} {s.units:>7.3f} {s.capacity:>8g} "
                       f"{len(s.engagements):>4} {len(s.producers):>4}  {s.name} ({s.id})")


@burden.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_ctx
def check(ctx, path, as_json):
    """Check a draft engagement (a JSON file) before you consult. Nothing is saved.

    The file holds {"method", "start", "end", "publics": [ids], "intermediaries": [ids],
    "on": [statistic or topic ids], "producer", "remunerated"}.
    """
    try:
        draft = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        fail(f"{path}: not JSON ({exc.msg} at line {exc.lineno})", 1)
    from ..api.burden import check_json
    result = burden_check.check(ctx.store.graph(), draft, ctx.settings)
    if as_json:
        emit_json(check_json(result))
        return
    click.echo(f"Check as of {result.as_of.isoformat()} (nothing saved)")
    for change in result.publics + result.intermediaries:
        click.echo(f"  {change.name} ({change.id}): {change.before.status} {_ratio(change.before.ratio)} -> "
                   f"{change.after.status} {_ratio(change.after.ratio)}")
    for warning in result.warnings:
        click.echo(f"warning ({warning.kind}): {warning.message}")
    for suggestion in result.suggestions:
        click.echo(f"suggestion ({suggestion.kind}): {suggestion.message}")


commands = [burden]
