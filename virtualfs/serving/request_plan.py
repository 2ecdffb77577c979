"""What an online request reads: feature references resolved once per (registry, features).

Resolution parses references, checks names and builds key prefixes and decoders; a server
asks for the same features again and again, so plans are cached and the read path does none of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from virtualfs.definitions import DType, FeatureView, RequestField
from virtualfs.definitions.aggregation import EMPTY_WINDOW
from virtualfs.errors import NotFoundError, RequestError
from virtualfs.online.keys import stored_parts
from virtualfs.online.rows import ViewRows
from virtualfs.online.stored import stored_dtypes, stored_features
from virtualfs.registry import FeaturesArg, Registry, suggest
from virtualfs.serving.on_demand import OnlineTransform
from virtualfs.transforms.requests import hidden_output, split_request

_CACHE_LIMIT = 512


@dataclass(frozen=True)
class ViewPlan:
    """One view of a request: its key prefix and codec, and which stored features it returns."""

    rows: ViewRows
    indices: tuple[int, ...]
    columns: tuple[str, ...]
    ttl_us: int | None
    # (index, value) of requested aggregations that have a value over an empty window (a count:
    # 0): what a key the store does not hold gets, as a training frame gives it
    empty_window: tuple[tuple[int, object], ...] = ()

    @property
    def view(self) -> FeatureView:
        return self.rows.view


@dataclass(frozen=True)
class OutputColumn:
    """A feature column of the response: its name, its view (position in the plan), its index
    among the view's stored features, and its dtype."""

    name: str
    view: int
    index: int
    dtype: DType | None  # None: an aggregation whose values carry their type


@dataclass(frozen=True)
class RequestPlan:
    """Every view a request reads, once each, and the response's columns in request order."""

    registry: Registry
    views: tuple[ViewPlan, ...]
    join_keys: tuple[str, ...]
    columns: tuple[OutputColumn, ...]
    # on-demand views computed from the columns (``serving.on_demand``); the input columns read
    # only for them; the request fields they need
    transforms: tuple[OnlineTransform, ...] = ()
    hidden: frozenset[str] = frozenset()
    request_fields: tuple[RequestField, ...] = ()


_plans: dict[tuple, RequestPlan] = {}


def request_plan(registry: Registry, project: str, features: FeaturesArg,
                 full_feature_names: bool) -> RequestPlan:
    """The (cached) plan for reading ``features`` of ``registry``'s views under ``project``."""
    cache_key = (id(registry), project, _hashable(features), full_feature_names)
    try:
        plan = _plans.get(cache_key)
    except TypeError:  # not hashable, so not a valid request either: let build_plan say why
        return build_plan(registry, project, features, full_feature_names)
    if plan is not None and plan.registry is registry:
        return plan
    plan = build_plan(registry, project, features, full_feature_names)
    if len(_plans) >= _CACHE_LIMIT:
        _plans.clear()
    _plans[cache_key] = plan
    return plan


def build_plan(registry: Registry, project: str, features: FeaturesArg,
               full_feature_names: bool) -> RequestPlan:
    """Resolve references to views and features; errors name the reference and suggest names.

    A view the store keeps in two parts (``online.keys.stored_parts``) is read as two views."""
    split = split_request(registry, features)
    by_view: dict[str, list[str]] = {}
    outputs: dict[tuple[str, str], str] = {}
    for ref in split.asked:
        view = registry.view(ref.view)
        wanted = _feature_names(view, ref.feature)
        by_view.setdefault(view.name, []).extend(wanted)
        outputs.update({(view.name, n): _output(view.name, n, full_feature_names) for n in wanted})
    for ref in split.hidden:
        by_view.setdefault(ref.view, []).append(ref.feature)
        outputs[ref.view, ref.feature] = hidden_output(ref)
    views: list[ViewPlan] = []
    placed: dict[tuple[str, str], tuple[int, int, DType | None]] = {}
    for view_name, names in by_view.items():
        for part in stored_parts(registry.view(view_name)):
            order = stored_features(part)
            mine = [n for n in names if n in order]
            if not mine:
                continue
            for name in mine:
                index = order.index(name)
                placed[view_name, name] = (len(views), index, stored_dtypes(part)[index])
            columns = tuple(outputs[view_name, n] for n in mine)
            ttl_us = int(part.ttl.total_seconds() * 1_000_000) if part.ttl else None
            indices = tuple(order.index(n) for n in mine)
            views.append(ViewPlan(ViewRows(part, project), indices, columns, ttl_us,
                                  _empty_window(part, indices)))
    columns, seen = [], {}
    for view_name, names in by_view.items():
        for name in names:
            output = outputs[view_name, name]
            _check_unique(seen, output, f"{view_name}:{name}", full_feature_names)
            columns.append(OutputColumn(output, *placed[view_name, name]))
    transforms = []
    for ask in split.on_demand:
        named = tuple((n, ask.output(n, full_feature_names)) for n in ask.features)
        for name, output in named:
            _check_unique(seen, output, f"{ask.view.name}:{name}", full_feature_names)
        inputs = tuple((ref.feature, outputs[ref.view, ref.feature]) for ref in ask.view.feature_inputs)
        transforms.append(OnlineTransform.build(ask.view, named, inputs))
    join_keys = tuple(dict.fromkeys(k for plan in views for k in plan.view.join_keys))
    for key in join_keys:
        _check_unique(seen, key, f"join key {key}", full_feature_names)
    fields = tuple({f.name: f for ask in split.on_demand for f in ask.view.request_fields}.values())
    hidden = frozenset(hidden_output(ref) for ref in split.hidden)
    return RequestPlan(registry, tuple(views), join_keys, tuple(columns), tuple(transforms), hidden, fields)


def _output(view_name: str, name: str, full_feature_names: bool) -> str:
    return f"{view_name}__{name}" if full_feature_names else name


def _empty_window(view: FeatureView, indices: tuple[int, ...]) -> tuple[tuple[int, object], ...]:
    plain = len(view.features)
    return tuple((index, EMPTY_WINDOW[view.aggregations[index - plain].function])
                 for index in dict.fromkeys(indices)
                 if index >= plain and view.aggregations[index - plain].function in EMPTY_WINDOW)


def _feature_names(view: FeatureView, name: str) -> tuple[str, ...]:
    """The features one reference asks for (aggregations are stored after the plain features)."""
    if name == "*":
        return stored_features(view)
    if name not in view.feature_names:
        raise NotFoundError(
            f"feature view {view.name!r} has no feature {name!r}{suggest(name, view.feature_names)}"
        )
    return (name,)


def _check_unique(seen: dict[str, str], output: str, source: str, full_names: bool) -> None:
    if output in seen:
        hint = "" if full_names else "; pass full_feature_names=True to name columns view__feature"
        raise RequestError(f"column {output!r} is requested twice ({seen[output]} and {source}){hint}")
    seen[output] = source


def _hashable(features: FeaturesArg) -> object:
    if isinstance(features, list):
        return tuple(features)
    return features
