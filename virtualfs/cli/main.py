"""The ``virtualfs`` command. Each command group lives in its own module with ``register(app)``."""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Annotated

import typer

from virtualfs.cli.help import App, PlainHelpGroup

app = App(
    name="virtualfs",
    help="A virtual feature store: definitions compiled to your warehouse's SQL, served online.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=PlainHelpGroup,
    rich_markup_mode=None,  # plain help: rich panels cut option names at 80 columns
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"virtualfs {version('virtualfs')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Options of ``virtualfs`` itself (before the command)."""

# Command-group modules under virtualfs.cli, registered in this order.
COMMAND_MODULES = ("project", "governance", "access", "retrieval", "datasets", "profile", "refresh", "checks",
                   "gc", "online", "push", "consistency", "serve", "ui", "demo")

for _module in COMMAND_MODULES:
    import_module(f"virtualfs.cli.{_module}").register(app)


def run() -> None:
    """Entry point: a user error is one line on stderr and exit code 1, never a traceback.

    Usage errors (unknown command or option) are reported by typer itself with exit code 2.
    """
    from virtualfs.errors import VirtualfsError

    try:
        app()
    except VirtualfsError as error:
        typer.secho(f"error: {error}", err=True, fg="red")
        sys.exit(1)
    except KeyboardInterrupt:
        typer.secho("interrupted", err=True)
        sys.exit(130)
