"""``virtualfs consistency``: the served log replayed offline, compared per feature."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from virtualfs.cli.common import JsonOption, RepoOption, open_store, print_json
from virtualfs.cli.refresh import parse_time

TimeOption = Annotated[Optional[str], typer.Option(metavar="TIME", help="An ISO time (naive = UTC).")]


def register(app: typer.Typer) -> None:
    app.command()(consistency)


def consistency(
    since: TimeOption = None,
    until: TimeOption = None,
    service: Annotated[Optional[str], typer.Option(
        metavar="NAME", help="Only requests that named this feature service.")] = None,
    html: Annotated[Optional[Path], typer.Option(metavar="FILE",
                                                 help="Write the report as an HTML page.")] = None,
    repo: RepoOption = ".",
    json: JsonOption = False,
) -> None:
    """Compare what the server served (the requests logged with since <= time < until) with what
    training frames get for the same keys at the same times (known-time rule), per feature."""
    with open_store(repo) as store:
        report = store.consistency_report(parse_time(since, "--since"), parse_time(until, "--until"), service)
    if html:
        report.to_html(html)
    if json:
        print_json(report.to_dict())
        return
    typer.echo(report.text())
    if html:
        typer.echo(f"wrote {html}")
