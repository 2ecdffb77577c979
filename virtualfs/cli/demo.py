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
    """Make the demo warehouse, apply the example repository, build a training frame."""
    from virtualfs.cli.project import demo_data, ls
    from virtualfs.demo import make_demo_entities

    typer.secho("1. demo warehouse", bold=True)
    demo_data(repo=repo, scale=scale, seed=7)
    store = open_store(repo)
    labels = make_demo_entities(store.config.warehouse.get("path"), n=1000)
    typer.secho("2. apply the example repository", bold=True)
    result = store.apply()
    typer.echo(f"catalog version {result.version.version if result.version else 'unchanged'}: "
               f"{result.plan.summary(done=True)}")
    typer.secho("3. what is registered", bold=True)
    ls(kind=None, repo=repo, json=False)
    typer.secho("4. a point-in-time-correct training frame for the reorder_model service", bold=True)
    frame = store.get_historical_features(labels, "reorder_model").to_pandas()
    with _wide_pandas():
        typer.echo(frame.head(8).to_string())
    typer.echo(f"... {len(frame):,} rows x {frame.shape[1]} columns")


def _wide_pandas():
    import pandas as pd

    return pd.option_context("display.width", 200, "display.max_columns", 12)
