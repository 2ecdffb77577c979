"""``virtualfs profile``: feature statistics as a table, JSON, an HTML page or a PNG; with
``--compare-*``, drift from a baseline profile."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from virtualfs.cli.common import JsonOption, RepoOption, open_store, print_json, print_table
from virtualfs.cli.refresh import parse_time

if TYPE_CHECKING:
    from virtualfs.profiles import DriftReport, Profile

TimeOption = Annotated[Optional[str], typer.Option(metavar="TIME", help="An ISO time (naive = UTC).")]
SHOWN = ("feature", "dtype", "null", "distinct", "min", "max", "mean")


def register(app: typer.Typer) -> None:
    app.command()(profile)


def profile(
    target: Annotated[list[str], typer.Argument(
        metavar="TARGET...", help="A feature view, a feature service, or view:feature references.")],
    start: TimeOption = None,
    end: TimeOption = None,
    html: Annotated[Optional[Path], typer.Option(metavar="FILE",
                                                 help="Write the profile as an HTML page.")] = None,
    png: Annotated[Optional[Path], typer.Option(metavar="FILE", help="Write the charts as a PNG.")] = None,
    compare: Annotated[Optional[str], typer.Option(
        metavar="BASELINE", help="Compare with this target's profile (default: TARGET itself).")] = None,
    compare_start: Annotated[Optional[str], typer.Option(metavar="TIME",
                                                         help="The baseline's start.")] = None,
    compare_end: Annotated[Optional[str], typer.Option(metavar="TIME", help="The baseline's end.")] = None,
    repo: RepoOption = ".",
    json: JsonOption = False,
) -> None:
    """Profile features in the warehouse (rows with start <= event time < end); with --compare,
    --compare-start or --compare-end, show how they drifted from that baseline."""
    store = open_store(repo)
    chosen: Any = target[0] if len(target) == 1 else target
    current = store.profile(chosen, parse_time(start, "--start"), parse_time(end, "--end"))
    report = None
    if compare or compare_start or compare_end:
        baseline = store.profile(compare or chosen, parse_time(compare_start, "--compare-start"),
                                 parse_time(compare_end, "--compare-end"))
        report = store.compare_profiles(baseline, current)
    if html:
        current.to_html(html)
    if png:
        current.to_png(png)
    if json:
        print_json({"profile": current.to_dict(), **({"drift": report.to_dict()} if report else {})})
        return
    _print_profile(current)
    if report is not None:
        _print_drift(report)
    for path in (html, png):
        if path:
            typer.echo(f"wrote {path}")


def _print_profile(profile: Profile) -> None:
    from virtualfs.profiles.charts import fmt, percent

    views = {f.feature.split(":")[0] for f in profile.features}
    rows = [{**{k: fmt(v) for k, v in f.summary().items()}, "null": percent(f.null_fraction),
             "dtype": f.dtype.value, "feature": f.feature.split(":")[-1] if len(views) == 1 else f.feature}
            for f in profile.features]
    counts = ", ".join(sorted({fmt(f.rows) for f in profile.features}))
    print_table(rows, SHOWN, title=f"Profile: {profile.target} ({counts} rows)")
    typer.echo(f"p01 ... p99, stddev, histograms: --json or --html; distinct: {profile.distinct_method}; "
               f"quantiles: {profile.quantile_method}")


def _print_drift(report: DriftReport) -> None:
    from virtualfs.profiles.charts import fmt, percent

    rows = [{"feature": f.feature, "psi": fmt(f.psi),
             "null": f"{percent(f.null_fraction_baseline)} -> {percent(f.null_fraction_current)}",
             "mean": f"{fmt(f.mean_baseline)} -> {fmt(f.mean_current)}",
             "flags": ", ".join(f.flags) or "ok"} for f in report.features]
    print_table(rows, ["feature", "psi", "null", "mean", "flags"],
                title=f"Drift from {report.baseline} to {report.current}", whole=["feature", "psi", "flags"])
    t = report.thresholds
    typer.echo(f"flagged above: PSI {t.psi}, null fraction change {t.null_fraction}, "
               f"mean change {t.mean_stddevs} baseline stddevs")
    typer.echo(f"drifted: {', '.join(report.drifted) or 'none'}")
