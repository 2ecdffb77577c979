"""Repository commands: init, plan, apply, ls, describe, versions, demo-data."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from virtualfs.cli.common import JsonOption, RepoOption, open_store, print_json, print_table, time_text


class Kind(str, Enum):
    entities = "entities"
    sources = "sources"
    views = "views"
    services = "services"


def register(app: typer.Typer) -> None:
    for command in (init, plan, apply, ls, describe, versions, demo_data):
        app.command(name=command.__name__.replace("_", "-"))(command)


def init(directory: Annotated[str, typer.Argument(metavar="DIR",
                                                  help="Folder to create the repository in.")]) -> None:
    """Scaffold a working repository: config, example definitions, a small sample warehouse."""
    from virtualfs.scaffold import init_repository

    root = init_repository(directory)
    typer.echo(f"created {root}; next: virtualfs apply -r {directory}")


def plan(repo: RepoOption = ".", json: JsonOption = False) -> None:
    """Show what apply would create, update and delete in the catalog."""
    result = open_store(repo).plan()
    if json:
        print_json(_plan_data(result))
        return
    _print_plan(result)


def apply(repo: RepoOption = ".", json: JsonOption = False) -> None:
    """Validate the repository against the warehouse and write a new catalog version, then list
    what became garbage (``virtualfs gc`` removes it)."""
    from virtualfs.cli.gc import garbage_after_apply, garbage_data, print_garbage_after_apply

    store = open_store(repo)
    result = store.apply()
    garbage = garbage_after_apply(store)
    if json:
        print_json({**_plan_data(result.plan), "version": result.version and result.version.version,
                    "garbage": garbage and garbage_data(garbage)})
        return
    _print_plan(result.plan)
    if result.version is None:
        typer.echo("nothing to apply: the catalog is up to date")
    else:
        typer.echo(f"applied catalog version {result.version.version}: {result.version.summary}")
    print_garbage_after_apply(store, garbage)


def ls(
    kind: Annotated[Optional[Kind], typer.Argument(
        metavar="KIND", help="entities, sources, views or services (default: everything).")] = None,
    repo: RepoOption = ".",
    json: JsonOption = False,
) -> None:
    """List the applied entities, sources, feature views and feature services."""
    store = open_store(repo)
    rows = [row for k in ([kind] if kind else list(Kind)) for row in _rows(store, k)]
    if json:
        print_json(rows)
    else:
        print_table(rows, ["kind", "name", "details", "description"], whole=["name"],
                    title=f"{store.project} (catalog version {store.registry().version})")


def describe(name: Annotated[str, typer.Argument(metavar="NAME", help="A view, service, source or entity.")],
             repo: RepoOption = ".", json: JsonOption = False) -> None:
    """Show one applied definition; for a view also the columns each feature is computed from and
    whether it is PII, its last refresh, watermark, online freshness and what its checks last
    observed; for a service, its PII features."""
    from virtualfs.catalog.readable import definition_lines, readable
    from virtualfs.catalog.serde import fingerprint
    from virtualfs.governance.text import describe_governance

    store = open_store(repo)
    found = store.registry().find(name)
    status = store.view_status(found.name) if found.kind == "feature view" else None
    governed, governed_data = describe_governance(store.registry(), found, store.config.dialect)
    if json:
        stored = {"status": _status_data(status)} if status is not None else {}
        print_json({"kind": found.kind, "fingerprint": fingerprint(found), **readable(found), **governed_data,
                    **stored})
        return
    title, *fields = definition_lines(found)
    lines = [title, f"  {'fingerprint':<13} {fingerprint(found)}", *fields, *governed]
    typer.echo("\n".join(lines + (_status_lines(status) if status is not None else [])))


def versions(repo: RepoOption = ".", json: JsonOption = False) -> None:
    """The catalog's version history, oldest first."""
    rows = [{"version": v.version, "parent": v.parent, "summary": v.summary,
             "created_at": v.created_at.isoformat(timespec="seconds")}
            for v in open_store(repo).versions()]
    if json:
        print_json(rows)
    else:
        print_table(rows, ["version", "parent", "created_at", "summary"])


