"""A profile as one self-contained HTML page: per feature its chart (inline SVG) and numbers.

Nothing is loaded from anywhere: no scripts, style sheets, fonts or images beside the page.
"""

from __future__ import annotations

from html import escape

from virtualfs.profiles.charts import chart, fmt, numbers
from virtualfs.profiles.model import FeatureProfile, Profile
from virtualfs.profiles.svg import to_svg

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #222;
       background: #fafafa; }
h1 { font-size: 22px; margin: 0 0 4px; }
p.meta { color: #555; margin: 0 0 20px; font-size: 13px; }
section.feature { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px;
                  margin: 0 0 16px; }
section.feature h2 { font-size: 16px; margin: 0 0 8px; }
section.feature h2 span { color: #777; font-weight: normal; font-size: 13px; }
div.body { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
table.numbers { border-collapse: collapse; font-size: 13px; }
table.numbers th { text-align: left; font-weight: normal; color: #555; padding: 1px 16px 1px 0; }
table.numbers td { text-align: right; font-variant-numeric: tabular-nums; padding: 1px 0; }
"""


def render_html(profile: Profile) -> str:
    """The page for ``profile``: a header (target, window, warehouse, methods), then one section
    per feature with its chart and its numbers beside it."""
    sections = "\n".join(_section(feature) for feature in profile.features)
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Profile: {escape(profile.target)}</title><style>{STYLE}</style></head>\n"
            f"<body><h1>Profile: {escape(profile.target)}</h1>\n<p class=\"meta\">{_meta(profile)}</p>\n"
            f"{sections}\n</body></html>\n")


def _meta(profile: Profile) -> str:
    window = f"event time from {fmt(profile.start) if profile.start else 'the first row'} " \
             f"to {fmt(profile.end) if profile.end else 'the last row'} (UTC)"
    parts = [window, f"{len(profile.features)} features", f"warehouse: {profile.dialect}",
             f"distinct: {profile.distinct_method}", f"quantiles: {profile.quantile_method}"]
    return " · ".join(escape(part) for part in parts)


def _section(feature: FeatureProfile) -> str:
    rows = "".join(f"<tr><th>{escape(label)}</th><td>{escape(text)}</td></tr>"
                   for label, text in numbers(feature))
    picture = to_svg(chart(feature), f"distribution of {feature.feature}")
    return (f"<section class=\"feature\">"
            f"<h2>{escape(feature.feature)} <span>{feature.dtype.value}</span></h2>"
            f"<div class=\"body\">{picture}<table class=\"numbers\">{rows}</table></div></section>")
