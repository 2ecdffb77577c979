"""A request's features split into what feature views answer and what on-demand views compute.

Online and offline alike: every ``view:feature`` asked of a feature view is read; the inputs of
the on-demand features asked for are read too, and the ones not asked for are *hidden* (read for
the computation, not returned).
"""

from __future__ import annotations

from dataclasses import dataclass

from virtualfs.definitions import FeatureRef, OnDemandView
from virtualfs.errors import NotFoundError
from virtualfs.registry import FeaturesArg, Registry, resolve_refs, suggest

HIDDEN_PREFIX = "_vfs_in_"


@dataclass(frozen=True)
class OnDemandAsk:
    """The features asked of one on-demand view, in request order."""

    view: OnDemandView
    features: tuple[str, ...]

    def output(self, feature: str, full_feature_names: bool) -> str:
        return f"{self.view.name}__{feature}" if full_feature_names else feature


@dataclass(frozen=True)
class SplitRequest:
    """``asked``: references to feature views, as asked; ``hidden``: on-demand inputs not asked
    for; ``on_demand``: on-demand views and their features, in order of first mention."""

    asked: tuple[FeatureRef, ...]
    hidden: tuple[FeatureRef, ...]
    on_demand: tuple[OnDemandAsk, ...]

    @property
    def view_features(self) -> list[str]:
        """Every feature view reference to read (asked, then hidden), as text."""
        return [str(ref) for ref in (*self.asked, *self.hidden)]


def split_request(registry: Registry, features: FeaturesArg) -> SplitRequest:
    """Split ``features`` (references, a service or its name) by the kind of view each names."""
    asked: list[FeatureRef] = []
    wanted: dict[str, list[str]] = {}
    for ref in resolve_refs(registry, features):
        if ref.view not in registry.on_demand:
            asked.append(ref)
            continue
        view = registry.on_demand[ref.view]
        names = view.feature_names if ref.feature == "*" else (_checked(view, ref.feature),)
        wanted.setdefault(view.name, []).extend(n for n in names if n not in wanted.get(view.name, ()))
    on_demand = tuple(OnDemandAsk(registry.on_demand[name], tuple(names)) for name, names in wanted.items())
    return SplitRequest(tuple(asked), _hidden(asked, on_demand), on_demand)


def hidden_output(ref: FeatureRef) -> str:
    """The column a hidden input is read into: never a name a user's column can have."""
    return f"{HIDDEN_PREFIX}{ref.view}__{ref.feature}"


def _hidden(asked: list[FeatureRef], on_demand: tuple[OnDemandAsk, ...]) -> tuple[FeatureRef, ...]:
    covered = {(ref.view, ref.feature) for ref in asked}
    whole = {ref.view for ref in asked if ref.feature == "*"}
    hidden: dict[FeatureRef, None] = {}
    for ask in on_demand:
        for ref in ask.view.feature_inputs:
            if ref.view not in whole and (ref.view, ref.feature) not in covered:
                hidden.setdefault(ref, None)
    return tuple(hidden)


def _checked(view: OnDemandView, name: str) -> str:
    if name not in view.feature_names:
        raise NotFoundError(f"on demand view {view.name!r} has no feature {name!r}"
                            f"{suggest(name, view.feature_names)}")
    return name