def demo_data(
    repo: RepoOption = ".",
    scale: Annotated[float, typer.Option(help="1: ~2k customers, ~100k orders; 100: 10M+ rows.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 7,
) -> None:
    """Write the deterministic online-shop demo warehouse at the repository's DuckDB path."""
    from virtualfs.config import load_config
    from virtualfs.demo import make_demo_warehouse
    from virtualfs.errors import ConfigError

    config = load_config(repo)
    if config.warehouse.type != "duckdb":
        raise ConfigError("demo-data writes a DuckDB warehouse; this repository's warehouse is "
                          f"{config.warehouse.type}")
    counts = make_demo_warehouse(config.warehouse.get("path"), scale=scale, seed=seed)
    typer.echo("demo warehouse: " + ", ".join(f"{table} {n:,}" for table, n in counts.items()))


def _rows(store, kind: Kind) -> list[dict]:
    if kind is Kind.entities:
        return [{"kind": "entity", "name": e.name, "details": "keys: " + ", ".join(e.join_keys),
                 "description": e.description} for e in store.list_entities()]
    if kind is Kind.sources:
        return [{"kind": "source", "name": s.name, "details": s.table or "(query)",
                 "description": s.description} for s in store.list_sources()]
    if kind is Kind.views:
        from virtualfs.catalog.readable import view_contents

        return [{"kind": "feature view", "name": v.name,
                 "details": f"{view_contents(v)}; ttl {_ttl(v.ttl)}; source {v.source.name}",
                 "description": v.description} for v in store.list_feature_views()]
    return [{"kind": "feature service", "name": s.name, "details": ", ".join(s.features),
             "description": s.description} for s in store.list_feature_services()]


def _status_lines(status) -> list[str]:
    """A view's stored copies as the catalog records them: last run, table, online parts."""
    lines = ["  refresh", f"    {'last run':<13} {_run_text(status.last_run)}"]
    if status.materialize == "view":
        table = "none (materialize=view: reads compile against the source)"
    elif status.table is None:
        table = "none yet" if status.last_run is None else "not refreshed since this definition was applied"
    else:
        record = status.table
        table = f"{record.location}: {_rows_text(record.rows)}, watermark {time_text(record.watermark)}"
    lines += [f"    {'table':<13} {table}", "  online"]
    for part in status.online:
        text = "not materialized since this definition was applied" if part.record is None else \
            f"as of {time_text(part.record.watermark)} (written {time_text(part.record.updated_at)})"
        lines.append(f"    {part.part:<13} {text}")
    return lines + _checks_lines(status.checks)


def _checks_lines(checked) -> list[str]:
    """What the view's checks observed in the last run that checked them."""
    if checked is None:
        return []
    from virtualfs.cli.checks import outcome

    lines = [f"  checks        last run {time_text(checked.started_at)} ({checked.status})"]
    width = max(len(result.check) for result in checked.results)
    lines += [f"    {r.check:<{width}}  {outcome(r):<6}  {r.observation}; expected {r.expected}"
              for r in checked.results]
    return lines


def _run_text(run) -> str:
    if run is None:
        return "never"
    text = f"{run.status} {time_text(run.started_at)}"
    if run.rows_written is not None:
        text += f", {_rows_text(run.rows_written)}"
    if run.duration is not None:
        text += f" in {run.duration.total_seconds():.2f}s"
    if run.error:
        text += f": {run.error.splitlines()[0][:120]}"
    return text


def _rows_text(rows: int | None) -> str:
    from virtualfs.catalog.readable import counted

    return "rows not counted" if rows is None else counted(rows, "row")


def _status_data(status) -> dict:
    run, table = status.last_run, status.table
    return {
        "last_run": run and {"status": run.status, "started_at": run.started_at,
                             "finished_at": run.finished_at, "rows_written": run.rows_written,
                             "error": run.error, "seconds": run.duration and run.duration.total_seconds()},
        "table": table and {"location": table.location, "rows": table.rows, "watermark": table.watermark,
                            "updated_at": table.updated_at},
        "online": [{"part": p.part, "as_of": p.record and p.record.watermark,
                    "updated_at": p.record and p.record.updated_at} for p in status.online],
        "checks": status.checks and {"run_id": status.checks.run_id, "started_at": status.checks.started_at,
                                     "status": status.checks.status,
                                     "results": [r.data() for r in status.checks.results]},
    }


def _plan_data(result) -> dict:
    from virtualfs.catalog.readable import readable

    return {
        "base_version": result.base_version,
        "changes": [
            {"action": c.action, "kind": c.kind, "name": c.name,
             "fields": [{"field": f.field, "old": readable(getattr(c.before, f.field)),
                         "new": readable(getattr(c.after, f.field)), "affects_data": f.affects_data}
                        for f in c.fields],
             "differences": [d.data() for d in c.differences()]}
            for c in result.changes
        ],
    }


def _print_plan(result) -> None:
    if result.is_empty:
        typer.echo(f"no changes (catalog version {result.base_version})")
        return
    marks = {"create": ("+", "green"), "update": ("~", "yellow"), "delete": ("-", "red")}
    for change in result.changes:
        mark, colour = marks[change.action]
        typer.secho(f"{mark} {change.kind} {change.name}", fg=colour)
        for difference in change.differences():
            typer.echo(f"    {difference.text()}")
    typer.echo(result.summary())


def _ttl(ttl) -> str:
    from virtualfs.definitions.durations import format_duration

    return format_duration(ttl) if ttl else "-"
