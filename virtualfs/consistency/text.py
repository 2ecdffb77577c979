"""The consistency report as text: one line per feature, then the worst examples."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from virtualfs.consistency.compare import DIFFERENT, EQUAL, MISSING_ONLINE, STALE
from virtualfs.profiles.charts import fmt, percent

if TYPE_CHECKING:
    from virtualfs.consistency.report import ConsistencyReport, FeatureConsistency

HEADER = ("feature", "rows", "equal", "stale", "missing online", "different", "staleness p50", "max")


def report_text(report: ConsistencyReport) -> str:
    """A table of the features, the window it covers, and the worst examples of each."""
    window = f"requests from {fmt(report.since) if report.since else 'the first'} to " \
             f"{fmt(report.until) if report.until else 'the last'} (UTC)"
    service = f", service {report.service}" if report.service else ""
    lines = [f"Consistency: {report.requests:,} logged requests, {window}{service}; {report.tolerance}"]
    rows = [HEADER, *(_row(f) for f in report.features)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
              for row in rows]
    if not report.features:
        lines.append("(nothing logged in this window)")
    for feature in report.features:
        for example in feature.worst:
            lag = f" by {duration(example.staleness)}" if example.staleness is not None else ""
            lines.append(f"  {feature.feature} {example.outcome}{lag}: {example.entity} at "
                         f"{fmt(example.requested_at)}: online {example.online!r}, "
                         f"offline {example.offline!r}")
    if report.undefined:
        lines.append(f"not compared (no longer defined): {', '.join(report.undefined)}")
    return "\n".join(lines)


def _row(f: FeatureConsistency) -> tuple[str, ...]:
    return (f.feature, f"{f.rows:,}", percent(f.share(EQUAL)), percent(f.share(STALE)),
            percent(f.share(MISSING_ONLINE)), percent(f.share(DIFFERENT)),
            duration(f.staleness_median), duration(f.staleness_max))


def duration(value: timedelta | None) -> str:
    """A duration as people read it.

    >>> duration(timedelta(days=2, hours=3)), duration(timedelta(seconds=90)), duration(None)
    ('2d 3h', '1m 30s', '-')
    """
    if value is None:
        return "-"
    seconds = int(value.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m"), (seconds, "s")]
    shown = [f"{n}{unit}" for n, unit in parts if n][:2]
    return " ".join(shown) or "0s"
