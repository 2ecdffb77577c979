"""Training-frame commands: retrieve (entities file in, features parquet out) and sql."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from virtualfs.cli.common import (
    JsonOption,
    ProgressOption,
    RepoOption,
    open_store,
    phases,
    print_json,
    shows_progress,
)
from virtualfs.errors import RequestError

RuleOption = Annotated[str, typer.Option(
    "--point-in-time", metavar="known|event",
    help="known: only rows landed by each label time (default); event: Feast's rule.",
)]


def register(app: typer.Typer) -> None:
    app.command()(retrieve)
    app.command()(sql)


def retrieve(
    entities: Annotated[Path, typer.Option("--entities", metavar="FILE",
                                           help="Entity rows: a .parquet or .csv file.")],
    out: Annotated[Optional[Path], typer.Option(
        "--out", metavar="FILE", help="Where to write the training frame (.parquet).")] = None,
    features: Annotated[Optional[list[str]], typer.Option(
        "--features", metavar="REF", help="A feature reference, view:feature or view:*; repeat for more.",
    )] = None,
    service: Annotated[Optional[str], typer.Option("--service", metavar="NAME",
                                                   help="A feature service's name.")] = None,
    repo: RepoOption = ".",
    timestamp_column: Annotated[str, typer.Option(metavar="COLUMN",
                                                  help="The entity rows' time column.")] = "event_timestamp",
    point_in_time: RuleOption = "known",
    full_feature_names: Annotated[bool, typer.Option(help="Name columns view__feature.")] = False,
    save: Annotated[Optional[str], typer.Option(
        "--save", metavar="NAME", help="Save the frame as a dataset (see `virtualfs datasets`).")] = None,
    description: Annotated[str, typer.Option(metavar="TEXT", help="With --save: what the dataset is.")] = "",
    tag: Annotated[Optional[list[str]], typer.Option(
        "--tag", metavar="KEY=VALUE", help="With --save: a tag; repeat for more.")] = None,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="With --save: replace a dataset of that name.")] = False,
    json: JsonOption = False,
    progress: ProgressOption = None,
) -> None:
    """Build a point-in-time-correct training frame for the entity rows of a file; write it to
    --out, save it in the warehouse with --save, or both."""
    wanted = _features(features, service)
    if out is None and save is None:
        raise RequestError("give --out FILE, --save NAME or both")
    if out is not None and out.suffix != ".parquet":
        raise RequestError(f"--out {out}: expected a .parquet file")
    tags = _tags(tag or [])
    summary: dict = {}
    with phases(shows_progress(progress, json)) as step:
        step("reading entities")
        rows = read_entity_file(entities)
        job = open_store(repo).get_historical_features(
            rows, wanted, full_feature_names=full_feature_names, point_in_time=point_in_time,
            timestamp_column=timestamp_column)
        if save is not None:
            step("saving the dataset")
            dataset = job.save(save, description=description, tags=tags, overwrite=overwrite)
            summary.update(dataset=save, table=dataset.table, rows=dataset.info.rows,
                           content_hash=dataset.info.content_hash)
        if out is not None:
            summary.update(_write(job, out, step))
    summary.update(entity_rows=rows.num_rows, features=list(job.feature_names))
    if json:
        print_json(summary)
        return
    if save is not None:
        typer.echo(f"saved dataset {save}: {summary['rows']} rows in {summary['table']} "
                   f"(content hash {summary['content_hash']})")
    if out is not None:
        typer.echo(f"wrote {summary['rows']} rows, {len(job.feature_names)} features to {out}")


def _write(job, out: Path, step) -> dict:
    import pyarrow.parquet as pq

    step("running the query")
    frame = job.to_arrow()
    step("writing the output")
    pq.write_table(frame, out)
    return {"out": str(out), "rows": frame.num_rows, "columns": frame.column_names}


def _tags(pairs: list[str]) -> dict[str, str]:
    tags = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise RequestError(f"--tag {pair!r}: expected KEY=VALUE")
        tags[key] = value
    return tags


def sql(
    service: Annotated[str, typer.Option("--service", metavar="NAME", help="A feature service's name.")],
    dialect: Annotated[Optional[str], typer.Option(metavar="DIALECT",
                                                   help="SQL dialect (default: the warehouse's).")] = None,
    repo: RepoOption = ".",
    point_in_time: RuleOption = "known",
) -> None:
    """Print the SQL a feature service's training frame compiles to (entity rows in _vfs_entities)."""
    from virtualfs.compile.service import service_sql

    store = open_store(repo)
    chosen = store.get_feature_service(service)
    typer.echo(service_sql(store.registry(), chosen, dialect or store.config.warehouse.type,
                           rule=_rule(point_in_time)), nl=False)


def read_entity_file(path: Path):
    """A .parquet or .csv file as an Arrow table (CSV times are parsed as timestamps)."""
    import pyarrow as pa

    if not path.is_file():
        raise RequestError(f"--entities {path}: no such file")
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path)
        if path.suffix == ".csv":
            import pyarrow.csv as pa_csv

            return pa_csv.read_csv(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise RequestError(f"--entities {path}: cannot be read: {error}") from None
    raise RequestError(f"--entities {path}: expected a .parquet or .csv file")


def _features(features: list[str] | None, service: str | None) -> list[str] | str:
    if bool(features) == bool(service):
        raise RequestError("give either --features (one or more) or --service, not both or neither")
    return service or list(features or [])


def _rule(point_in_time: str) -> str:
    from virtualfs.compile.request import RULES

    if point_in_time not in RULES:
        raise RequestError(f"--point-in-time must be one of {', '.join(RULES)}; got {point_in_time!r}")
    return point_in_time
