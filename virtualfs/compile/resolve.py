"""Feature references -> the views and features a retrieval looks up, with output names.

``"view:feature"``, ``"view:*"``, a FeatureService or its name; each view appears once, its
features in request order. Output columns are ``feature`` or, with ``full_feature_names``,
``view__feature``; two requests for one output name are an error naming both.
"""

from __future__ import annotations

from virtualfs.compile.aggregate.lookup import feature_dtype
from virtualfs.compile.request import FeatureColumn, ViewLookup
from virtualfs.definitions import FeatureView
from virtualfs.errors import NotFoundError, RequestError
from virtualfs.registry import FeaturesArg, Registry, resolve_refs, suggest


def resolve_lookups(registry: Registry, features: FeaturesArg,
                    full_feature_names: bool = False) -> tuple[ViewLookup, ...]:
    """The views and features ``features`` names, grouped by view in order of first mention.

    Example::

        [f.output for f in resolve_lookups(registry, ["orders:total"], True)[0].features]
        # -> ['orders__total']
    """
    by_view: dict[str, list[str]] = {}
    for ref in resolve_refs(registry, features):
        view = registry.view(ref.view)
        wanted = view.feature_names if ref.feature == "*" else (_check_feature(view, ref.feature),)
        by_view.setdefault(view.name, []).extend(wanted)
    seen: dict[str, str] = {}
    lookups = []
    for view_name, wanted in by_view.items():
        view = registry.view(view_name)
        columns = []
        for name in wanted:
            output = f"{view_name}__{name}" if full_feature_names else name
            claim_output(seen, output, f"{view_name}:{name}", full_feature_names)
            columns.append(FeatureColumn(name, output, feature_dtype(view, name)))
        lookups.append(ViewLookup(view, tuple(columns)))
    return tuple(lookups)


def _check_feature(view: FeatureView, name: str) -> str:
    if name not in view.feature_names:
        raise NotFoundError(
            f"feature view {view.name!r} has no feature {name!r}{suggest(name, view.feature_names)}"
        )
    return name


def claim_output(seen: dict[str, str], output: str, ref: str, full_names: bool) -> None:
    """Record that ``ref`` is output as ``output`` (``seen``: output -> reference); a RequestError
    when another reference already is."""
    if output in seen:
        hint = "" if full_names else "; pass full_feature_names=True to name columns view__feature"
        raise RequestError(f"column {output!r} is requested twice ({seen[output]} and {ref}){hint}")
    seen[output] = ref
