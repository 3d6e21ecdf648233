"""``pathways harvest govuk|ons|nisra``: read a source and merge what it lists into the registry.

``pathways harvest govuk --consultations`` reads the GOV.UK consultations of the producers the
registry already holds (:mod:`graph.harvest.consultations`) instead of statistics, so the
store is opened first: it says which organisations to read and which publics to propose.

``--recorded`` may be given more than once for govuk: the GOV.UK recording, the MoJ
statistics catalogue's recording and the data-catalogue collection mapping file (or a
folder holding them) are read as one, since the MoJ's team mailboxes are spread across
them. ons and nisra read one recording, a file or a folder.
"""
from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path

import click

from graph import harvest as H
from graph.harvest import consultations, fetch
from graph.harvest.base import HarvestError
from graph.harvest.run import run

from ..cli import emit_json, fail, pass_ctx, progress_printer


def _summary(plan, result, dry_run: bool) -> dict:
    return {"source": plan.source, "dry_run": dry_run, "counts": plan.counts(),
            "relationships_added": len(plan.edges),
            "created": [{"id": r["id"], "label": r["label"], "name": r["name"], "contact": r.get("contact")}
                        for r in plan.creates],
            "updated": [{"id": r["id"], "label": r["label"], "name": r["name"]} for r in plan.updates],
            "proposed": [{"engagement": e["from"], "public": e["to"]} for e in plan.edges
                         if e["type"] == "INVOLVED" and e.get("confirmed") is False],
            "conflicts": [c.as_dict() for c in plan.conflicts],
            "withdrawn": plan.withdrawn, "notes": plan.notes,
            "revision": result.revision if result else None}


def _print(plan, dry_run: bool) -> None:
    verb = "would" if dry_run else "did"
    click.echo(f"Harvest from {plan.source}{' (dry run: nothing written)' if dry_run else ''}")
    for label, c in plan.counts().items():
        click.echo(f"  {label}: {c['created']} to create, {c['updated']} to update, {c['unchanged']} unchanged"
                   if dry_run else f"  {label}: {c['created']} created, {c['updated']} updated, "
                                   f"{c['unchanged']} unchanged")
    click.echo(f"  relationships: {len(plan.edges)} {'to add' if dry_run else 'added'}")
    engagements = [r for r in plan.creates + plan.updates if r["label"] == "Engagement"]
    if engagements:
        proposed: dict[str, list[str]] = {}
        for edge in plan.edges:
            if edge["type"] == "INVOLVED" and edge.get("confirmed") is False:
                proposed.setdefault(edge["from"], []).append(edge["to"])
        click.echo(f"Engagements it {verb} write:")
        for r in sorted(engagements, key=lambda r: (r["start"], r["id"])):
            dates = r["start"] + (f" to {r['end']}" if r.get("end") else "")
            publics = ", ".join(proposed.get(r["id"], [])) or "none"
            click.echo(f"  {r['name']} ({r['id']}): {r.get('status', 'held')}, {dates}; "
                       f"publics proposed, not confirmed: {publics}")
    statistics = [r for r in plan.creates + plan.updates if r["label"] == "Statistic"]
    if statistics:
        click.echo(f"Statistics it {verb} write:")
        for r in sorted(statistics, key=lambda r: r["name"].lower()):
            email = (r.get("contact") or {}).get("email")
            click.echo(f"  {r['name']} ({r['id']})" + (f": {email}" if email else ""))
    if plan.conflicts:
        click.echo(f"Kept {len(plan.conflicts)} field(s) an editor changed since the last harvest:")
        for conflict in plan.conflicts:
            click.echo(f"  {conflict}")
    if plan.withdrawn:
        click.echo(f"No longer listed by the source (withdrawn? check and delete by hand if so): {len(plan.withdrawn)}")
        for record in plan.withdrawn:
            click.echo(f"  {record['name']} ({record['id']})")
    for note in plan.notes:
        click.echo(f"Note: {note}")


# Sources whose from_recorded reads several paths as one recording; the others take one path.
SEVERAL_RECORDINGS = ("govuk",)


