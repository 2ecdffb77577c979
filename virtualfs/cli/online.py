"""``virtualfs materialize`` and ``virtualfs get``: push latest values online, read one vector."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from virtualfs.cli.common import JsonOption, RepoOption, open_store, print_json, print_table

if TYPE_CHECKING:
    from virtualfs.refresh.materialize import MaterializeProgress, MaterializeResult

_INTEGER = re.compile(r"-?[1-9][0-9]*|0")

ViewsArgument = Annotated[
    list[str] | None, typer.Argument(metavar="VIEW", help="Feature views to materialize (default: all).")
]
StartOption = Annotated[
    str | None, typer.Option("--start", metavar="TIME",
                             help="Window start, ISO time (default: the view's watermark).")
]
EndOption = Annotated[str | None, typer.Option("--end", metavar="TIME",
                                               help="Window end, ISO time (default: now).")]
EntityOption = Annotated[
    list[str], typer.Option("--entity", "-e", metavar="KEY=VALUE",
                            help="A join key as key=value; repeat for compound keys.")
]
FeaturesOption = Annotated[
    list[str] | None,
    typer.Option("--features", "-f", metavar="REF",
                 help="view:feature or view:*; repeat or separate with commas."),
]
ServiceOption = Annotated[str | None, typer.Option("--service", "-s", metavar="NAME",
                                                   help="A feature service's name.")]
NowOption = Annotated[
    str | None, typer.Option("--now", metavar="TIME",
                             help="Judge TTLs at this ISO time instead of now (replays, demos).")
]


def register(app: typer.Typer) -> None:
    """Add the online commands to the ``virtualfs`` app."""
    app.command("materialize")(materialize_command)
    app.command("get")(get_command)


def materialize_command(views: ViewsArgument = None, start: StartOption = None, end: EndOption = None,
                        repo: RepoOption = ".", as_json: JsonOption = False) -> None:
    """Compute the latest values in the warehouse and write them to the online store."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    window = {"start": _parse_time(start, "--start"), "end": _parse_time(end, "--end")}
    store = open_store(repo)
    # Rows stream from the warehouse without a count first, so each view's bar pulses until done.
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               TextColumn("{task.fields[rows]:,} rows"), TimeElapsedColumn())
    with Progress(*columns, transient=False, disable=as_json) as bar:
        tasks: dict[str, Any] = {}

        def report(step: MaterializeProgress) -> None:
            if step.view not in tasks:
                tasks[step.view] = bar.add_task(step.view, total=None, rows=0)
            bar.update(tasks[step.view], rows=step.rows)
            if step.done:
                bar.update(tasks[step.view], total=1, completed=1)

        results = store.materialize(views=views or None, progress=report, **window)
    if as_json:
        print_json([{"view": r.view, "start": r.start, "end": r.end, "rows": r.rows,
                     "keys_written": r.written, "seconds": round(r.seconds, 3), "watermark": r.watermark,
                     "state": _state(r)} for r in results])
        return
    headers = ["view", "from", "to", "rows", "keys written", "seconds", "state"]
    print_table([_result_row(result) for result in results], headers, title="materialized")


def _result_row(result: MaterializeResult) -> dict[str, str]:
    return {"view": result.view, "from": _when(result.start) if result.start else "(beginning)",
            "to": _when(result.end), "rows": f"{result.rows:,}", "keys written": f"{result.written:,}",
            "seconds": f"{result.seconds:.2f}", "state": _state(result)}


def _state(result: MaterializeResult) -> str:
    done = result.start is not None and result.start >= result.end
    return "already past --end" if done else "done"


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC")


def get_command(entity: EntityOption, features: FeaturesOption = None, service: ServiceOption = None,
                now: NowOption = None, repo: RepoOption = ".", as_json: JsonOption = False) -> None:
    """Read one entity's feature vector from the online store."""
    row = parse_entity(entity)
    if bool(features) == bool(service):
        raise typer.BadParameter("give --features or --service (one of them)")
    requested: Any = service or [ref for item in features or [] for ref in item.split(",") if ref]
    at = _parse_time(now, "--now")
    response = open_store(repo).get_online_features([row], requested, now=at)
    values = response.to_dict()
    statuses, times = response.statuses, response.event_times
    lines = [{"feature": name, "value": values[name][0], "status": str(statuses[name][0]),
              "event time": times[name][0]} for name in response.feature_names]
    if as_json:
        print_json({"entity": row, "features": lines})
    else:
        print_table(lines, ["feature", "value", "status", "event time"],
                    title=", ".join(f"{k}={v}" for k, v in row.items()))


def parse_entity(pairs: list[str]) -> dict[str, int | str]:
    """``["customer_id=1"]`` -> ``{"customer_id": 1}``; integers become ints, the rest stay text."""
    row: dict[str, int | str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"--entity {pair!r}: expected key=value, e.g. customer_id=1")
        row[key.strip()] = int(value) if _INTEGER.fullmatch(value) else value
    return row


def _parse_time(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option} {text!r}: expected an ISO time like 2026-01-31T12:00") from None
