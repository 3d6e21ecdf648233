"""``pathways gaps``: every gap rule with its findings; ``pathways route-health``: did the contacts help;
``pathways map``: a map view as data."""
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
    from graph import route_reports
    from graph.burden import burden_index
    open_reports = ctx.store.reports(statuses=["open"])
    report = _gaps.find_gaps(ctx.store.graph(), _gaps.GapContext(
        as_of=as_of or _dt.date.today(), settings=ctx.settings, burden_index=burden_index,
        wrong_details=lambda graph: route_reports.wrong_detail_gaps(graph, open_reports)), only=rule)
    if as_json:
        emit_json(report.as_dict())
        return
    click.echo(f"Gaps in the engagement system as of {report.as_of.isoformat()}")
    for found_rule, items in report.results:
        click.echo(f"\n{found_rule.title} ({len(items)})")
        for item in items:
            click.echo(f"  {item.name} ({item.id})")
            click.echo(f"    found: {item.detail}")
            click.echo(f"    close: {item.close}")


def _shares_line(tally) -> str:
    """One tally in words: counts always, shares only once there are enough reports."""
    counts = ", ".join(f"{tally.counts[o]} {o.replace('_', ' ')}" for o in tally.counts)
    if not tally.enough:
        return f"{tally.total} reports ({counts}): not enough reports"
    return (f"{tally.total} reports ({counts}); answered {tally.shares['answered']:.0%}, "
            f"ping-pong {tally.ping_pong_rate:.0%}")


@click.command("route-health")
@click.option("--as-of", "as_of", callback=iso_date, metavar="DATE", help="End the 12-month window on this date.")
@click.option("--json", "as_json", is_flag=True, help="Print it as JSON (as GET /api/v1/routes/health).")
@pass_ctx
def route_health(ctx, as_of, as_json):
    """Did the contacts help? Per route and per producer over 12 months, from people's route reports."""
    from graph import route_reports
    day = as_of or _dt.date.today()
    health = route_reports.route_health(ctx.store.graph(), route_reports.window_reports(ctx.store, ctx.settings, day),
                                        ctx.settings, day)
    if as_json:
        emit_json(health.as_dict())
        return
    click.echo(f"Route health from {health.since.isoformat()} to {health.until.isoformat()} "
               f"(shares from {health.min_reports} reports)")
    if health.overall is not None:
        click.echo(f"All routes: {_shares_line(health.overall)}")
    click.echo(f"\nRoutes ({len(health.routes)})")
    for row in health.routes:
        wrong = f"; {row.open_wrong_details} open wrong-details reports" if row.open_wrong_details else ""
        click.echo(f"  {row.name}: {_shares_line(row.tally)}{wrong}")
    click.echo(f"\nProducers ({len(health.producers)})")
    for row in health.producers:
        click.echo(f"  {row.name} ({row.producer}), {row.routes} routes: {_shares_line(row.tally)}")


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


commands = [gaps, route_health, map_]
