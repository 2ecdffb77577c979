"""Point-in-time correct training frames: entity rows in, features as known at each row's time out.

The flow, top-down: resolve the feature references (``compile.resolve``), read and check the
entity rows once (``entities``), let refreshed views read their trusted tables and kept tiles
where they give the source's answer (``stored_tables``), type what the definitions leave open
from the warehouse (``source_types``), pick the PIT strategy (``strategy``), and hand it all to
a ``RetrievalJob`` that compiles (``compile.historical``) and runs on demand (``job``).

Example::

    job = get_historical_features(warehouse, registry, entities, "reorder_model")
    frame = job.to_pandas()
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from virtualfs.access.masking import key_names, mask_method
from virtualfs.compile.request import RULES, ColumnMask, ViewLookup
from virtualfs.definitions import FeatureService
from virtualfs.errors import RequestError
from virtualfs.registry import FeaturesArg, Registry
from virtualfs.retrieval.entities import NULL_TIMESTAMP_CHOICES, read_entities
from virtualfs.retrieval.job import RetrievalJob
from virtualfs.retrieval.on_demand import OnDemandPlan, plan_on_demand
from virtualfs.retrieval.origin import CopyRead, JobOrigin
from virtualfs.retrieval.source_types import typed_lookups
from virtualfs.retrieval.stored_tables import copies_read, prefer_tables, usable_kept_tiles
from virtualfs.retrieval.strategy import pick_strategy

if TYPE_CHECKING:
    from virtualfs.context import ProjectContext
    from virtualfs.warehouses.base import Warehouse

__all__ = ["RetrievalJob", "RetrievalRequest", "get_historical_features", "retrieve"]


@dataclass(frozen=True)
class RetrievalRequest:
    """What a training frame is asked for, besides its entity rows.

    ``features``: ``["view:feature", "view:*"]``, a FeatureService, or a service's name.
    ``point_in_time``: ``"known"`` (default) sees a row only once it landed (``created <= t``);
    ``"event"`` sees every row with ``event <= t`` (created time only breaks ties).
    ``on_null_timestamp``: an entity row without a time is an error (``"error"``), or gets null
    features (``"null"``).
    """

    features: FeaturesArg
    full_feature_names: bool = False
    point_in_time: str = "known"
    timestamp_column: str = "event_timestamp"
    on_null_timestamp: str = "error"

    def __post_init__(self) -> None:
        if self.point_in_time not in RULES:
            raise RequestError(f"point_in_time must be one of {', '.join(RULES)}; got {self.point_in_time!r}")
        if self.on_null_timestamp not in NULL_TIMESTAMP_CHOICES:
            raise RequestError(f"on_null_timestamp must be one of {', '.join(NULL_TIMESTAMP_CHOICES)}; "
                               f"got {self.on_null_timestamp!r}")


def retrieve(context: ProjectContext | None, warehouse: Warehouse, registry: Registry, entity_df: Any,
             request: RetrievalRequest, masked: frozenset[str] = frozenset(),
             gate: Any = None) -> RetrievalJob:
    """The training frame ``request`` asks for over ``entity_df`` (nothing runs yet).

    With a ``context`` (a project's catalog and feature schema), refreshed views read their
    tables and kept tiles where those give the source's answer; without one, every view reads
    its source. ``masked``: features (``view:feature``) whose values the SQL masks (the access
    policy's answer, ``virtualfs.access``); ``gate``: that principal's access gate, which saving
    the frame as a dataset asks for its ``datasets`` grant.
    """
    plan = plan_on_demand(registry, request.features, request.full_feature_names)
    lookups = plan.lookups
    entities = read_entities(entity_df, warehouse, request.timestamp_column, lookups,
                             request.on_null_timestamp, plan.request_fields)
    plan = plan.with_request_columns(dict(entities.requests)).masked(masked)
    kept, origin = (), None
    if context is not None:
        latest = entities.latest_time()
        # tiles are planned from the views as defined (their digest covers the source)
        kept = usable_kept_tiles(context, [lookup.view for lookup in lookups], latest)
        preferred = prefer_tables(context, lookups, latest, request.point_in_time)
        read = copies_read(context, lookups, preferred, kept)
        origin = _origin(context, registry, request, plan, read, gate)
        lookups = preferred
    lookups = typed_lookups(warehouse, lookups)
    strategy = pick_strategy(warehouse, lookups)
    masks = column_masks(registry, lookups, masked) if masked else ()
    return RetrievalJob(warehouse, lookups, entities, request.point_in_time, strategy, kept, masks=masks,
                        origin=origin, on_demand=plan if plan.derived or plan.functions else None)


def _origin(context: ProjectContext, registry: Registry, request: RetrievalRequest,
            plan: OnDemandPlan, copies: tuple[CopyRead, ...], gate: Any) -> JobOrigin:
    # what was asked for: the inputs read only for on-demand features are not
    features = tuple(f"{lookup.view.name}:{f.name}" for lookup in plan.lookups for f in lookup.features
                     if f.output not in plan.hidden) + plan.on_demand_refs
    service = request.features if isinstance(request.features, str) and ":" not in request.features else None
    if isinstance(request.features, FeatureService):
        service = request.features.name
    return JobOrigin(context, registry.version, features, request.full_feature_names, service, copies, gate)


def column_masks(registry: Registry, lookups: tuple[ViewLookup, ...],
                 masked: frozenset[str]) -> tuple[ColumnMask, ...]:
    """How each masked feature's output column is masked, by its (warehouse-typed) dtype."""
    keys = key_names(registry)
    return tuple(ColumnMask(f.output, mask_method(f.dtype, f.name, keys), f.dtype)  # type: ignore[arg-type]
                 for lookup in lookups for f in lookup.features if f"{lookup.view.name}:{f.name}" in masked)


def get_historical_features(warehouse: Warehouse, registry: Registry, entity_df: Any,
                            features: FeaturesArg, **options: Any) -> RetrievalJob:
    """For each entity row, ``features`` as they were known at the row's time, every view read
    from its source (``FeatureStore.get_historical_features`` also reads refreshed tables).

    ``entity_df``: a pandas DataFrame, a pyarrow Table, or a SELECT run in the warehouse, with
    the views' join keys and the timestamp column (naive timestamps are UTC). ``options``: the
    fields of :class:`RetrievalRequest`.

    Example::

        job = get_historical_features(warehouse, registry, frame, ["customer_orders:amount"])
        job.to_pandas()
    """
    return retrieve(None, warehouse, registry, entity_df, RetrievalRequest(features, **options))
