"""Check command: run a view's checks now, on its source's rows."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from virtualfs.cli.common import JsonOption, RepoOption, open_store, print_json, print_table


def register(app: typer.Typer) -> None:
    app.command()(check)


def check(
    view: Annotated[str, typer.Argument(metavar="VIEW", help="The feature view whose checks to run.")],
    repo: RepoOption = ".",
    start: Annotated[Optional[str], typer.Option(
        metavar="TIME", help="Only source rows with an event time at or after this (ISO).")] = None,
    end: Annotated[Optional[str], typer.Option(
        metavar="TIME", help="Only source rows with an event time before this (ISO).")] = None,
    json: JsonOption = False,
) -> None:
    """Run a view's checks now on its source's rows (event time in [--start, --end)), in one
    query; exits 1 naming each failed error check."""
    from virtualfs.cli.refresh import parse_time
    from virtualfs.errors import CheckFailedError

    report = open_store(repo).check(view, parse_time(start, "--start"), parse_time(end, "--end"))
    if json:
        print_json(report.to_dict())
    elif not report.results:
        typer.echo(f"feature view {view!r} declares no checks")
    else:
        rows = [{"check": r.check, "severity": r.severity, "result": outcome(r), "observed": r.observation,
                 "expected": r.expected} for r in report.results]
        print_table(rows, ["check", "severity", "result", "observed", "expected"], whole=["check", "result"])
    failed = [result for result in report.results if result.blocks]
    if failed:
        raise CheckFailedError(failed)


def outcome(result) -> str:
    """``passed``, ``FAILED`` (an error check) or ``warned`` (a warn check that failed)."""
    if result.passed:
        return "passed"
    return "FAILED" if result.severity == "error" else "warned"
