"""``virtualfs datasets ls|show|recreate|rm``: saved training frames (``retrieve --save`` saves one)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from virtualfs.cli.common import JsonOption, RepoOption, open_store, print_json, print_table, time_text
from virtualfs.cli.help import App, PlainHelpGroup

if TYPE_CHECKING:
    from virtualfs.datasets import Dataset, RecreateReport

NameArgument = Annotated[str, typer.Argument(metavar="NAME", help="A saved dataset's name.")]

datasets = App(name="datasets", help="Saved training frames: list, show, recreate, remove.",
               no_args_is_help=True, cls=PlainHelpGroup, rich_markup_mode=None)


def register(app: typer.Typer) -> None:
    app.add_typer(datasets)


@datasets.command("ls")
def ls(repo: RepoOption = ".", json: JsonOption = False) -> None:
    """List the saved datasets."""
    found = open_store(repo).list_datasets()
    rows = [_summary(dataset) for dataset in found]
    if json:
        print_json(rows)
    elif not rows:
        typer.echo("no saved datasets; save one with `virtualfs retrieve ... --save NAME`")
    else:
        print_table(rows, ["name", "rows", "saved", "version", "features", "description"], whole=["name"])


@datasets.command("show")
def show(name: NameArgument, repo: RepoOption = ".", json: JsonOption = False) -> None:
    """Show a dataset's manifest: what was asked, how, and what came out."""
    dataset = open_store(repo).get_dataset(name)
    if json:
        print_json(dataset.manifest)
        return
    info = dataset.info
    lines = [
        f"dataset {info.name} (revision {dataset.revision}): {info.description}".rstrip(": "),
        f"  table         {info.table}  ({info.rows} rows)",
        f"  saved         {time_text(info.as_of)}, catalog version {info.catalog_version}, "
        f"rule {info.rule}, on {info.warehouse}",
        f"  entity rows   {info.entities.kind} ({info.entities.rows} rows), kept in {info.entities.table}",
        f"  content hash  {info.content_hash}",
    ]
    if info.tags:
        lines.append("  tags          " + ", ".join(f"{k}={v}" for k, v in info.tags.items()))
    if info.service:
        lines.append(f"  service       {info.service}")
    lines.append("  features      " + ", ".join(info.features))
    for read in info.reads:
        watermark = time_text(read.watermark)
        lines.append(f"  read          {read.location} (view {read.view}, watermark {watermark})")
    lines.append("  columns:")
    counts, width = info.statistics.get("columns", {}), max(len(c.name) for c in info.columns)
    for column in info.columns:
        nulls = counts.get(column.name, {}).get("null_count")
        lines.append(f"    {column.name:<{width}}  {column.type:<9}" + (f"  {nulls} null" if nulls else ""))
    typer.echo("\n".join(lines))


@datasets.command("recreate")
def recreate(
    name: NameArgument,
    into: Annotated[Optional[str], typer.Option(
        "--into", metavar="TABLE", help="Keep the rebuilt rows in this new table (default: dropped).",
    )] = None,
    repo: RepoOption = ".",
    json: JsonOption = False,
) -> None:
    """Rebuild a dataset from its sources as of when it was saved, and compare (exit 1: it differs)."""
    report = open_store(repo).recreate_dataset(name, into)
    if json:
        print_json(report.to_dict())
    else:
        _print_report(report)
    if not report.identical:
        raise typer.Exit(1)


@datasets.command("rm")
def rm(name: NameArgument, repo: RepoOption = ".", json: JsonOption = False) -> None:
    """Remove a dataset's tables (its manifests stay in the catalog's history)."""
    store = open_store(repo)
    table = store.get_dataset(name).table
    store.delete_dataset(name)
    if json:
        print_json({"name": name, "removed": True, "table": table})
    else:
        typer.echo(f"removed dataset {name} ({table})")


def _summary(dataset: Dataset) -> dict[str, Any]:
    info = dataset.info
    return {"name": info.name, "rows": info.rows, "saved": time_text(info.as_of),
            "version": info.catalog_version, "features": len(info.features), "description": info.description,
            "table": info.table, "content_hash": info.content_hash, "tags": dict(info.tags)}


def _print_report(report: RecreateReport) -> None:
    verdict = "identical" if report.identical else "DIFFERENT"
    typer.echo(f"dataset {report.name}: {verdict} (catalog version {report.catalog_version}, "
               f"sources as of {time_text(report.as_of)})")
    typer.echo(f"  rows          saved {report.rows_saved}, recreated {report.rows_recreated}")
    hashes = f"saved {report.content_hash_saved}, recreated {report.content_hash_recreated}"
    typer.echo(f"  content hash  {hashes}")
    for column, count in report.differing.items():
        if count:
            typer.echo(f"  differs       {column}: {count} rows")
    if report.table:
        typer.echo(f"  rebuilt rows  {report.table}")
    for caveat in report.caveats:
        typer.echo(f"  caveat        {caveat}")
