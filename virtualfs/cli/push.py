"""``virtualfs push VIEW FILE``: rows of a Parquet, CSV or JSON-lines file pushed to a view."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from virtualfs.cli.common import JsonOption, RepoOption, open_store, print_json, print_table

ViewArgument = Annotated[str, typer.Argument(metavar="VIEW", help="A feature view declared push=True.")]
FileArgument = Annotated[Path, typer.Argument(metavar="FILE", help="Rows: .parquet, .csv or .jsonl.")]
ToOption = Annotated[str, typer.Option("--to", metavar="WHERE", help="online, offline or both.")]
READERS = (".parquet", ".csv", ".jsonl")


def register(app: typer.Typer) -> None:
    """Add ``push`` to the ``virtualfs`` app."""
    app.command("push")(push_command)


def push_command(view: ViewArgument, file: FileArgument, to: ToOption = "both", repo: RepoOption = ".",
                 as_json: JsonOption = False) -> None:
    """Push the rows of FILE to VIEW: its join keys, event-time column and features (the push
    time becomes their created time); all of them or none."""
    result = open_store(repo).push(view, read_rows(file), to=to)
    summary = {"view": result.view, "rows": result.rows, "pushed at": result.pushed_at,
               "offline rows": result.offline_rows, "online keys": result.online_keys}
    if as_json:
        print_json({key.replace(" ", "_"): value for key, value in summary.items()})
    else:
        print_table([{key: str(value) for key, value in summary.items()}], list(summary), title="pushed")


def read_rows(file: Path):
    """The rows of ``file`` as an Arrow table, read by its suffix."""
    suffix = file.suffix.lower()
    if suffix not in READERS:
        raise typer.BadParameter(f"{file}: expected a {', '.join(READERS)} file")
    if not file.is_file():
        raise typer.BadParameter(f"{file}: no such file")
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(file)
    if suffix == ".csv":
        import pyarrow.csv as pv

        return pv.read_csv(file)
    import pyarrow.json as pj

    return pj.read_json(file)
