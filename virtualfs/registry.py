"""Registry: one consistent set of definitions (a repository's files, or one catalog version)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from virtualfs.definitions import Entity, FeatureRef, FeatureService, FeatureView, OnDemandView, Source
from virtualfs.errors import DefinitionError, NotFoundError, RepositoryError, RequestError

Definition = Entity | Source | FeatureView | OnDemandView | FeatureService
KIND_ORDER = ("entity", "source", "feature view", "on demand view", "feature service")
# What a request names features by: "view:feature" references, a FeatureService, or its name.
FeaturesArg = str | FeatureService | Sequence[str]


def _frozen(mapping: dict) -> Mapping:
    return MappingProxyType(dict(sorted(mapping.items())))


@dataclass(frozen=True)
class Registry:
    """Definitions by kind and name. ``version`` is the catalog version they came from, if any."""

    entities: Mapping[str, Entity] = field(default_factory=dict)
    sources: Mapping[str, Source] = field(default_factory=dict)
    views: Mapping[str, FeatureView] = field(default_factory=dict)
    services: Mapping[str, FeatureService] = field(default_factory=dict)
    version: int | None = None
    on_demand: Mapping[str, OnDemandView] = field(default_factory=dict)

    @classmethod
    def from_objects(cls, objects: Iterable[Definition], version: int | None = None) -> Registry:
        """Collect definitions; entities and sources used by views are registered too.

        The same name with two different definitions is an error naming both.
        """
        by_kind: dict[str, dict[str, Definition]] = {kind: {} for kind in KIND_ORDER}
        for obj in objects:
            _add(by_kind, obj)
            if isinstance(obj, FeatureView):
                _add(by_kind, obj.source)
                for entity in obj.entities:
                    _add(by_kind, entity)
        return cls(
            entities=_frozen(by_kind["entity"]),
            sources=_frozen(by_kind["source"]),
            views=_frozen(by_kind["feature view"]),
            services=_frozen(by_kind["feature service"]),
            version=version,
            on_demand=_frozen(by_kind["on demand view"]),
        )

    def objects(self) -> list[Definition]:
        """Every definition, in kind order then name order."""
        return [*self.entities.values(), *self.sources.values(), *self.views.values(),
                *self.on_demand.values(), *self.services.values()]

    def keyed(self) -> dict[tuple[str, str], Definition]:
        return {(obj.kind, obj.name): obj for obj in self.objects()}

    def view(self, name: str) -> FeatureView:
        return _lookup("feature view", self.views, name)

    def service(self, name: str) -> FeatureService:
        return _lookup("feature service", self.services, name)

    def on_demand_view(self, name: str) -> OnDemandView:
        return _lookup("on demand view", self.on_demand, name)

    def feature_names_of(self, name: str) -> tuple[str, ...]:
        """The features of view or on-demand view ``name`` (a NotFoundError suggests names)."""
        if name in self.on_demand:
            return self.on_demand[name].feature_names
        if name not in self.views:
            every = [*self.views, *self.on_demand]
            raise NotFoundError(f"unknown feature view {name!r}{suggest(name, every)}")
        return self.views[name].feature_names

    def check_services(self) -> None:
        """Every reference of every service and on-demand view names a view of this registry
        (an on-demand view's: a feature view) and one of its features; a DefinitionError names
        the definition and reference, and suggests close names."""
        views = {**self.views, **self.on_demand}
        for service in self.services.values():
            for ref in service.refs:
                _check_ref(service, ref, views)
        for on_demand in self.on_demand.values():
            if on_demand.name in self.views:
                raise DefinitionError(on_demand.kind, on_demand.name, "a feature view has the same name; "
                                      "references 'name:feature' must name one view")
            for ref in on_demand.feature_inputs:
                _check_ref(on_demand, ref, self.views)

    def find(self, name: str) -> Definition:
        """Any definition by name (views first, then services, sources, entities)."""
        for table in (self.views, self.on_demand, self.services, self.sources, self.entities):
            if name in table:
                return table[name]
        every = [*self.views, *self.on_demand, *self.services, *self.sources, *self.entities]
        raise NotFoundError(f"no definition named {name!r}{suggest(name, every)}")


def _check_ref(owner: FeatureService | OnDemandView, ref: FeatureRef,
               views: Mapping[str, FeatureView | OnDemandView]) -> None:
    if ref.view not in views:
        close = suggest(ref.view, views)
        raise DefinitionError(owner.kind, owner.name, f"{ref}: no feature view {ref.view!r}{close}")
    names = views[ref.view].feature_names
    if ref.feature != "*" and ref.feature not in names:
        raise DefinitionError(owner.kind, owner.name, f"{ref}: feature view {ref.view!r} has "
                              f"no feature {ref.feature!r}{suggest(ref.feature, names)}")


def _add(by_kind: dict[str, dict[str, Definition]], obj: Definition) -> None:
    existing = by_kind[obj.kind].get(obj.name)
    if existing is not None and existing != obj:
        raise RepositoryError(
            f"{obj.kind} {obj.name!r} is defined twice with different contents; names must be unique"
        )
    by_kind[obj.kind][obj.name] = obj


def _lookup(kind: str, table: Mapping[str, Definition], name: str):
    try:
        return table[name]
    except KeyError:
        raise NotFoundError(f"unknown {kind} {name!r}{suggest(name, table)}") from None


def suggest(name: str, candidates: Iterable[str]) -> str:
    """A ' (did you mean ...?)' tail naming the closest candidates, or ''."""
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def resolve_refs(registry: Registry, features: FeaturesArg) -> list[FeatureRef]:
    """References from a list of "view:feature" / "view:*", a FeatureService, or its name."""
    if isinstance(features, FeatureService):
        return list(features.refs)
    if isinstance(features, str):
        if ":" not in features:
            return list(registry.service(features).refs)
        features = [features]
    if not isinstance(features, (list, tuple)) or not features:
        raise RequestError(
            f"features must be a non-empty list of 'view:feature' references, a FeatureService "
            f"or its name; got {features!r}"
        )
    refs = []
    for text in features:
        try:
            refs.append(FeatureRef.parse(text))
        except (ValueError, DefinitionError) as error:
            raise RequestError(str(error)) from None
    return refs
