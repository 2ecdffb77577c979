"""What every CLI command shares: the --repo option, opening the store, printing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from virtualfs.store import FeatureStore

RepoOption = Annotated[str, typer.Option("--repo", "-r", help="Repository folder (has virtualfs.yaml).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]


def open_store(repo: str) -> FeatureStore:
    from virtualfs.store import FeatureStore

    return FeatureStore(repo)


def print_table(rows: Iterable[dict[str, Any]], columns: Sequence[str], title: str | None = None) -> None:
    """A table a person can scan."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, header_style="bold")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    Console().print(table)


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, default=str, sort_keys=False))


def time_text(value: datetime | None) -> str:
    """A time as people read it in the CLI: ``2026-01-31 12:00:00 UTC`` (``none`` when unknown)."""
    if value is None:
        return "none"
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)
