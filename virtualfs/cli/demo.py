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
    typer.secho("5. materialize the latest values online and look one entity up", bold=True)
    _online_lookup(store, labels)


def _online_lookup(store, labels) -> None:
    from datetime import timezone

    from virtualfs.demo import END

    as_of = END.replace(tzinfo=timezone.utc)  # the demo data's "now": TTLs are judged then
    written = sum(result.rows for result in store.materialize(end=as_of))
    typer.echo(f"materialized {written:,} rows into the {store.config.online.type} online store")
    entity = {"customer_id": int(labels.customer_id.iloc[0]), "product_id": int(labels.product_id.iloc[0])}
    response = store.get_online_features([entity], "reorder_model", now=as_of)
    values, statuses = response.to_dict(), response.statuses
    typer.echo(f"online features for {entity}:")
    for name in response.feature_names:
        typer.echo(f"  {name:<22} {values[name][0]!s:<28} {statuses[name][0]}")


def _wide_pandas():
    import pandas as pd

    return pd.option_context("display.width", 200, "display.max_columns", 12)
