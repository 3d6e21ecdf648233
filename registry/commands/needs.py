"""``pathways needs``: the prioritised waiting list; ``pathways plan``: an engagement plan for a statistic."""
from __future__ import annotations

import datetime as _dt
from pathlib import Path

import click

from graph import needs as _needs
from graph import engagement_plan as _plan
from graph.errors import NodeNotFound

from graph.resolve import resolve

from ..cli import emit_json, pass_ctx


@click.command()
@click.option("--status", type=click.Choice(_needs.STATUSES), help="Only needs with this status (default: open ones).")
@click.option("--producer", metavar="ID", help="Only needs owned by this producer or its teams.")
@click.option("--topic", metavar="ID", help="Only needs on this topic, a narrower one, or a statistic about it.")
@click.option("--statistic", metavar="ID", help="Only needs about this statistic.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@pass_ctx
def needs(ctx, status, producer, topic, statistic, as_json):
    """The waiting list of user needs, in priority order."""
    graph = ctx.store.graph()
    for value in (producer, topic, statistic):
        if value and value not in graph:
            raise NodeNotFound(value)
    result = _needs.waiting_list(graph, ctx.settings, status=status, producer=producer, topic=topic,
                                 statistic=statistic)
    if as_json:
        return emit_json(result.as_dict())
    click.echo(f"{len(result.items)} needs ({result.total_open} open in all)")
    for item in result.items:
        owners = ", ".join(o.name for o in item.owners) or "no owner"
        priority = f"P{item.priority}" if item.priority else "P-"
        click.echo(f"{item.rank:>3}. {priority} {_needs.STATUS_WORDS[item.status]:<17} {item.name} ({item.id}) "
                   f"- {owners}; support {item.support:g}; raised {item.raised or 'unknown'}")
        for similar in item.also_raised_with:
            click.echo(f"       also raised with {', '.join(o.name for o in similar.owners)}: {similar.name}")


@click.command()
@click.argument("statistic")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the Markdown to this file (default: standard output).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON instead of Markdown.")
@pass_ctx
def plan(ctx, statistic, output, as_json):
    """Draft an engagement plan for STATISTIC (its id or name; the OSR toolkit's Boxes 1-3) from the registry."""
    statistic = resolve(ctx.store.snapshot(), statistic, "Statistic", "statistic", ctx.settings)
    drafted = _plan.draft_plan(ctx.store.graph(), statistic, _dt.date.today(), ctx.settings)
    if as_json:
        return emit_json(drafted.as_dict())
    text = _plan.markdown(drafted)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"engagement plan for {statistic} written to {output}", err=True)
    else:
        click.echo(text, nl=False)


commands = [needs, plan]
