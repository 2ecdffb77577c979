"""Refresh commands: refresh, runs, scheduler."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Optional

import typer

from virtualfs.cli.common import JsonOption, RepoOption, open_store, print_json, print_table, time_text
from virtualfs.errors import RequestError


def register(app: typer.Typer) -> None:
    app.command()(refresh)
    app.command()(runs)
    app.command()(scheduler)


def parse_time(value: str | None, option: str) -> datetime | None:
    """An ISO date or time from the command line, naive taken as UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        expected = "an ISO date or time like 2026-01-31T12:00"
        raise RequestError(f"{option}: expected {expected}, got {value!r}") from None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed


def refresh(
    views: Annotated[Optional[list[str]], typer.Argument(metavar="VIEW",
                                                         help="Views to refresh (default: all).")] = None,
    repo: RepoOption = ".",
    start: Annotated[Optional[str], typer.Option(metavar="TIME",
                                                 help="Backfill from this time (ISO).")] = None,
    end: Annotated[Optional[str], typer.Option(metavar="TIME",
                                               help="Backfill up to this time (ISO).")] = None,
    full: Annotated[bool, typer.Option("--full", help="Rebuild tables from scratch.")] = False,
    due: Annotated[bool, typer.Option("--due", help="Only views whose schedule is due.")] = False,
    chunk: Annotated[Optional[str], typer.Option(metavar="DURATION",
                                                 help="Backfill piece size, e.g. 1d.")] = None,
    online: Annotated[bool, typer.Option(
        "--online/--no-online",
        help="Then materialize each view online as of now, replacing older values (also those "
             "of an earlier materialize --end); --no-online leaves the online store alone.")] = True,
    json: JsonOption = False,
) -> None:
    """Refresh feature views into warehouse tables (dbt-style: incremental, idempotent), then
    materialize them online as of now unless --no-online. A view whose error check fails is left
    as it was; the others are refreshed, then the command exits 1 naming the check."""
    from rich.progress import Progress

    from virtualfs.definitions.durations import parse_duration
    from virtualfs.errors import CheckFailedError

    store = open_store(repo)
    size = parse_duration(chunk, "--chunk") if chunk else None
    with Progress(transient=True, disable=json) as bar:
        tasks: dict[str, int] = {}

        def progress(view: str, done: int, total: int) -> None:
            if view not in tasks:
                tasks[view] = bar.add_task(view, total=total)
            bar.update(tasks[view], completed=done)

        try:
            results = store.refresh(views or None, parse_time(start, "--start"), parse_time(end, "--end"),
                                    full=full, due=due, progress=progress, chunk=size, online=online)
        except CheckFailedError as failed:
            results = list(failed.refreshed)
            if results:
                _print_results(results, online, json)
            raise
    _print_results(results, online, json)


def _print_results(results, online: bool, json: bool) -> None:
    for result in results:
        for warning in result.warnings:
            typer.secho(f"warning: {warning.text()}", err=True, fg="yellow")
    if json:
        print_json([{**_result_row(r), "watermark": r.watermark, "online": _online_data(r.online),
                     "warnings": [w.data() for w in r.warnings]} for r in results])
    elif not results:
        typer.echo("nothing to refresh")
    else:
        rows = [{"view": r.view, "mode": r.mode, "rows": f"{r.rows_written:,}", "windows": _windows_text(r),
                 "watermark": time_text(r.watermark), "seconds": f"{r.seconds:.2f}"} for r in results]
        print_table(rows, ["view", "mode", "rows", "windows", "watermark", "seconds"], whole=["view", "mode"])
        _print_online(results, online)


def _result_row(result) -> dict:
    return {"view": result.view, "mode": result.mode, "rows_written": result.rows_written,
            "windows": result.windows, "skipped": result.skipped_windows, "seconds": round(result.seconds, 3)}


def _windows_text(result) -> str:
    skipped = f" ({result.skipped_windows} skipped)" if result.skipped_windows else ""
    return f"{result.windows}{skipped}"


def _print_online(results, online: bool) -> None:
    """What each refresh then wrote to the online store: rows read, keys changed, as of when."""
    if not online:
        typer.echo("online store: left as it was (--no-online)")
        return
    typer.echo("online store: each view then materialized as of now, replacing older values "
               "(--no-online skips this):")
    from virtualfs.catalog.readable import counted

    width = max(len(result.view) for result in results)
    for result in results:
        written = result.online
        typer.echo(f"  {result.view:<{width}}  {counted(written.rows, 'row')} read, "
                   f"{counted(written.written, 'key')} changed, as of {time_text(written.end)}")


def _online_data(written) -> dict | None:
    if written is None:
        return None
    return {"rows": written.rows, "keys_changed": written.written, "as_of": written.end,
            "watermark": written.watermark, "seconds": round(written.seconds, 3)}


def runs(
    view: Annotated[Optional[str], typer.Argument(metavar="VIEW", help="Only this view's runs.")] = None,
    repo: RepoOption = ".",
    limit: Annotated[int, typer.Option(metavar="N", help="How many runs, newest first.")] = 20,
    json: JsonOption = False,
) -> None:
    """The refresh run history: window, rows written, duration, status, checks, error."""
    store = open_store(repo)
    if view is not None:
        store.get_feature_view(view)
    history = store.catalog.state.runs(view, limit)
    checked = store.catalog.checks.of_runs(r.run_id for r in history)
    rows = [{"view": r.view, "status": r.status, "started_at": r.started_at, "window_start": r.window_start,
             "window_end": r.window_end, "rows_written": r.rows_written,
             "seconds": r.duration and round(r.duration.total_seconds(), 3), "error": r.error,
             "checks": checked.get(r.run_id, ())} for r in history]
    if json:
        print_json([{**row, "checks": [c.data() for c in row["checks"]]} for row in rows])
    else:
        print_table([{**row, "checks": checks_summary(row["checks"])} for row in rows],
                    ["view", "status", "started_at", "window_start", "window_end", "rows_written",
                     "seconds", "checks", "error"])


def checks_summary(results) -> str:
    """``6 passed``, ``failed amount_not_null; 5 passed``; empty when nothing was checked.

    >>> import dataclasses
    >>> from virtualfs.catalog.check_results import CheckResult
    >>> bad = CheckResult("v", "amount_not_null", "not_null", "amount", "error", "window", 2, 0.5, "", "",
    ...                   passed=False)
    >>> checks_summary([bad, dataclasses.replace(bad, check="rows_at_least", passed=True)])
    'failed amount_not_null; 1 passed'
    """
    groups = {"failed": [r.check for r in results if r.blocks],
              "warned": [r.check for r in results if not r.passed and not r.blocks],
              "passed": [r.check for r in results if r.passed]}
    return "; ".join(f"{len(names)} passed" if label == "passed" else f"{label} {', '.join(names)}"
                     for label, names in groups.items() if names)


def scheduler(
    repo: RepoOption = ".",
    interval: Annotated[float, typer.Option(metavar="SECONDS",
                                            help="Seconds between checks for due views.")] = 30.0,
) -> None:
    """Run due refreshes until SIGTERM/SIGINT (finishes the refresh in progress, then exits)."""
    from virtualfs.refresh.scheduler import Scheduler

    loop = Scheduler(open_store(repo), interval, report=typer.echo)
    loop.install_signal_handlers()
    typer.echo(f"scheduler running every {interval:g}s; stop with SIGTERM or Ctrl-C")
    loop.run()
