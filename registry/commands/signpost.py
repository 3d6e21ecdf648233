"""``pathways signpost`` and ``pathways search``."""
from __future__ import annotations

import click

from graph import asking as A
from graph import model
from graph import search as _search
from graph import signpost as S
from graph.errors import InvalidRecord

from ..cli import emit_json, fail, pass_ctx


def _contact_lines(contact: dict | None) -> list[str]:
    if not contact:
        return ["no contact route recorded"]
    words = {"email": "Email", "url": "Website", "phone": "Telephone", "note": "Note"}
    return [f"{words[k]}: {v}" for k, v in contact.items() if k in words]


def _print_route(title: str, route: S.Route) -> None:
    click.echo(f"{title}: {route.name}" + (f" ({route.id})" if route.id else ""))
    if route.group:
        click.echo(f"  for the user group {route.group['name']} ({route.group['id']})")
    for line in _contact_lines(route.contact):
        click.echo(f"  {line}")
    click.echo(f"  Why: {route.why}")
    if route.how_to_join:
        click.echo(f"  How to join: {route.how_to_join}")
    if len(route.path) > 1:
        click.echo(f"  Route: {' → '.join(route.path)}")


def _print_choices(found: A.Choices) -> None:
    click.echo(f"‘{found.query}’ could be {len(found.choices)} statistics; run again with one of these ids:")
    if found.did_you_mean:
        click.echo(f"Did you mean ‘{found.did_you_mean}’?")
    for hit in found.choices:
        where = ", ".join(x for x in (hit.producer, " and ".join(model.NATION_NAMES[n] for n in hit.nations)
                                      if 0 < len(hit.nations) < 4 else "UK" if hit.nations else "") if x)
        click.echo(f"  {hit.id}  {hit.name}" + (f" ({where})" if where else ""))
        if hit.why:
            click.echo(f"      matched: {'; '.join(hit.why)}")
    for hit in found.topics:
        click.echo(f"  or the topic {hit.id}  {hit.name}")


def _print_topic(found: A.TopicAnswer) -> None:
    click.echo(f"No one statistic matches ‘{found.query}’; it matches the topic {found.topic['name']} "
               f"({found.topic['id']}).")
    for p in found.producers:
        click.echo(f"Producer: {p['name']} ({p['id']}), {p['statistics']} statistic(s) on it")
        if p.get("via"):
            click.echo(f"  enquiries go to {p['via']['name']} ({p['via']['id']})")
        for line in _contact_lines(p["contact"]):
            click.echo(f"  {line}")
    for g in found.user_groups:
        click.echo(f"User group: {g['name']} ({g['id']}), covers {g['topic']}")


@click.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--public", default=None, metavar="ID", help="Your own public (its id): its intermediaries come first.")
@click.option("--nation", default=None, type=click.Choice(model.NATIONS),
              help="The nation you are in: its user groups and intermediaries come first.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (the API's shape).")
@pass_ctx
def signpost(ctx, words, public, nation, as_json):
    """Who to contact about a statistic: its id, or words naming it.

    One answer only when one statistic clearly fits; otherwise the choices (exit 1),
    or the producers and user groups of a topic the words name.
    """
    here, settings = ctx.store.snapshot(), ctx.settings
    statistic = " ".join(words).strip()
    statistic_id = statistic
    if statistic not in here.graph or here.graph.nodes[statistic].get("label") != "Statistic":
        if len(statistic) > 200:
            fail("the statistic must be an id or at most 200 characters of its name", 2)
        try:
            found = A.ask(here, statistic, nation, settings)
        except A.NoMatch as exc:
            near = ", ".join(f"{h.id} ({h.name})" for h in exc.closest[:5])
            fail(f"no statistic matches '{statistic}'" + (f"; closest: {near}" if near else ""))
        if isinstance(found, A.Choices):
            if as_json:
                emit_json({"statistic": None, **found.as_dict()})
            else:
                _print_choices(found)
            click.get_current_context().exit(1)
        if isinstance(found, A.TopicAnswer):
            if as_json:
                emit_json({"statistic": None, "topic": found.as_dict()})
            else:
                _print_topic(found)
            return
        statistic_id = found
    try:
        answer = S.signpost(here.graph, statistic_id, public, settings, nation)
    except InvalidRecord as exc:
        fail(str(exc))
    if as_json:
        emit_json(answer.as_dict())
        return
    click.echo(f"Who to contact about {answer.statistic['name']} ({statistic_id})")
    for warning in answer.warnings:
        click.echo(f"Warning: {warning}")
    if answer.first_contact:
        _print_route("Contact first", answer.first_contact)
    else:
        click.echo("No reachable contact is recorded.")
        if answer.alternative:
            _print_route("Try instead", answer.alternative)
    for route in answer.routes:
        _print_route("Also (user group)" if route.kind == "user_group" else
                     "Also (trusted intermediary)" if route.kind == "intermediary" else "Also", route)
    if answer.coordinator:
        _print_route("Not what you need?", answer.coordinator)


@click.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option("--label", default=None, help="Only records with this label, e.g. Statistic.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@pass_ctx
def search_(ctx, words, label, limit, as_json):
    """Find records by name, acronym, alias or description, forgiving typos and word order."""
    text = " ".join(words).strip()
    if not text or len(text) > 200:
        fail("the search must be 1 to 200 characters", 2)
    hits = _search.search(ctx.store.snapshot(), text, label=label, limit=limit, settings=ctx.settings)
    if as_json:
        emit_json({"query": text, "results": [h.as_dict() for h in hits]})
        return
    if not hits:
        fail(f"nothing matches '{text}'")
    for hit in hits:
        click.echo(f"{hit.id}\t{hit.label}\t{hit.name}")


commands = [signpost, search_]
