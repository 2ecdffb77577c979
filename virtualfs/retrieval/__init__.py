"""Point-in-time correct training frames: entity rows in, features as known at each row's time out.

>>> job = get_historical_features(warehouse, registry, entities, "reorder_model")  # doctest: +SKIP
>>> frame = job.to_pandas()  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from virtualfs.compile.aggregate.kept import KeptTiles
from virtualfs.compile.aggregate.lookup import typed_lookups
from virtualfs.compile.plan import RULES
from virtualfs.compile.resolve import resolve_lookups
from virtualfs.errors import RequestError
from virtualfs.registry import FeaturesArg, Registry
from virtualfs.retrieval.entities import read_entities
from virtualfs.retrieval.job import RetrievalJob
from virtualfs.retrieval.strategy import pick_strategy
from virtualfs.warehouses.base import Warehouse

__all__ = ["RetrievalJob", "get_historical_features"]


def get_historical_features(warehouse: Warehouse, registry: Registry, entity_df: Any,
                            features: FeaturesArg, *, full_feature_names: bool = False,
                            point_in_time: str = "known",
                            timestamp_column: str = "event_timestamp",
                            kept_tiles: tuple[KeptTiles, ...] = (),
                            on_null_timestamp: str = "error") -> RetrievalJob:
    """For each entity row, ``features`` as they were known at the row's time (nothing runs yet).

    ``entity_df``: a pandas DataFrame, a pyarrow Table, or a SELECT run in the warehouse, with
    the views' join keys and ``timestamp_column`` (naive timestamps are UTC).
    ``features``: ``["view:feature", "view:*"]``, a FeatureService, or a service's name.
    ``point_in_time="known"`` (default) sees a row only once it landed (``created <= t``);
    ``"event"`` sees every row with ``event <= t`` (created time only breaks ties).
    ``on_null_timestamp``: an entity row without a time is an error (``"error"``), or gets null
    features (``"null"``).
    ``kept_tiles``: tiles refreshes keep that are built past every entity row's time
    (``virtualfs.refresh.reads.usable_kept_tiles``); read instead of summarising sources.

    >>> job = get_historical_features(warehouse, registry, frame, ["customer_orders:amount"])
    ... # doctest: +SKIP
    >>> job.to_pandas()  # doctest: +SKIP
    """
    if point_in_time not in RULES:
        raise RequestError(f"point_in_time must be one of {', '.join(RULES)}; got {point_in_time!r}")
    lookups = typed_lookups(warehouse, resolve_lookups(registry, features, full_feature_names))
    entities = read_entities(entity_df, warehouse, timestamp_column, lookups, on_null_timestamp)
    strategy = pick_strategy(warehouse, lookups)
    return RetrievalJob(warehouse, lookups, entities, point_in_time, strategy, kept_tiles)
