"""Charts of a feature profile as plain shapes (rectangles, lines, text) on a fixed canvas.

One layout, two renderers: ``svg`` writes the shapes into the HTML page, ``png`` draws the
same shapes with Pillow, so the picture in the page and in the PNG is the same chart. Numbers
get a histogram, strings and booleans a bar per top value, timestamps a bar per day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from virtualfs.definitions import DType
from virtualfs.profiles.model import QUANTILE_NAMES, FeatureProfile

WIDTH, HEIGHT = 460, 250
BAR, AXIS, GRID, INK, MUTED = "#4c78a8", "#555555", "#e3e3e3", "#222222", "#666666"
LABEL_CHARS = 18


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str = BAR
    title: str = ""  # shown on hover in the page


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = AXIS


@dataclass(frozen=True)
class Text:
    """``text`` with its baseline at ``y``; ``anchor``: start, middle or end at ``x``."""

    x: float
    y: float
    text: str
    size: int = 11
    anchor: str = "start"
    fill: str = MUTED
    rotate: bool = False  # read bottom to top (a vertical axis title)


@dataclass(frozen=True)
class Figure:
    width: int
    height: int
    shapes: tuple[Rect | Line | Text, ...]


@dataclass(frozen=True)
class _Plot:
    """The plotting area inside the axes."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def chart(feature: FeatureProfile) -> Figure:
    """The chart of ``feature``: histogram, top values or rows per day."""
    if feature.histogram is not None and any(feature.histogram.counts):
        return _histogram(feature)
    if feature.top_values:
        return _bars(feature)
    if feature.days:
        return _days(feature)
    return Figure(WIDTH, HEIGHT, (Text(WIDTH / 2, HEIGHT / 2, "no values to draw", 13, "middle"),))


def numbers(feature: FeatureProfile) -> list[tuple[str, str]]:
    """The numbers shown beside a chart, as (label, text)."""
    shown = [("rows", fmt(feature.rows)), ("non-null", fmt(feature.count)),
             ("null fraction", percent(feature.null_fraction)), ("distinct", fmt(feature.distinct))]
    if feature.dtype != DType.BOOL:
        shown += [("min", fmt(feature.min)), ("max", fmt(feature.max))]
    if feature.mean is not None:
        shown.append(("share true" if feature.dtype == DType.BOOL else "mean", fmt(feature.mean)))
    if feature.dtype in (DType.INT64, DType.FLOAT64):
        shown.append(("stddev", fmt(feature.stddev)))
        shown += [(name, fmt(feature.quantile(name))) for name in QUANTILE_NAMES]
    return shown


