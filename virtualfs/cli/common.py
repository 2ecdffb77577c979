"""What every CLI command shares: the --repo option, opening the store, printing."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    from virtualfs.store import FeatureStore

RepoOption = Annotated[
    str, typer.Option("--repo", "-r", metavar="DIR", show_default=False,
                      help="Repository folder, with virtualfs.yaml (default: the current folder).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")]
ProgressOption = Annotated[Optional[bool], typer.Option(
    "--progress/--no-progress", show_default=False,
    help="Show each phase and its time on stderr (default: when stderr is a terminal and not --json).")]


def open_store(repo: str) -> FeatureStore:
    from virtualfs.store import FeatureStore

    return FeatureStore(repo)


def print_table(rows: Iterable[dict[str, Any]], columns: Sequence[str], title: str | None = None,
                whole: Sequence[str] | None = None) -> None:
    """A table a person can scan, at any terminal width: the columns in ``whole`` (names; by
    default the first column) are never wrapped or cut, the others wrap (between words while
    they fit), and no cell is cut short."""
    from rich.console import Console
    from rich.table import Table

    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    kept = [column in (columns[:1] if whole is None else whole) for column in columns]
    console = Console()
    table = Table(title=title, header_style="bold")
    widths = column_widths(columns, cells, kept, console.width)
    for column, keep, width in zip(columns, kept, widths, strict=True):
        table.add_column(column, no_wrap=keep, overflow="fold", width=width)
    for line in cells:
        table.add_row(*line)
    console.print(table)


def column_widths(columns: Sequence[str], cells: Sequence[Sequence[str]], kept: Sequence[bool],
                  width: int) -> list[int | None]:
    """Widths for a table in ``width`` cells (None: rich's own). A table that fits is left
    alone. Otherwise kept columns are as wide as their longest cell and the others share the
    rest: each up to its longest word first (a fair share, when not all fit), then the spare
    room in proportion to what each still lacks.

    >>> column_widths(["view", "note"], [["customer_orders", "a b"]], [True, False], 80)
    [None, None]
    >>> column_widths(["view", "note", "more"], [["customer_orders", "one two three four", "x"]],
    ...               [True, False, False], 40)
    [15, 11, 4]
    >>> column_widths(["view", "note", "more"], [["customer_orders", "seventeen_letters", "x y"]],
    ...               [True, False, False], 35)
    [15, 6, 4]
    """
    from rich.cells import cell_len

    def longest(index: int, words: bool) -> int:
        texts = [columns[index], *(line[index] for line in cells)]
        return max(cell_len(part) for text in texts for part in (text.split() if words else [text]) or [""])

    whole = [longest(index, words=False) for index in range(len(columns))]
    room = width - (3 * len(columns) + 1)  # one space of padding each side, and the rules
    wrapped = [index for index, keep in enumerate(kept) if not keep]
    left = room - sum(w for w, keep in zip(whole, kept, strict=True) if keep)
    if sum(whole) <= room or left < len(wrapped):
        return [w if keep else None for w, keep in zip(whole, kept, strict=True)] if sum(whole) > room \
            else [None] * len(columns)
    widths: list[int | None] = [w if keep else None for w, keep in zip(whole, kept, strict=True)]
    base = _fair_shares(left, [longest(index, words=True) for index in wrapped])
    lacking = [whole[index] - share for index, share in zip(wrapped, base, strict=True)]
    spare = left - sum(base)
    for index, share, lack in zip(wrapped, base, lacking, strict=True):
        widths[index] = share + (spare * lack // sum(lacking) if sum(lacking) else 0)
    return widths


def _fair_shares(room: int, wants: Sequence[int]) -> list[int]:
    """Each want met up to an equal share of ``room``; what small wants leave goes to the rest.

    >>> _fair_shares(20, [3, 40, 12])
    [3, 9, 8]
    """
    given = [0] * len(wants)
    left, count = room, len(wants)
    for index in sorted(range(len(wants)), key=lambda i: wants[i]):
        given[index] = min(wants[index], left // count)
        left, count = left - given[index], count - 1
    return given


def shows_progress(progress: bool | None, as_json: bool) -> bool:
    """``--progress``/``--no-progress`` when given; else only on a terminal, and never with --json."""
    if progress is not None:
        return progress
    return not as_json and sys.stderr.isatty()


@contextmanager
def phases(enabled: bool) -> Iterator[Callable[[str], None]]:
    """Long work in named phases on stderr: ``step("running the query")`` ends the phase under
    way (a tick and its time stay on screen) and starts the next, with a spinner. Disabled,
    ``step`` does nothing."""
    if not enabled:
        yield lambda name: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(finished_text="[green]✓"), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True, force_terminal=True)) as bar:
        current: list[Any] = []

        def step(name: str) -> None:
            if current:
                bar.update(current[-1], total=1, completed=1)
            current.append(bar.add_task(name, total=None))

        yield step
        if current:
            bar.update(current[-1], total=1, completed=1)


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
