"""FeatureStore: the facade users hold. Each method delegates to the module that does the work."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from virtualfs.config import load_config
from virtualfs.errors import ConfigError, NotFoundError
from virtualfs.instants import utc_now
from virtualfs.policy import PRINCIPAL_ENV, target_features
from virtualfs.registry import Registry

if TYPE_CHECKING:
    from virtualfs.access import AccessGate
    from virtualfs.apply import ApplyResult
    from virtualfs.catalog import AuditEntry, Catalog, CatalogVersion, Plan
    from virtualfs.checks import CheckReport
    from virtualfs.consistency import ConsistencyReport
    from virtualfs.context import OnlineContext, ProjectContext
    from virtualfs.copies import StoredCopies
    from virtualfs.datasets import Dataset, RecreateReport
    from virtualfs.definitions import Entity, FeatureService, FeatureView, Source
    from virtualfs.gc import GcReport
    from virtualfs.governance import Classification, Lineage, SearchHit
    from virtualfs.online import OnlineStore
    from virtualfs.profiles import DriftReport, Profile, Thresholds
    from virtualfs.push import PushResult, PushTargets
    from virtualfs.refresh import RefreshResult
    from virtualfs.refresh.materialize import MaterializeResult
    from virtualfs.refresh.status import ViewStatus
    from virtualfs.retrieval import RetrievalJob
    from virtualfs.servedlog import ServedLogger
    from virtualfs.serving.read import OnlineLookup
    from virtualfs.serving.response import OnlineResponse
    from virtualfs.warehouses.base import Warehouse


class FeatureStore:
    """A feature repository opened for use, by ``principal`` (default: ``$VIRTUALFS_PRINCIPAL``),
    whom the repository's ``access:`` policy, if it has one, allows, masks or refuses.

    Example::

        store = FeatureStore("definitions")
        store.apply().version.version
        # -> 1
    """

    def __init__(self, repo_path: str | os.PathLike[str] = ".", principal: str | None = None) -> None:
        self.config = load_config(repo_path)
        self.project = self.config.project
        self.principal = principal if principal is not None else os.environ.get(PRINCIPAL_ENV) or None
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
        """The definitions as they are in the repository's files now (sources written as ibis
        expressions compiled for the warehouse's dialect, as the catalog stores them)."""
        from virtualfs.compile.expressions import bind_registry
        from virtualfs.repository import load_repository

        return bind_registry(load_repository(self.config.root), self.config.dialect)

    def registry(self) -> Registry:
        """The definitions of the latest applied catalog version (what reads use), each pushed
        view reading its pushed rows with its source (``virtualfs.push``)."""
        if self._registry is None:
            self._registry = self._opened(self.catalog.registry())
        return self._registry

    def _opened(self, registry: Registry) -> Registry:
        if not any(view.push for view in registry.views.values()):
            return registry  # nothing pushed to: no import of the push package on the read path
        from virtualfs.push import with_pushed_tables

        return with_pushed_tables(registry, self.copies.schema, self.config.dialect)

    def plan(self) -> Plan:
        """What ``apply`` would change in the catalog, computed without writing."""
        from virtualfs.catalog import diff

        return diff(self.catalog.registry(), self.repository())

    def apply(self) -> ApplyResult:
        """Validate the repository against the warehouse and write a new catalog version."""
        from virtualfs.apply import apply_registry

        with self.access.acting("apply", "apply", "catalog") as act:
            wanted = self.repository()
            if any(view.push for view in wanted.views.values()):
                from virtualfs.push import create_pushed_tables

                # before the version that reads them is written: its SQL never names a missing table
                act.detail["pushed_tables"] = create_pushed_tables(self.warehouse, wanted, self.copies.schema)
            result = apply_registry(self.context, wanted)
            act.target = f"version {result.version.version}" if result.version else "catalog (unchanged)"
        self._registry = None
        return result

    def refresh(self, views: list[str] | None = None, start: datetime | None = None,
                end: datetime | None = None, full: bool = False, due: bool = False,
                now: datetime | None = None, progress: Callable[[str, int, int], None] | None = None,
                chunk: timedelta | None = None, lock_wait: timedelta = timedelta(0),
                online: bool = True) -> list[RefreshResult]:
        """Refresh views into their warehouse tables, then (unless ``online=False``) materialize
        each into the online store as of now. See ``virtualfs.refresh``.

        ``due=True`` keeps only views whose schedule fired since their last successful run.
        """
        from virtualfs.refresh import RefreshRequest, refresh_views

        due_at = (now or utc_now()) if due else None
        request = RefreshRequest(start=start, end=end, full=full, chunk=chunk, lock_wait=lock_wait)
        with self.access.acting("refresh", "refresh", ", ".join(views or ["all views"])) as act:
            results = refresh_views(self.context, self.online_context if online else None, self._applied(),
                                    views, request, due_at, progress)
            act.target = ", ".join(r.view for r in results) or act.target
            act.detail["rows_written"] = {r.view: r.rows_written for r in results}
        return results

    def check(self, view: str, start: datetime | None = None, end: datetime | None = None) -> CheckReport:
        """Run view ``view``'s checks now on its source's rows with an event time in ``[start, end)``
        (all rows when not given), in one query; see ``virtualfs.checks``.

        Example::

            report = store.check("customer_orders", start=datetime(2026, 1, 1))
            report.passed, [result.text() for result in report.failures]
        """
        from virtualfs.checks import check_view

        # a check's observations may quote values (the minimum it found): who refreshes may see them
        self.access.authorize("refresh", view, action="check")
        return check_view(self.warehouse, self.get_feature_view(view), start, end)

    def gc(self, dry_run: bool = False) -> GcReport:
        """Remove (or with ``dry_run`` only list) the tables, online keys and watermark records
        that an applied version made and the latest one no longer needs. See ``virtualfs.gc``."""
        from virtualfs.gc import collect_garbage

        if dry_run:
            return collect_garbage(self.context, self.online_context, dry_run)
        with self.access.acting("gc", "apply", "feature schema and online store") as act:
            report = collect_garbage(self.context, self.online_context, dry_run)
            act.detail.update(tables=len(report.removed_tables), keys=report.keys_removed)
        return report

    # -- training frames --------------------------------------------------------------------

    def get_historical_features(self, entity_df: Any, features: Any, full_feature_names: bool = False,
                                point_in_time: str = "known",
                                timestamp_column: str = "event_timestamp",
                                on_null_timestamp: str = "error") -> RetrievalJob:
        """A point-in-time-correct training frame for ``entity_df``; see ``virtualfs.retrieval``.

        Example::

            store.get_historical_features(labels, "reorder_model").to_pandas()
        """
        from virtualfs.retrieval import RetrievalRequest, retrieve

        request = RetrievalRequest(features, full_feature_names, point_in_time, timestamp_column,
                                   on_null_timestamp)
        registry = self._applied()
        masked = self.access.read(registry, features)  # before the warehouse is even opened
        return retrieve(self.context, self.warehouse, registry, entity_df, request, masked, gate=self.access)

    # -- saved datasets (``RetrievalJob.save`` saves one) -----------------------------------

    def get_dataset(self, name: str) -> Dataset:
        """Saved dataset ``name``: ``.to_pandas()``, ``.manifest``; see ``virtualfs.datasets``.
        Its PII features come back masked for a principal who reads them masked."""
        from virtualfs.access.masking import key_names
        from virtualfs.datasets import get_dataset

        dataset, registry = get_dataset(self.context, name), self._applied()
        masked = self.access.read(registry, list(dataset.info.features), action="read.dataset")
        return dataset.masked(masked, key_names(registry)) if masked else dataset

    def list_datasets(self) -> list[Dataset]:
        """Every saved dataset, by name."""
        from virtualfs.datasets import list_datasets

        return list_datasets(self.context)

    def delete_dataset(self, name: str) -> None:
        """Drop dataset ``name``'s tables; its manifests stay in the catalog's history."""
        from virtualfs.datasets import delete_dataset

        self.access.authorize("datasets", name, action="dataset.delete")
        delete_dataset(self.context, name)
        self.access.record("dataset.delete", name)

    def recreate_dataset(self, name: str, into: str | None = None) -> RecreateReport:
        """Rebuild dataset ``name`` from the sources as they were when it was saved, with the
        definitions it was saved with, and say whether it came out identical.

        Example::

            store.recreate_dataset("churn_train_v1").identical
            # -> True
        """
        from virtualfs.datasets import recreate_dataset

        self.access.authorize("datasets", name, action="dataset.recreate")
        report = recreate_dataset(self.context, name, into)
        self.access.record("dataset.recreate", name, detail={"identical": report.identical})
        return report

    # -- profiles ---------------------------------------------------------------------------

    def profile(self, target: Any, start: datetime | None = None, end: datetime | None = None) -> Profile:
        """Statistics of ``target``'s features computed in the warehouse (one query per view): a
        view name, ``["view:feature", ...]``, a feature service, or a saved dataset (a ``Dataset``
        or its name; over its rows); see ``virtualfs.profiles``.

        Example::

            store.profile("customer_orders", start, end).to_html("orders.html")
        """
        from virtualfs.datasets.profile import profile_of

        registry = self._applied()
        self.access.read(registry, self._profiled_features(registry, target), action="read.profile",
                         maskable=False)
        return profile_of(self.context, registry, target, start, end)

    def _profiled_features(self, registry: Registry, target: Any) -> Any:
        """The features a profile of ``target`` reads (a saved dataset's: the ones it holds)."""
        from virtualfs.datasets import Dataset
        from virtualfs.datasets.profile import DATASET_PREFIX

        name = target.name if isinstance(target, Dataset) else target
        if isinstance(name, str) and name not in registry.views and name not in registry.services:
            record = self.catalog.datasets.latest(name.removeprefix(DATASET_PREFIX))
            if record is not None and record.live:
                return list(record.manifest["features"])
        return target_features(registry, target)

    def compare_profiles(self, baseline: Profile, current: Profile,
                         thresholds: Thresholds | None = None) -> DriftReport:
        """Per feature, how ``current`` drifted from ``baseline``: PSI over the baseline's bins or
        top values, and the change of null fraction and mean, flagged above ``thresholds``."""
        from virtualfs.profiles import compare_profiles

        registry = self._applied()
        target = getattr(current.request, "target", None)  # profiled again, into the baseline's bins
        if target is not None:
            features = target_features(registry, target)
            self.access.read(registry, features, action="read.profile", maskable=False)
        return compare_profiles(self.warehouse, registry, baseline, current, thresholds)

    # -- governance -------------------------------------------------------------------------

    def search(self, text: str = "", owner: str | None = None, tags: dict[str, str | None] | None = None,
               kind: str | None = None) -> list[SearchHit]:
        """Applied definitions matching a few words (names, descriptions, owners, tags; typos
        forgiven), best first; ``kind`` is view, feature, service, source or entity; a tag of
        value None matches any value. See ``virtualfs.governance.search``.

        Example::

            [hit.name for hit in store.search("money spent", kind="feature")][:1]
            # -> ['customer_activity:spend_30d']
        """
        from virtualfs.governance import find
        from virtualfs.governance.search import Query

        return find(self._applied(), self.config.dialect, Query(text, owner, tags, kind))

    def lineage(self, ref: str, direction: str = "both") -> Lineage:
        """Where ``ref`` comes from (``up``: warehouse columns) and goes (``down``: services, the
        online store, datasets): a feature ``view:feature``, ``view:*``, a view, a service, or a
        warehouse column ``table.column`` (down: the features computed from it).

        Example::

            store.lineage("customer_profile:country").upstream_columns
            # -> frozenset({'customers.country'})
        """
        from virtualfs.governance import lineage_of, online_carriers

        registry, online = self._applied(), self.config.online
        saved = {r.name: tuple(r.manifest["features"]) for r in self.catalog.datasets.live()}
        carriers = online_carriers(self.catalog, online.identity, online.type, registry, saved)
        return lineage_of(registry, ref, self.config.dialect, carriers, direction)

    def classification(self) -> Classification:
        """Which applied features hold personal data, and why (PII follows lineage; ``pii=False``
        declassifies); see ``virtualfs.governance.classify``."""
        from virtualfs.governance import classify

        return classify(self._applied(), self.config.dialect)

    # -- online -----------------------------------------------------------------------------

    def materialize(self, views: list[str] | None = None, start: datetime | None = None,
                    end: datetime | None = None, progress: Callable | None = None) -> list[MaterializeResult]:
        """Push the latest values per key into the online store; continues from each watermark."""
        from virtualfs.refresh.materialize import MaterializeRequest, materialize

        with self.access.acting("materialize", "refresh", ", ".join(views or ["all views"])) as act:
            results = materialize(self.context, self.online_context, self._applied(),
                                  MaterializeRequest(views, start, end), progress)
            act.target = ", ".join(r.view for r in results) or act.target
            act.detail["keys_written"] = {r.view: r.written for r in results}
        return results

    def push(self, view: str, rows: Any, to: str = "both") -> PushResult:
        """Push ``rows`` (a DataFrame, Arrow table, list of dicts or dict of columns: the view's
        join keys, its event-time column named as in its source, its features) to view ``view``
        (declared ``push=True``): ``to="online"`` (newer-wins, at once), ``"offline"`` (its pushed
        table, which training frames see from the push time on) or ``"both"``. All-or-nothing;
        see ``virtualfs.push.flow`` for what happens when the online store fails after the warehouse.

        Example::

            store.push("card_tx", [{"card_id": "c1", "tx_at": now, "amount": 12.5}])
            # -> PushResult(view='card_tx', rows=1, pushed_at=..., offline_rows=1, online_keys=1)
        """
        from virtualfs.push import needs_warehouse, push_rows

        # pushes come as often as reads: counted in the audit log in batches, not written one by one
        self.access.authorize("push", view, action="push")
        target = self._applied().view(view)
        online = self.online_context if to != "offline" else None
        context = self.context if needs_warehouse(target, to) else None
        result = push_rows(context, online, target, rows, to, self._push_targets)
        if self.access.enabled:
            self.access.audit.count(self.principal, "push", view)
        return result

    @cached_property
    def _push_targets(self) -> PushTargets:
        from virtualfs.push import PushTargets

        return PushTargets()

    def get_online_features(self, entity_rows: Any, features: Any, full_feature_names: bool = False,
                            now: datetime | None = None,
                            request_data: dict[str, list] | None = None) -> OnlineResponse:
        """Feature vectors for ``entity_rows`` (list of dicts, DataFrame) from the online store;
        PII features masked for a principal whose role reads them masked. ``request_data``: the
        request fields on-demand features read, one value per entity row (``{"cart_total": [..]}``)."""
        registry = self._applied()
        masked = self.access.read(registry, features, "online", "read.online") if self.access.enabled else ()
        response = self._online_reader(self.online, registry, entity_rows, features,
                                       full_feature_names=full_feature_names, now=now,
                                       fallback=self._fallback, masked=masked, request_data=request_data)
        logger = self.served_log
        if logger is not None and logger.sampled():  # decided here: an unsampled request pays no more
            self._log_served(logger, registry, features, full_feature_names, response, request_data)
        return response

    @cached_property
    def served_log(self) -> ServedLogger | None:
        """The logger of served requests (``logging:`` in virtualfs.yaml; ``virtualfs.servedlog``),
        None without one. ``served_log.counts`` says what was written and dropped."""
        config = self.config.logging
        if config is None:
            return None
        from virtualfs.servedlog import open_served_log

        # called on the logger's thread at its first write (a warehouse sink only): sqlglot and
        # the warehouse driver load there, never on the read path
        return open_served_log(config, self._log_warehouse, lambda: self.copies.schema)

    def _log_warehouse(self) -> Warehouse:
        """A connection of the log's own: the logger's thread never shares the store's."""
        from virtualfs.warehouses import open_warehouse

        return open_warehouse(self.config.warehouse)

    def _log_served(self, logger: ServedLogger, registry: Registry, features: Any, full_feature_names: bool,
                    response: OnlineResponse, request_data: dict[str, list] | None) -> None:
        self._log_online_read(logger, registry, self.project, features, full_feature_names, response,
                              request_data, sampled=True)

    @cached_property
    def _log_online_read(self) -> Callable[..., None]:
        from virtualfs.servedlog import log_online_read

        return log_online_read

    def consistency_report(self, since: datetime | None = None, until: datetime | None = None,
                           service: str | None = None) -> ConsistencyReport:
        """Replay the served log (requests in ``[since, until)``, of ``service``) through the
        point-in-time compiler as of each request's time (known-time rule) and compare, per
        feature, what was served with what a training frame gets; see ``virtualfs.consistency``.

        Example::

            report = store.consistency_report(since=datetime(2026, 12, 4))
            report.to_pandas()[["feature", "rows", "equal", "stale", "missing_online"]]
        """
        from virtualfs.consistency import consistency_report, defined_features
        from virtualfs.servedlog import read_served_log

        config = self.config.logging
        if config is None:
            raise ConfigError(f"{self.config.source}: no logging: section, so nothing was logged to compare; "
                              "add logging: {sample: 0.01, sink: warehouse}")
        if "served_log" in self.__dict__ and self.served_log is not None:
            self.served_log.flush()  # what this process served is in the report
        rows = read_served_log(config, lambda: self.warehouse, self.copies.schema, since, until, service)
        registry = self._applied()
        compared = defined_features(registry, rows.column("feature").to_pylist())
        if compared:  # the report shows values of these features: who reads them offline may
            self.access.read(registry, compared, maskable=False)
        return consistency_report(self.warehouse, registry, rows, since, until, service)

    def online_lookup(self, entity_rows: Any, features: Any, full_feature_names: bool = False,
                      request_data: dict[str, list] | None = None) -> OnlineLookup:
        """An online read up to the store: its keys, to read elsewhere (the server awaits them).

        ``lookup.respond(store.online.read(lookup.keys))`` is ``get_online_features`` without read-through.
        """
        registry = self._applied()
        masked = self.access.read(registry, features, "online", "read.online") if self.access.enabled else ()
        return self._online_lookup(registry, self.project, entity_rows, features, full_feature_names, masked,
                                   request_data)

    @cached_property
    def _online_lookup(self) -> Callable[..., OnlineLookup]:
        from virtualfs.serving.read import online_lookup

        return online_lookup

    @cached_property
    def _online_reader(self) -> Callable[..., OnlineResponse]:
        # Resolved once: the online read path does no imports or config checks per call.
        from virtualfs.serving.read import get_online_features

        return get_online_features

    @cached_property
    def _fallback(self) -> Warehouse | None:
        from virtualfs.online import fallback_enabled

        return self.warehouse if fallback_enabled(self.config.online) else None

    # -- access and audit -------------------------------------------------------------------

    @cached_property
    def access(self) -> AccessGate:
        """The ``access:`` policy applied to this store's principal; every decision is audited.
        Saved datasets call ``access.authorize("datasets", ...)``, ``access.read(...)`` and
        ``access.record(...)``; see ``virtualfs.access``."""
        from virtualfs.access import AccessGate, AuditLog

        return AccessGate(self.config.access, self.principal, AuditLog(lambda: self.catalog.audit),
                          lambda registry: self._pii_features(registry))

    def audit(self, since: datetime | None = None, principal: str | None = None,
              action: str | None = None) -> list[AuditEntry]:
        """The audit log, oldest first: who (``principal``) did what (``action``: ``apply``,
        ``refresh``, ``read.offline`` ...; ``read`` matches every ``read.*``) to what
        (``target``), when (``at``), with what ``outcome`` (ok, denied, failed).

        Example::

            [(e.principal, e.action, e.outcome) for e in store.audit(action="read")]
            # -> [('ivan', 'read.offline', 'ok'), ('ivan', 'read.offline', 'denied')]
        """
        if "access" in self.__dict__:
            self.access.audit.flush()  # what this process counted is in the answer
        return self.catalog.audit.entries(since, principal, action)

    def grants(self, dialect: str | None = None, role_prefix: str = "") -> str:
        """The statements that make the warehouse itself enforce the ``access:`` policy on the
        feature schema's tables (``virtualfs grants``); see ``virtualfs.access.grants``."""
        from virtualfs.access.grants import warehouse_grants

        self.access.authorize("apply", "warehouse grants", action="grants")
        return warehouse_grants(self.config.access, self._applied(), self.classification(), self.warehouse,
                                self.copies.schema, dialect or self.config.dialect, role_prefix)

    def _pii_features(self, registry: Registry) -> list[str]:
        from virtualfs.governance import classify

        return classify(registry, self.config.dialect).pii_features()

    def view_status(self, name: str) -> ViewStatus:
        """What the catalog records of view ``name``'s stored copies: its last refresh run, its
        table's watermark and row count, and how fresh its online values are. Opens neither the
        warehouse nor the online store."""
        from virtualfs.refresh.status import view_status

        view = self.get_feature_view(name)
        return view_status(self.catalog, self.copies, self.config.online.identity, view)

    def due_views(self, now: datetime | None = None) -> list[FeatureView]:
        """Views whose schedule fired since their last successful refresh."""
        from virtualfs.refresh.selection import select_views

        return select_views(self._applied(), None, self.catalog.state, now or utc_now())

    def reload(self) -> None:
        """Load the latest applied version and swap it in at once (readers never see a gap)."""
        self._registry = self._opened(self.catalog.registry())

    @cached_property
    def context(self) -> ProjectContext:
        """The warehouse, catalog and feature schema the flows share (connections opened here)."""
        from virtualfs.context import ProjectContext

        return ProjectContext(self.project, self.warehouse, self.catalog, self.copies)

    @cached_property
    def online_context(self) -> OnlineContext:
        """The online store, and the identity its watermarks are filed under."""
        from virtualfs.context import OnlineContext

        return OnlineContext(self.online, self.config.online.identity)

    @cached_property
    def copies(self) -> StoredCopies:
        """Where refreshes keep this project's tables (the feature schema) in its warehouse
        (from the config: no connection is opened)."""
        from virtualfs.compile.feature_schema import DEFAULT_FEATURE_SCHEMA, FeatureSchema
        from virtualfs.copies import StoredCopies

        schema = FeatureSchema.of(self.config.warehouse.get("feature_schema", DEFAULT_FEATURE_SCHEMA),
                                  self.project)
        return StoredCopies(schema, self.config.warehouse.identity)

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
        logger = self.__dict__.pop("served_log", None)
        if logger is not None:
            logger.close()  # what was sampled is written before the connections go
        if "access" in self.__dict__:
            self.__dict__.pop("access").audit.close()
        for name in ("context", "online_context"):
            self.__dict__.pop(name, None)
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


