"""A :class:`~virtualfs.profiles.charts.Figure` as inline SVG markup (no external references)."""

from __future__ import annotations

from html import escape

from virtualfs.profiles.charts import Figure, Line, Rect, Text


def to_svg(figure: Figure, label: str) -> str:
    """``<svg>`` markup of ``figure``; ``label`` is what screen readers announce.

    >>> to_svg(Figure(10, 10, (Rect(1, 2, 3, 4),)), "x")[:44]
    '<svg width="10" height="10" viewBox="0 0 10 '
    """
    body = "".join(_shape(shape) for shape in figure.shapes)
    size = f'width="{figure.width}" height="{figure.height}"'
    return (f'<svg {size} viewBox="0 0 {figure.width} {figure.height}" '
            f'role="img" aria-label="{escape(label)}">{body}</svg>')


def _shape(shape: Rect | Line | Text) -> str:
    if isinstance(shape, Rect):
        title = f"<title>{escape(shape.title)}</title>" if shape.title else ""
        return (f'<rect x="{shape.x:.2f}" y="{shape.y:.2f}" width="{shape.width:.2f}" '
                f'height="{shape.height:.2f}" fill="{shape.fill}">{title}</rect>')
    if isinstance(shape, Line):
        return (f'<line x1="{shape.x1:.2f}" y1="{shape.y1:.2f}" x2="{shape.x2:.2f}" y2="{shape.y2:.2f}" '
                f'stroke="{shape.stroke}" stroke-width="1"/>')
    turn = f' transform="rotate(-90 {shape.x:.2f} {shape.y:.2f})"' if shape.rotate else ""
    return (f'<text x="{shape.x:.2f}" y="{shape.y:.2f}" font-size="{shape.size}" '
            f'text-anchor="{shape.anchor}" '
            f'fill="{shape.fill}"{turn}>{escape(shape.text)}</text>')