def fmt(value: Any) -> str:
    """A value as people read it: ``1,234,567``, ``3.142``, ``0.0001234``, ``2026-01-31 12:00``.

    >>> [fmt(v) for v in (1234567, 1234567.8, 3.14159, 0.000123456, None, True)]
    ['1,234,567', '1,234,568', '3.142', '0.0001235', 'n/a', 'true']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 10_000 else f"{value:.4g}"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def percent(share: float | None) -> str:
    """A share as a percentage.

    >>> percent(0.12345)
    '12.35%'
    """
    return "n/a" if share is None else f"{share * 100:.2f}%"


def _histogram(feature: FeatureProfile) -> Figure:
    histogram = feature.histogram
    plot = _Plot(58, 14, WIDTH - 16, HEIGHT - 46)
    counts, edges = histogram.counts, histogram.edges
    step = plot.width / len(counts)
    shapes: list[Rect | Line | Text] = [*_value_axis(plot, max(counts))]
    for k, count in enumerate(counts):
        height = plot.height * count / max(counts)
        title = f"[{fmt(edges[k])}, {fmt(edges[k + 1])}): {count:,} rows"
        left = plot.left + k * step + 1
        shapes.append(Rect(left, plot.bottom - height, max(step - 2, 1), height, BAR, title))
    for k in sorted({0, len(counts) // 4, len(counts) // 2, 3 * len(counts) // 4, len(counts)}):
        x = plot.left + k * step
        shapes += [Line(x, plot.bottom, x, plot.bottom + 4),
                   Text(x, plot.bottom + 16, fmt(edges[k]), 10, "middle")]
    shapes.append(Text(plot.left + plot.width / 2, HEIGHT - 8, _value_title(feature), 11, "middle", INK))
    return Figure(WIDTH, HEIGHT, tuple(shapes))


def _bars(feature: FeatureProfile) -> Figure:
    values = feature.top_values
    plot = _Plot(130, 10, WIDTH - 60, HEIGHT - 40)
    most = max(n for _, n in values) or 1
    row = plot.height / max(len(values), 1)
    shapes: list[Rect | Line | Text] = [Line(plot.left, plot.top, plot.left, plot.bottom)]
    for k, (value, count) in enumerate(values):
        y = plot.top + k * row
        width = plot.width * count / most
        label = _short(fmt(value))
        thick = min(row * 0.7, 22)
        hover = f"{fmt(value)}: {count:,} rows"
        shapes += [Rect(plot.left, y + (row - thick) / 2, max(width, 1), thick, BAR, hover),
                   Text(plot.left - 6, y + row * 0.5 + 4, label, 11, "end", INK),
                   Text(plot.left + width + 4, y + row * 0.5 + 4, fmt(count), 10, "start")]
    shapes += [Line(plot.left, plot.bottom, plot.right, plot.bottom),
               Text(plot.left + plot.width / 2, HEIGHT - 12, f"rows (top {len(values)} values)", 11,
                    "middle", INK)]
    return Figure(WIDTH, HEIGHT, tuple(shapes))


def _days(feature: FeatureProfile) -> Figure:
    days = feature.days
    plot = _Plot(58, 14, WIDTH - 16, HEIGHT - 46)
    most = max(n for _, n in days)
    step = plot.width / len(days)
    shapes: list[Rect | Line | Text] = [*_value_axis(plot, most)]
    for k, (day, count) in enumerate(days):
        height = plot.height * count / most
        gap = 1 if step > 3 else 0
        shapes.append(Rect(plot.left + k * step + gap, plot.bottom - height, max(step - 2 * gap, 0.5), height,
                           BAR, f"{day.isoformat()}: {count:,} rows"))
    for k in sorted({0, len(days) // 2, len(days) - 1}):
        x = plot.left + (k + 0.5) * step
        shapes += [Line(x, plot.bottom, x, plot.bottom + 4),
                   Text(x, plot.bottom + 16, days[k][0].isoformat(), 10, "middle")]
    shapes.append(Text(plot.left + plot.width / 2, HEIGHT - 8, "day (UTC)", 11, "middle", INK))
    return Figure(WIDTH, HEIGHT, tuple(shapes))


def _value_axis(plot: _Plot, most: int) -> list[Rect | Line | Text]:
    """Horizontal grid lines with row counts, the axes, and the vertical axis title."""
    shapes: list[Rect | Line | Text] = []
    for tick in _ticks(most):
        y = plot.bottom - plot.height * tick / most
        shapes += [Line(plot.left, y, plot.right, y, GRID), Text(plot.left - 6, y + 4, fmt(tick), 10, "end")]
    shapes += [Line(plot.left, plot.top, plot.left, plot.bottom),
               Line(plot.left, plot.bottom, plot.right, plot.bottom),
               Text(14, plot.top + plot.height / 2, "rows", 11, "middle", INK, rotate=True)]
    return shapes


def _ticks(most: int) -> list[int]:
    """Round row counts from 0 up to ``most``: at most five.

    >>> _ticks(87), _ticks(1), _ticks(12345)
    ([0, 20, 40, 60, 80], [0, 1], [0, 5000, 10000])
    """
    raw = max(most / 5, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return list(range(0, most + 1, int(step)))


def _value_title(feature: FeatureProfile) -> str:
    h = feature.histogram
    return f"value ({len(h.counts)} bins of {fmt(h.width)})"


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 3] + "..."
