"""Tokens and the audit trail."""
from __future__ import annotations

import click

from ..auth import ROLES, hash_token, new_token
from ..cli import emit_json, fail, pass_ctx


@click.group()
def token():
    """Create, list and revoke API tokens."""


@token.command("create")
@click.option("--role", type=click.Choice(ROLES[1:]), required=True)
@click.option("--name", required=True, help="Who or what the token is for (unique); the audit trail shows it.")
@pass_ctx
def token_create(ctx, role, name):
    """Create a token and print it once (only its hash is kept)."""
    value = new_token()
    ctx.store.add_token(name, role, hash_token(value))
    click.echo(value)
    click.echo(f"token '{name}' ({role}) created: keep it safe, it is not shown again", err=True)


@token.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def token_list(ctx, as_json):
    """List tokens (names and roles, never the tokens themselves)."""
    tokens = ctx.store.list_tokens()
    if as_json:
        return emit_json(tokens)
    for t in tokens:
        state = f"revoked {t['revoked']}" if t["revoked"] else "active"
        click.echo(f"{t['name']}\t{t['role']}\tcreated {t['created']}\t{state}")


@token.command("revoke")
@click.argument("name")
@pass_ctx
def token_revoke(ctx, name):
    """Revoke a token by name."""
    if not ctx.store.revoke_token(name):
        fail(f"no active token named '{name}'")
    click.echo(f"token '{name}' revoked")


@click.command()
@click.option("--target", help="Only changes to this record id.")
@click.option("--limit", default=50, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def audit(ctx, target, limit, as_json):
    """Who changed what and when, newest first."""
    entries = ctx.store.audit_entries(target=target, limit=limit)
    if as_json:
        return emit_json(entries)
    for e in entries:
        click.echo(f"{e['at']}\t{e['actor']}\t{e['action']}\t{e['target'] or ''}")


commands = [token, audit]
