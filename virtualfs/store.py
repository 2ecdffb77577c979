"""FeatureStore: the facade users hold. Each method delegates to the module that does the work."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any

from virtualfs.config import load_config
from virtualfs.errors import NotFoundError, VirtualfsError
from virtualfs.registry import FeaturesArg, Registry, resolve_refs

if TYPE_CHECKING:
    from virtualfs.catalog import Catalog, CatalogVersion, Plan
    from virtualfs.definitions import Entity, FeatureService, FeatureView, Source
    from virtualfs.materialize import MaterializeResult
    from virtualfs.online import OnlineStore
    from virtualfs.online.response import OnlineResponse
    from virtualfs.refresh import RefreshResult, RefreshRunner
    from virtualfs.refresh.trust import StoredCopies
    from virtualfs.retrieval import RetrievalJob
    from virtualfs.serving import OnlineLookup
    from virtualfs.warehouses.base import Warehouse


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan
    version: CatalogVersion | None  # None when there was nothing to apply


class FeatureStore:
    """A feature repository opened for use.

    >>> store = FeatureStore("definitions")          # doctest: +SKIP
    >>> store.apply().version.version                # doctest: +SKIP
    1
    """

    def __init__(self, repo_path: str | os.PathLike[str] = ".") -> None:
        self.config = load_config(repo_path)
        self.project = self.config.project
        self._registry: Registry | None = None

    # -- connections, opened on first use -------------------------------------------------

    @cached_property
    def catalog(self) -> Catalog:
        from virtualfs.catalog import Catalog

        return Catalog(self.config.catalog_url, self.project)

    @cached_property
    def warehouse(self) -> Warehouse:
        from virtualfs.warehouses import open_warehouse

        return open_warehouse(self.config.warehouse)

    @cached_property
    def online(self) -> OnlineStore:
        from virtualfs.online import open_online_store

        return open_online_store(self.config.online, self.project)

    # -- definitions ----------------------------------------------------------------------

    def repository(self) -> Registry:
        """The definitions as they are in the repository's files now."""
        from virtualfs.repository import load_repository

        return load_repository(self.config.root)

    def registry(self) -> Registry:
        """The definitions of the latest applied catalog version (what reads use)."""
        if self._registry is None:
            self._registry = self.catalog.registry()
        return self._registry

    def plan(self) -> Plan:
        """What ``apply`` would change in the catalog, computed without writing."""
        from virtualfs.catalog import diff

        return diff(self.catalog.registry(), self.repository())

    def apply(self) -> ApplyResult:
        """Validate the repository against the warehouse and write a new catalog version."""
        from virtualfs.catalog import diff
        from virtualfs.validate import validate_registry

        wanted = self.repository()
        plan = diff(self.catalog.registry(), wanted)
        if plan.is_empty and plan.base_version is not None:
            return ApplyResult(plan, None)
        validate_registry(self.warehouse, wanted)
        version = self.catalog.write_version(wanted, plan)
        self._registry = None
        return ApplyResult(plan, version)

    def refresh(self, views: list[str] | None = None, start: datetime | None = None,
                end: datetime | None = None, full: bool = False, due: bool = False,
                now: datetime | None = None, progress: Callable[[str, int, int], None] | None = None,
                chunk: timedelta | None = None, lock_wait: timedelta = timedelta(0)) -> list[RefreshResult]:
        """Refresh views into their warehouse tables (and online). See ``virtualfs.refresh``.

        ``due=True`` keeps only views whose schedule fired since their last successful run.
        """
        from virtualfs.refresh import RefreshRequest
        from virtualfs.refresh.selection import select_views

        registry = self._applied()
        due_at = (now or datetime.now(timezone.utc)) if due else None
        chosen = select_views(registry, views, self.catalog.state, due_at)
        runner = self.refresh_runner(progress)
        request = RefreshRequest(start=start, end=end, full=full, chunk=chunk, lock_wait=lock_wait)
        results = []
        for view in chosen:
            results.append(runner.refresh(view, request))
            self.materialize([view.name])  # a refresh also brings the online store up to date
        return results

    # -- training frames --------------------------------------------------------------------

    def get_historical_features(self, entity_df: Any, features: Any, full_feature_names: bool = False,
                                point_in_time: str = "known",
                                timestamp_column: str = "event_timestamp",
                                on_null_timestamp: str = "error") -> RetrievalJob:
        """A point-in-time-correct training frame for ``entity_df``; see ``virtualfs.retrieval``.

        >>> store.get_historical_features(labels, "reorder_model").to_pandas()  # doctest: +SKIP
        """
        from virtualfs.refresh.reads import latest_label_time, prefer_tables, usable_kept_tiles
        from virtualfs.retrieval import get_historical_features

        latest = latest_label_time(entity_df, timestamp_column)
        applied = self._applied()
        wanted = _requested_views(applied, features)
        registry = prefer_tables(applied, self.warehouse, self.catalog, self.copies, latest, point_in_time,
                                 wanted)
        kept = usable_kept_tiles(applied, self.warehouse, self.catalog, self.copies, latest, wanted)
        return get_historical_features(self.warehouse, registry, entity_df, features,
                                       full_feature_names=full_feature_names, point_in_time=point_in_time,
                                       timestamp_column=timestamp_column, kept_tiles=kept,
                                       on_null_timestamp=on_null_timestamp)

    # -- online -----------------------------------------------------------------------------

    def materialize(self, views: list[str] | None = None, start: datetime | None = None,
                    end: datetime | None = None, progress: Callable | None = None) -> list[MaterializeResult]:
        """Push the latest values per key into the online store; continues from each watermark."""
        from virtualfs.materialize import OnlineWatermarks, materialize

        watermarks = OnlineWatermarks(self.catalog, self.config.online.identity)
        return materialize(self.warehouse, self._applied(), self.online, watermarks, self.project,
                           views, start, end, progress)

    def get_online_features(self, entity_rows: Any, features: Any, full_feature_names: bool = False,
                            now: datetime | None = None) -> OnlineResponse:
        """Feature vectors for ``entity_rows`` (list of dicts, DataFrame) from the online store."""
        return self._online_reader(self.online, self._applied(), entity_rows, features,
                                   full_feature_names=full_feature_names, now=now, fallback=self._fallback)

    def online_lookup(self, entity_rows: Any, features: Any,
                      full_feature_names: bool = False) -> OnlineLookup:
        """An online read up to the store: its keys, to read elsewhere (the server awaits them).

        ``lookup.respond(store.online.read(lookup.keys))`` is ``get_online_features`` without read-through.
        """
        return self._online_lookup(self._applied(), self.project, entity_rows, features, full_feature_names)

    @cached_property
    def _online_lookup(self) -> Callable[..., OnlineLookup]:
        from virtualfs.serving import online_lookup

        return online_lookup

    @cached_property
    def _online_reader(self) -> Callable[..., OnlineResponse]:
        # Resolved once: the online read path does no imports or config checks per call.
        from virtualfs.serving import get_online_features

        return get_online_features

    @cached_property
    def _fallback(self) -> Warehouse | None:
        from virtualfs.online import fallback_enabled

        return self.warehouse if fallback_enabled(self.config.online) else None

    def due_views(self, now: datetime | None = None) -> list[FeatureView]:
        """Views whose schedule fired since their last successful refresh."""
        from virtualfs.refresh.selection import select_views

        return select_views(self._applied(), None, self.catalog.state, now or datetime.now(timezone.utc))

    def reload(self) -> None:
        """Load the latest applied version and swap it in at once (readers never see a gap)."""
        self._registry = self.catalog.registry()

    def refresh_runner(self, progress: Callable[[str, int, int], None] | None = None) -> RefreshRunner:
        from virtualfs.refresh import RefreshRunner

        return RefreshRunner(self.warehouse, self.catalog, self.copies, progress)

    @cached_property
    def copies(self) -> StoredCopies:
        """Where refreshes keep this project's tables (the feature schema) in its warehouse."""
        from virtualfs.compile.feature_schema import DEFAULT_FEATURE_SCHEMA, FeatureSchema
        from virtualfs.refresh.trust import StoredCopies

        schema = self.config.warehouse.get("feature_schema", DEFAULT_FEATURE_SCHEMA)
        return StoredCopies(FeatureSchema.of(schema, self.project), self.config.warehouse.identity)

    def versions(self) -> list[CatalogVersion]:
        return self.catalog.versions()

    def list_entities(self) -> list[Entity]:
        return list(self.registry().entities.values())

    def list_sources(self) -> list[Source]:
        return list(self.registry().sources.values())

    def list_feature_views(self) -> list[FeatureView]:
        return list(self.registry().views.values())

    def list_feature_services(self) -> list[FeatureService]:
        return list(self.registry().services.values())

    def get_feature_view(self, name: str) -> FeatureView:
        return self._applied().view(name)

    def get_feature_service(self, name: str) -> FeatureService:
        return self._applied().service(name)

    def close(self) -> None:
        for name in ("online", "warehouse", "catalog"):
            if name in self.__dict__:
                self.__dict__.pop(name).close()

    def __enter__(self) -> FeatureStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _applied(self) -> Registry:
        registry = self.registry()
        if registry.version is None:
            raise NotFoundError(
                f"project {self.project!r} has no applied definitions yet; run `virtualfs apply`"
            )
        return registry


def _requested_views(registry: Registry, features: FeaturesArg) -> list[str]:
    """The views a feature request names (none when it is malformed: the retrieval says why)."""
    try:
        return [ref.view for ref in resolve_refs(registry, features)]
    except VirtualfsError:
        return []