def _recorded_for(source: str, recorded: tuple[Path, ...]):
    """What ``--recorded`` gives the source: every path for govuk, the one path for the others."""
    if source in SEVERAL_RECORDINGS:
        return list(recorded)
    if len(recorded) > 1:
        fail(f"harvest {source} reads one recording: give --recorded once (a file or a folder), "
             f"not {len(recorded)} times", 2)
    return recorded[0]


@click.command()
@click.argument("source", type=click.Choice(H.SOURCES))
@click.option("--organisation", "organisations", multiple=True, metavar="SLUG",
              help="Only this organisation's statistics (GOV.UK slug or NISRA code); repeat for several.")
@click.option("--recorded", type=click.Path(exists=True, path_type=Path), multiple=True, metavar="PATH",
              help="Read saved responses (a VCR cassette, a folder of cassettes, or a folder --save wrote) "
                   "instead of the live source. govuk: repeat to read several as one, and give the "
                   "data-catalogue collection mapping file here too.")
@click.option("--save", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep every live response in this folder, to replay later with --recorded.")
@click.option("--pause", type=click.FloatRange(0, 60), default=0.5, show_default=True,
              help="Seconds between calls to a live source.")
@click.option("--consultations", "of_consultations", is_flag=True,
              help="govuk only: harvest the GOV.UK consultations of the registry's producers as engagements, "
                   "proposing the publics they involved for an editor to confirm.")
@click.option("--address", metavar="URL", default=None,
              help="With --consultations: only the one consultation at this GOV.UK address.")
@click.option("--dry-run", is_flag=True, help="Show what would be created, updated and left alone; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@pass_ctx
def harvest(ctx, source, organisations, recorded, save, pause, of_consultations, address, dry_run, as_json):
    """Harvest statistics, producers, topics and enquiry routes from GOV.UK, the ONS or NISRA.

    What is read becomes one change: checked against the model, written whole or not
    at all, and audited as this harvest. A field an editor changed since the last
    harvest is kept and reported; a series the source no longer lists is reported, not deleted.
    With --consultations (govuk), the consultations of the registry's producers become engagements.
    """
    if of_consultations:
        if source != "govuk":
            fail(f"--consultations is for govuk only, not {source}", 2)
        return _consultations(ctx, organisations, recorded, save, pause, dry_run, as_json, address)
    if address:
        fail("--address is for govuk --consultations only", 2)
    module = H.source(source)
    progress = None if as_json or not sys.stderr.isatty() else progress_printer(f"harvest {source}")
    try:
        if recorded:
            found = module.from_recorded(_recorded_for(source, recorded), organisations, progress)
        else:
            found = module.from_live(fetch.Live(pause=pause, save_to=save), organisations, progress)
    except HarvestError as exc:
        fail(str(exc), 1)
    store = ctx.store  # opened after reading, so an unreachable source never waits on the store
    plan, result = run(store, found, dry_run=dry_run, progress=progress)
    if as_json:
        emit_json(_summary(plan, result, dry_run))
    else:
        _print(plan, dry_run)


def _consultations(ctx, organisations, recorded, save, pause, dry_run, as_json, address=None) -> None:
    """``harvest govuk --consultations``: the store first (its producers and publics), then the source.

    With ``--address``, only that one consultation (:func:`graph.harvest.consultations.from_address`),
    as the web page /engagements/from-govuk reads it.
    """
    progress = None if as_json or not sys.stderr.isatty() else progress_printer("harvest consultations")
    store = ctx.store
    graph = store.graph()
    if address and organisations:
        fail("give --address or --organisation, not both", 2)
    try:
        if address:
            reader = (fetch.Readers([fetch.recorded_reader(p) for p in recorded]) if recorded
                      else fetch.Live(pause=pause, save_to=save))
            if recorded and not reader.recorded:
                fail("the recording says no date it was recorded (no Date headers or saved dates)", 1)
            found = consultations.from_address(reader, graph, address,
                                               reader.recorded or _dt.date.today().isoformat())
        elif recorded:
            found = consultations.from_recorded(list(recorded), graph, organisations, progress)
        else:
            found = consultations.from_live(fetch.Live(pause=pause, save_to=save), graph, organisations, progress)
    except HarvestError as exc:
        fail(str(exc), 1)
    plan, result = run(store, found, dry_run=dry_run, progress=progress)
    if as_json:
        emit_json(_summary(plan, result, dry_run))
    else:
        _print(plan, dry_run)


commands = [harvest]
