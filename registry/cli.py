"""The ``pathways`` command (also ``python -m registry``).

Exit 0 on success; otherwise a reason on stderr (one line, or one line per
problem for a refused import) and a non-zero exit: 1 for refused input or a
domain error, 2 for bad usage or configuration, 3 for the store being down.
Feature areas add commands from modules in ``registry/commands/``.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from functools import cached_property

import click

from graph import model
from graph.errors import InvalidRecord, PathwaysError, StoreUnavailable
from graph.resolve import Ambiguous, NotNamed

from . import create_app

MAX_PROBLEMS_SHOWN = 100


class Context:
    """The app and store, built on first use so ``--help`` never connects."""

    def __init__(self, store_url: str | None):
        self.store_url = store_url

    @cached_property
    def app(self):
        return create_app({"REGISTRY_STORE": self.store_url} if self.store_url else None)

    @property
    def store(self):
        from .store import store_for
        return store_for(self.app)

    @property
    def settings(self) -> dict:
        return self.app.extensions["pathways.settings"]

    def close(self) -> None:
        """Close the store if a command opened it (a Neo4j driver holds connections)."""
        if "app" in self.__dict__ and self.app.extensions.get("pathways.store") is not None:
            self.app.extensions["pathways.store"].close()


pass_ctx = click.make_pass_decorator(Context)


def fail(message: str, code: int = 1) -> None:
    click.echo(f"pathways: {message}", err=True)
    sys.exit(code)


class Group(click.Group):
    """Turns every error into a located message and an exit code, never a traceback.

    The commands listed in ``registry/areas.py`` are added on first lookup rather than at
    import, so a command module may import this one in any order.
    """

    _discovered = False

    def _discover(self) -> None:
        if not self._discovered:
            Group._discovered = True
            from .areas import commands
            for command in commands():
                self.add_command(command)

    def list_commands(self, ctx):
        self._discover()
        return super().list_commands(ctx)

    def get_command(self, ctx, name):
        self._discover()
        return super().get_command(ctx, name)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (Ambiguous, NotNamed) as exc:  # a name that is not one record: say which, nothing else
            hint = "; give one of these ids" if isinstance(exc, Ambiguous) else ""
            fail(str(exc.problems[0]).removeprefix("query: ") + hint)
        except InvalidRecord as exc:
            problems = exc.problems
            for problem in problems[:MAX_PROBLEMS_SHOWN]:
                click.echo(f"error: {problem}", err=True)
            if len(problems) > MAX_PROBLEMS_SHOWN:
                click.echo(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more problems", err=True)
            fail(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found; nothing was written")
        except StoreUnavailable as exc:
            fail(str(exc).splitlines()[0] if str(exc) else "the registry database is unavailable", 3)
        except PathwaysError as exc:
            fail(str(exc), 1)
        except (ValueError, OSError) as exc:
            fail(str(exc), 2)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # the last line of defence: one line, not a stack trace
            if os.environ.get("PATHWAYS_DEBUG"):
                raise
            fail(f"unexpected error ({type(exc).__name__}): {exc}", 4)


@click.group(cls=Group)
@click.option("--store", "store_url", envvar="REGISTRY_STORE", metavar="URL",
              help="sqlite:///path or neo4j://host:port (default: the instance folder's registry.db)")
@click.version_option(package_name="pathways")
@click.pass_context
def main(ctx, store_url):
    """Pathways: a registry of the engagement pathways of official statistics."""
    # The driver logs its own retries to stderr; we report an outage once, in one line.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    ctx.obj = Context(store_url)
    ctx.call_on_close(ctx.obj.close)


def iso_date(_ctx, _param, value):
    """Click callback for a date option given as YYYY-MM-DD (None when absent).

    >>> iso_date(None, None, "2026-11-21"), iso_date(None, None, None)
    (datetime.date(2026, 11, 21), None)
    """
    if value is None:
        return None
    day = model.parse_date(value)
    if day is None:
        raise click.BadParameter(f"{value!r} is not a real date written YYYY-MM-DD, from {model.EARLIEST_DATE} "
                                 f"to {model.LATEST_DATE}")
    return day


def emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def progress_printer(label: str):
    """A progress callback that draws a bar on stderr for each stage of a long job."""
    bars: dict = {}

    def report(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = click.progressbar(length=max(total, 1), label=f"{label}: {stage}", file=sys.stderr,
                                                  show_pos=True)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)
    return report

