"""``virtualfs demo``: the main job end to end on the embedded defaults, for a first look."""

from __future__ import annotations

from typing import Annotated

import typer

from virtualfs.cli.common import RepoOption, open_store


def register(app: typer.Typer) -> None:
    app.command()(demo)


def demo(
    repo: RepoOption = "definitions",
    scale: Annotated[float, typer.Option(help="Demo data size; 1 is about 400k rows.")] = 1.0,
) -> None:
    """Make the demo warehouse, apply the example repository and show what was registered."""
    from virtualfs.cli.project import demo_data, ls

    typer.secho("1. demo warehouse", bold=True)
    demo_data(repo=repo, scale=scale, seed=7)
    typer.secho("2. apply the example repository", bold=True)
    result = open_store(repo).apply()
    typer.echo(f"catalog version {result.version.version if result.version else 'unchanged'}: "
               f"{result.plan.summary(done=True)}")
    typer.secho("3. what is registered", bold=True)
    ls(kind=None, repo=repo, json=False)
