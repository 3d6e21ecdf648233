"""``pathways intermediaries``: the trusted intermediaries that reach a public, ranked, with the reasons."""
from __future__ import annotations

import datetime as _dt

import click

from graph import discovery as D
from graph import route_reports as RR
from graph.model import NATION_NAMES, NATIONS
from graph.resolve import resolve_each

from ..cli import emit_json, pass_ctx


@click.command()
@click.argument("public")
@click.option("--producer", metavar="ID|NAME", help="The asking producer: intermediaries it partners with are raised.")
@click.option("--topic", metavar="ID|NAME", help="Only routes through an intermediary working on this topic.")
@click.option("--nation", type=click.Choice(NATIONS), help="Only intermediaries working in this nation (or whose "
              "nations are not known), its own bodies first.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (as the API gives it).")
@pass_ctx
def intermediaries(ctx, public, producer, topic, nation, as_json):
    """The trusted intermediaries that can reach PUBLIC (its id or name), best first, with the reasons."""
    here, settings = ctx.store.snapshot(), ctx.settings
    named = resolve_each(here, {"public": public, "producer": producer, "topic": topic},
                         {"public": "Public", "producer": "Producer", "topic": "Topic"}, settings)
    public, producer, topic = named["public"], named["producer"], named["topic"]
    graph = here.graph
    since = RR.window_start(settings, _dt.date.today()).isoformat()
    found = D.discover(graph, public, settings, producer=producer, topic=topic, nation=nation,
                       load_status=D.load_from_burden(graph, settings), reports=ctx.store.reports(since=since))
    if as_json:
        from ..api.discovery import discovery_json
        return emit_json(discovery_json(found, D.public_burden(graph, public, settings)))
    title = f"Trusted intermediaries who reach {found.public['name']}"
    if found.topic:
        title += f", working on {found.topic['name']}"
    if found.nation:
        title += f", in {NATION_NAMES[found.nation]}"
    if found.producer:
        title += f" (asking as {found.producer['name']})"
    click.echo(title)
    if found.no_route:
        for line in found.advice:
            click.echo(f"  {line}")
        for lead in found.leads:
            click.echo(f"  - {lead['name']} ({lead['id']}): {lead['why']}")
        return
    for rank, c in enumerate(found.intermediaries, 1):
        click.echo(f"{rank:>3}. {c.name} ({c.id})  score {c.score:.3f}  load {c.load_status or 'not known'}")
        click.echo(f"     route: {' -> '.join(c.path_names)}")
        contact = c.contact or {}
        if contact:
            click.echo("     contact: " + ", ".join(str(contact[k]) for k in ("email", "url", "phone") if contact.get(k)))
        for line in c.declarations.get("words", []):
            click.echo(f"     {line}")
        for reason in c.reasons:
            click.echo(f"     - {reason}")


commands = [intermediaries]
