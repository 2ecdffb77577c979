"""The consistency report as one self-contained HTML page: per feature a bar chart of the share
of each outcome (drawn with the profile charts' shapes and SVG), its numbers, and its worst
examples."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from virtualfs.consistency.compare import OUTCOMES
from virtualfs.consistency.text import duration
from virtualfs.profiles.charts import AXIS, INK, Figure, Line, Rect, Text, fmt, percent
from virtualfs.profiles.html import STYLE
from virtualfs.profiles.svg import to_svg

if TYPE_CHECKING:
    from virtualfs.consistency.report import ConsistencyReport, FeatureConsistency, Mismatch

WIDTH, HEIGHT, LEFT, RIGHT, TOP, ROW = 460, 150, 110, 60, 12, 30
COLOURS = {"equal": "#54a24b", "stale": "#f58518", "missing_online": "#e45756", "different": "#b279a2"}
EXTRA = "table.worst { border-collapse: collapse; font-size: 12px; margin-top: 8px; } " \
        "table.worst td, table.worst th { padding: 1px 10px 1px 0; text-align: left; }"


def render_html(report: ConsistencyReport) -> str:
    """The page: a header saying what was compared, then a section per feature."""
    sections = "\n".join(_section(f) for f in report.features) or "<p>Nothing was logged in this window.</p>"
    meta = [f"{report.requests:,} logged requests",
            f"since {fmt(report.since) if report.since else 'the first'}",
            f"until {fmt(report.until) if report.until else 'the last'} (UTC)", report.tolerance]
    if report.service:
        meta.append(f"service {report.service}")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Consistency</title>"
            f"<style>{STYLE}{EXTRA}</style></head>\n<body><h1>Online/offline consistency</h1>\n"
            f"<p class=\"meta\">{' · '.join(escape(m) for m in meta)}</p>\n{sections}\n</body></html>\n")


def outcome_chart(feature: FeatureConsistency) -> Figure:
    """A horizontal bar per outcome, its length the outcome's share of the rows."""
    shapes: list[Rect | Line | Text] = []
    span = WIDTH - LEFT - RIGHT
    for index, name in enumerate(OUTCOMES):
        y = TOP + index * ROW
        share = feature.share(name)
        label = name.replace("_", " ")
        shapes += [Text(LEFT - 8, y + 16, label, 11, "end", INK),
                   Rect(LEFT, y + 4, span * share, ROW - 10, COLOURS[name],
                        f"{label}: {feature.counts.get(name, 0):,} of {feature.rows:,} rows"),
                   Text(LEFT + span * share + 6, y + 16, percent(share), 11)]
    shapes.append(Line(LEFT, TOP, LEFT, TOP + len(OUTCOMES) * ROW, AXIS))
    return Figure(WIDTH, HEIGHT, tuple(shapes))


def _section(feature: FeatureConsistency) -> str:
    numbers = [("rows", fmt(feature.rows)), ("staleness p50", duration(feature.staleness_median)),
               ("staleness max", duration(feature.staleness_max))]
    rows = "".join(f"<tr><th>{escape(label)}</th><td>{escape(text)}</td></tr>" for label, text in numbers)
    picture = to_svg(outcome_chart(feature), f"outcomes of {feature.feature}")
    return (f"<section class=\"feature\"><h2>{escape(feature.feature)}</h2>"
            f"<div class=\"body\">{picture}<table class=\"numbers\">{rows}</table></div>"
            f"{_worst(feature.worst)}</section>")


def _worst(worst: tuple[Mismatch, ...]) -> str:
    if not worst:
        return ""
    head = "".join(f"<th>{h}</th>" for h in ("outcome", "entity", "requested at", "online", "offline",
                                            "online event", "offline event", "stale by"))
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in (
            m.outcome, m.entity, fmt(m.requested_at), fmt(m.online), fmt(m.offline), fmt(m.online_event),
            fmt(m.offline_event), duration(m.staleness))) + "</tr>"
        for m in worst)
    return f"<table class=\"worst\"><tr>{head}</tr>{body}</table>"
