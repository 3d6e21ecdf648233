"""``pathways gaps``: every gap rule with its findings; ``pathways map``: a map view as data."""
from __future__ import annotations

import datetime as _dt

import click

from graph import maps
from graph.errors import InvalidRecord
from graph.resolve import resolve_each

from ..cli import emit_json, fail, iso_date, pass_ctx


@click.command()
@click.option("--as-of", "as_of", callback=iso_date, metavar="DATE", help="Judge burden and staleness as of this date.")
@click.option("--rule", metavar="KEY", help="Only this rule (e.g. publics_without_route).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON (as GET /api/v1/gaps).")
@pass_ctx
def gaps(ctx, as_of, rule, as_json):
    """Gaps in the system: publics with no route, referral loops, single points of failure and more."""
    from graph import gaps as _gaps
    from graph.burden import burden_index
    report = _gaps.find_gaps(ctx.store.graph(), _gaps.GapContext(as_of=as_of or _dt.date.today(),
                                                                 settings=ctx.settings, burden_index=burden_index),
                             only=rule)
    if as_json:
        emit_json(report.as_dict())
        return
    click.echo(f"Gaps in the engagement system as of {report.as_of.isoformat()}")
    for found_rule, items in report.results:
        click.echo(f"\n{found_rule.title} ({len(items)})")
        for item in items:
            click.echo(f"  {item['name']} ({item['id']})")
            click.echo(f"    found: {item['detail']}")
            click.echo(f"    close: {item['close']}")


@click.command("map")
@click.option("--focus", metavar="ID|NAME", help="Draw the map around this record.")
@click.option("--topic", metavar="ID|NAME", help="A topic, with its narrower topics.")
@click.option("--public", metavar="ID|NAME", help="A public.")
@click.option("--producer", metavar="ID|NAME", help="A producer, with its teams.")
@click.option("--labels", metavar="LABELS", help="Kinds of record to show, comma-separated.")
@click.option("--types", metavar="TYPES", help="Relationship types to follow and show, comma-separated.")
@click.option("--depth", metavar="N", help="Steps out from the chosen records (default 1).")
@click.option("--json", "as_json", is_flag=True, help="Print the view as JSON (as GET /api/v1/map).")
@pass_ctx
def map_(ctx, as_json, **args):
    """A map view of the registry as data: the records and relationships the filters choose."""
    from ..web.maps import view_for
    args = {**args, **resolve_each(ctx.store.snapshot(), {k: args[k] for k, _ in maps.SEED_FILTERS}, dict(maps.SEED_FILTERS),
                                   ctx.settings)}
    try:
        filters = maps.parse_filters({k: v for k, v in args.items() if v is not None}, ctx.settings)
    except InvalidRecord as exc:
        fail("; ".join(str(p) for p in exc.problems), 2)
    view = view_for(ctx.store.graph(), ctx.settings, filters)
    if as_json:
        emit_json(view.as_dict())
        return
    click.echo(f"{len(view.nodes)} records and {len(view.edges)} relationships")
    if view.truncated:
        click.echo(view.message)
    for n in view.nodes:
        click.echo(f"  {n.label:<12} {n.name} ({n.id})")


commands = [gaps, map_]
