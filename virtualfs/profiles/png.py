"""A profile as a PNG: the same charts as the HTML page (``charts``), drawn with Pillow.

Why Pillow and not a browser: a PNG is often wanted where no browser is (a CI job, a server,
a notebook kernel), and Pillow is one small wheel with its own font; the page and the PNG share
one layout of shapes, so they show the same chart. One feature is one card (title, chart,
numbers beside it); several are a grid of cards, two per row.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from virtualfs.errors import UnsupportedError
from virtualfs.profiles.charts import HEIGHT, INK, WIDTH, Figure, Line, Rect, Text, chart, fmt, numbers
from virtualfs.profiles.model import FeatureProfile, Profile

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

SCALE = 2  # pixels per layout unit: sharp on high-density screens
CARD_WIDTH, CARD_HEIGHT, HEADER = 760, HEIGHT + 60, 40
LINE = 15


def render_png(features: Sequence[FeatureProfile], profile: Profile, path: str | os.PathLike[str]) -> None:
    """Write ``features`` of ``profile`` as one PNG: a header line, then a card per feature."""
    image_module, draw_module = _pillow()
    columns = 1 if len(features) == 1 else 2
    rows = math.ceil(len(features) / columns)
    size = (CARD_WIDTH * columns * SCALE, (HEADER + CARD_HEIGHT * rows) * SCALE)
    image = image_module.new("RGB", size, "#fafafa")
    draw = draw_module.Draw(image)
    start = fmt(profile.start) if profile.start else "first row"
    end = fmt(profile.end) if profile.end else "last row"
    _text(image, draw, Text(16, 26, f"Profile: {profile.target}  ({start} to {end}, {profile.dialect})", 15,
                            fill=INK))
    for k, feature in enumerate(features):
        _card(image, draw, feature, (k % columns) * CARD_WIDTH, HEADER + (k // columns) * CARD_HEIGHT)
    image.save(os.fspath(path), format="PNG", optimize=True)


def _card(image: Image.Image, draw: ImageDraw.ImageDraw, feature: FeatureProfile, left: float,
          top: float) -> None:
    draw.rectangle(_box(left + 6, top + 4, CARD_WIDTH - 12, CARD_HEIGHT - 10), fill="#ffffff",
                   outline="#dddddd", width=SCALE)
    title = f"{feature.feature}   ({feature.dtype.value})"
    _text(image, draw, Text(left + 20, top + 28, title, 15, fill=INK))
    _figure(image, draw, chart(feature), left + 12, top + 40)
    for k, (label, value) in enumerate(numbers(feature)):
        y = top + 54 + k * LINE
        _text(image, draw, Text(left + WIDTH + 40, y, label, 12))
        _text(image, draw, Text(left + CARD_WIDTH - 24, y, value, 12, "end", INK))


def _figure(image: Image.Image, draw: ImageDraw.ImageDraw, figure: Figure, left: float, top: float) -> None:
    for shape in figure.shapes:
        if isinstance(shape, Rect):
            draw.rectangle(_box(left + shape.x, top + shape.y, shape.width, shape.height), fill=shape.fill)
        elif isinstance(shape, Line):
            points = [(left + shape.x1) * SCALE, (top + shape.y1) * SCALE, (left + shape.x2) * SCALE,
                      (top + shape.y2) * SCALE]
            draw.line(points, fill=shape.stroke, width=SCALE // 2 or 1)
        else:
            _text(image, draw, Text(left + shape.x, top + shape.y, shape.text, shape.size, shape.anchor,
                                    shape.fill, shape.rotate))


def _text(image: Image.Image, draw: ImageDraw.ImageDraw, text: Text) -> None:
    font = _font(text.size * SCALE)
    anchor = {"start": "ls", "middle": "ms", "end": "rs"}[text.anchor]
    if not text.rotate:
        draw.text((text.x * SCALE, text.y * SCALE), text.text, font=font, fill=text.fill, anchor=anchor)
        return
    image_module, draw_module = _pillow()
    box = draw.textbbox((0, 0), text.text, font=font, anchor="lt")
    label = image_module.new("RGBA", (box[2] + 2, box[3] + 2), (255, 255, 255, 0))
    draw_module.Draw(label).text((0, 0), text.text, font=font, fill=text.fill, anchor="lt")
    turned = label.rotate(90, expand=True)
    corner = (int(text.x * SCALE - turned.width / 2), int(text.y * SCALE - turned.height / 2))
    image.paste(turned, corner, turned)


def _box(x: float, y: float, width: float, height: float) -> list[float]:
    return [x * SCALE, y * SCALE, (x + max(width, 0.5)) * SCALE - 1, (y + max(height, 0)) * SCALE]


@cache
def _font(size: int) -> Any:
    _, _ = _pillow()
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _pillow() -> tuple[Any, Any]:
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        raise UnsupportedError("Profile.to_png needs Pillow: pip install 'virtualfs[png]' "
                               "(or use to_html, which needs nothing)") from None
    return Image, ImageDraw
