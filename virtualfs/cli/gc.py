"""Garbage collection: ``virtualfs gc [--dry-run]``, and the listing ``apply`` prints after it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from virtualfs.cli.common import JsonOption, RepoOption, open_store, print_json

if TYPE_CHECKING:
    from virtualfs.gc import GcReport
    from virtualfs.store import FeatureStore


def register(app: typer.Typer) -> None:
    app.command()(gc)


def gc(
    repo: RepoOption = ".",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what would be removed.")] = False,
    json: JsonOption = False,
) -> None:
    """Remove the tables, online keys and watermark records no applied view needs any more."""
    store = open_store(repo)
    report = store.gc(dry_run=dry_run)
    if json:
        print_json(garbage_data(report))
        return
    if not report.plan.is_empty:
        typer.echo("garbage found (dry run: nothing removed):" if dry_run else "garbage found and removed:")
    print_garbage(store, report)
    if report.plan.is_empty:
        typer.echo("no garbage")
    elif dry_run:
        typer.echo("run `virtualfs gc` to remove it")
    else:
        typer.echo(f"removed {len(report.removed_tables)} tables, {report.keys_removed} online keys, "
                   f"{len(report.plan.records)} catalog records")
        if report.busy:
            typer.echo(f"left {len(report.busy)} tables whose view a refresh is writing: run gc again later")


def print_garbage(store: FeatureStore, report: GcReport) -> None:
    """One line per thing found, and the things only named like garbage (never removed)."""
    plan, schema = report.plan, ".".join(store.copies.schema.parts)
    for table in plan.tables:
        busy = "  (left: a refresh of the view holds its lock)" if table in report.busy else ""
        typer.echo(f"  {table.kind:8} {schema}.{table.name}  (view {table.view}){busy}")
    for keys in plan.online:
        typer.echo(f"  {'online':8} {keys.prefix}*  ({keys.keys} keys, view {keys.view})")
    for record in plan.records:
        typer.echo(f"  {'record':8} watermark {record.key} of view {record.view}")
    for name in plan.unknown_tables:
        typer.echo(f"  left alone: {schema}.{name} (named like this project's; no applied version made it)")
    for prefix in plan.unknown_prefixes:
        typer.echo(f"  left alone: online keys {prefix}* (no applied version made them)")


def garbage_after_apply(store: FeatureStore) -> GcReport | None:
    """What is garbage once an apply is done (a dry run); None, with a warning, when the
    warehouse or online store cannot be listed (the apply stands)."""
    from virtualfs.errors import VirtualfsError

    try:
        return store.gc(dry_run=True)
    except VirtualfsError as error:
        typer.secho(f"warning: could not list garbage: {error}", err=True, fg="yellow")
        return None


def print_garbage_after_apply(store: FeatureStore, report: GcReport | None) -> None:
    if report is None or report.plan.is_empty:
        return
    typer.echo("garbage: stored copies no applied view needs any more (remove them with `virtualfs gc`):")
    print_garbage(store, report)


def garbage_data(report: GcReport) -> dict[str, Any]:
    plan = report.plan
    return {
        "version": plan.version, "dry_run": report.dry_run,
        "tables": [{"name": t.name, "view": t.view, "kind": t.kind, "removed": t in report.removed_tables}
                   for t in plan.tables],
        "online": [{"prefix": k.prefix, "view": k.view, "keys": k.keys} for k in plan.online],
        "records": [{"view": r.view, "key": r.key} for r in plan.records],
        "keys_removed": report.keys_removed,
        "unknown_tables": list(plan.unknown_tables), "unknown_prefixes": list(plan.unknown_prefixes),
    }
