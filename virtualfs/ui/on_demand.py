"""The page of an on-demand view (features computed per request): what it reads — stored
features and request fields —, and how each output is computed (its SQL expression, highlighted,
or the Python function's source). Its features' own addresses (``/ui/features/NAME:FEATURE``)
lead here.
"""

from __future__ import annotations

from typing import Any

from virtualfs.compile.aggregate.lookup import feature_dtype
from virtualfs.definitions import FeatureView
from virtualfs.errors import NotFoundError
from virtualfs.policy import expand_features
from virtualfs.ui.highlight import highlight_sql
from virtualfs.ui.present import Page, Sight, find, href_of


def on_demand_page(sight: Sight, name: str) -> Page:
    """An on-demand view: inputs, outputs and their bodies. A viewer sees it when it may read
    every feature it is computed from (as the access policy reads an on-demand feature).

    Example::

        on_demand_page(sight, "basket").data["inputs"][0]   # -> {"kind": "feature", "ref": ...}
    """
    odv = find(sight, "on demand view", sight.registry.on_demand, name, readable_on_demand(sight))
    dialect = sight.state.store.config.dialect
    inputs = [{"kind": "feature", "ref": str(ref), "href": href_of("feature", str(ref)),
               **_described(sight.registry.views.get(ref.view), ref.feature)} for ref in odv.feature_inputs]
    inputs += [{"kind": "request field", "name": field.name, "dtype": field.dtype.value,
                "description": field.description} for field in odv.request_fields]
    features = [{"name": f.name, "ref": f"{odv.name}:{f.name}", "dtype": f.dtype.value,
                 "description": f.description, "owner": f.owner, "tags": dict(f.tags),
                 "expression": odv.expressions.get(f.name)} for f in odv.features]
    data = {"kind": "on demand view", "name": odv.name, "description": odv.description, "owner": odv.owner,
            "tags": dict(odv.tags), "inputs": inputs, "features": features,
            "function_name": odv.function_name, "function_hash": odv.function_hash}
    shown = {f["name"]: highlight_sql(f["expression"], dialect) for f in features if f["expression"]}
    return Page({**data, "function_source": odv.function_source}, {"highlighted": shown})


def readable_on_demand(sight: Sight) -> list[str]:
    """The on-demand views every input feature of which this viewer may read."""
    return [name for name in sight.registry.on_demand
            if all(sight.viewer.sees(ref) for ref in expand_features(sight.registry, f"{name}:*"))]


def on_demand_feature(sight: Sight, ref: str) -> str | None:
    """The page of on-demand feature ``ref`` (its view's page, at the feature), or None when
    ``ref`` is no on-demand view's; NotFoundError for a feature it lacks."""
    name, _, feature = ref.partition(":")
    odv: Any = sight.registry.on_demand.get(name)
    if odv is None:
        return None
    if feature not in odv.feature_names:
        raise NotFoundError(f"on demand view {name!r} has no feature {feature!r}")
    return f"{href_of('on demand view', name)}#{feature}"


def _described(view: FeatureView | None, name: str) -> dict[str, Any]:
    """An input feature's type (None: an aggregation typed by its column) and description."""
    if view is None or name not in view.feature_names:
        return {"dtype": None, "description": ""}
    member = next(m for m in (*view.features, *view.aggregations) if m.name == name)
    dtype = feature_dtype(view, name)
    return {"dtype": dtype.value if dtype else None, "description": member.description}
