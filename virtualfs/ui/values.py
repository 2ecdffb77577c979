"""A feature's statistics as the pages show them: numbers beside a drawn histogram (or top
values, or rows per day), with the profiles' own charts (``profiles.charts`` and ``svg``). A view
is profiled in the warehouse on the first visit (``UiState.profile``); a saved dataset's profile
is the one its manifest keeps. A viewer who reads a PII feature masked sees neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from virtualfs.definitions import DType
from virtualfs.profiles.charts import chart, numbers
from virtualfs.profiles.model import QUANTILE_NAMES, FeatureProfile, Histogram
from virtualfs.profiles.svg import to_svg

if TYPE_CHECKING:
    from virtualfs.definitions import FeatureView
    from virtualfs.ui.present import Sight

MASKED = "PII: your role reads this feature masked, so its values and statistics are not shown"


def feature_values(sight: Sight, view: FeatureView, ref: str) -> tuple[dict[str, Any], Markup | None]:
    """``ref``'s statistics over its view's source rows and their chart; why not, when not."""
    if not sight.viewer.sees_values(ref):
        return {"masked": True, "note": MASKED}, None
    profile = sight.state.profile(sight.registry, view.name)
    if isinstance(profile, str):
        return {"unavailable": profile}, None
    return drawn(profile.feature(ref), ref)


def drawn(feature: FeatureProfile, label: str) -> tuple[dict[str, Any], Markup]:
    """The feature's numbers (as shown) and profile, and its chart as inline SVG."""
    data = {"numbers": [list(pair) for pair in numbers(feature)], "profile": feature.to_dict()}
    return data, Markup(to_svg(chart(feature), f"distribution of {label}"))


def feature_from_dict(data: Mapping[str, Any]) -> FeatureProfile:
    """A feature profile back from its ``to_dict`` form (as a saved dataset's manifest keeps it).

    >>> feature_from_dict({"feature": "x", "dtype": "int64", "rows": 2, "count": 2, "distinct": 2,
    ...                    "histogram": {"edges": [0, 1], "counts": [2], "width": 1}}).histogram.counts
    (2,)
    """
    dtype = DType(data["dtype"])
    histogram = data.get("histogram")
    return FeatureProfile(
        feature=data["feature"], dtype=dtype, rows=data["rows"], count=data["count"],
        distinct=data.get("distinct"), min=data.get("min"), max=data.get("max"), mean=data.get("mean"),
        stddev=data.get("stddev"), quantiles=tuple(data.get(name) for name in QUANTILE_NAMES),
        histogram=None if histogram is None else Histogram(
            tuple(histogram["edges"]), tuple(histogram["counts"]), histogram["width"],
            histogram.get("below", 0), histogram.get("above", 0)),
        top_values=tuple((item["value"], item["count"]) for item in data.get("top_values", ())),
        days=tuple((date.fromisoformat(item["day"]), item["count"]) for item in data.get("days", ())))
