"""``--help`` as plain text that fits any terminal: option names are never cut, values are named
(``--repo DIR``) rather than typed (``<str>``), flags show no type, and command summaries wrap
instead of ending in ``...``. Plain click layout; typer's rich panels cut names at 80 columns."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


class PlainHelpCommand(TyperCommand):
    """A command whose help lists each argument and option by name and value name."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        write_parameters(self, ctx, formatter)


class PlainHelpGroup(TyperGroup):
    """The ``virtualfs`` group: its options, then every command with its whole first sentence."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        write_parameters(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, summary(command.short_help or command.help or "")))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class App(typer.Typer):
    """``typer.Typer`` whose commands print plain help (:class:`PlainHelpCommand`)."""

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or PlainHelpCommand, **kwargs)


def write_parameters(command: Any, ctx: Any, formatter: Any) -> None:
    """The Arguments and Options sections: names as typed on the command line, then the help."""
    sections: dict[str, list[tuple[str, str]]] = {"Arguments": [], "Options": []}
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is not None:
            section = "Arguments" if param.param_type_name == "argument" else "Options"
            sections[section].append((label(param), record[1]))
    for title, rows in sections.items():
        if rows:
            with formatter.section(title):
                formatter.write_dl(rows)


def label(param: Any) -> str:
    """``-r, --repo DIR``, ``--full``, ``--online / --no-online``, ``VIEW...``."""
    value = param.metavar or param.name.upper()
    if param.param_type_name == "argument":
        return f"{value}..." if param.nargs != 1 else value
    names = ", ".join(sorted(param.opts, key=_dashes))
    if param.secondary_opts:
        names += " / " + ", ".join(sorted(param.secondary_opts, key=_dashes))
    takes_value = not getattr(param, "is_flag", False) and not getattr(param, "count", False)
    return f"{names} {value}" if takes_value else names


def summary(text: str) -> str:
    """A command's help up to its first blank line, on one line.

    >>> summary("Refresh views,\\n  then materialize them.\\n\\nMore detail.")
    'Refresh views, then materialize them.'
    """
    return " ".join(text.split("\n\n")[0].split())


def _dashes(option: str) -> int:
    return len(option) - len(option.lstrip("-/"))
