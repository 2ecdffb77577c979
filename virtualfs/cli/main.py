"""The ``virtualfs`` command. Each command group lives in its own module with ``register(app)``."""

from __future__ import annotations

import sys
from importlib import import_module

import typer

app = typer.Typer(
    name="virtualfs",
    help="A virtual feature store: definitions compiled to your warehouse's SQL, served online.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command-group modules under virtualfs.cli, registered in this order.
COMMAND_MODULES = ("project", "retrieval", "refresh", "gc", "online", "serve", "demo")

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
