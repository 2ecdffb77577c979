"""Serving logs: a sampled fraction of online requests — entity keys, request time, feature
values, statuses, event times, request fields, the service — written in batches off the request
path to a warehouse table, a Parquet folder or a SQLite file (``logging:`` in virtualfs.yaml).

The logger (``logger``, ``records``, ``files``) loads neither the compiler nor sqlglot: the
server and ``FeatureStore.get_online_features`` call it on the online read path. Only the
warehouse sink (``warehouse``) compiles SQL, on the logger's own thread.

Example::

    store = FeatureStore("definitions")          # virtualfs.yaml: logging: {sample: 0.01, sink: warehouse}
    store.get_online_features([{"customer_id": 1}], "churn")   # logged 1 time in 100
    store.served_log.counts                      # LogCounts(sampled=..., written=..., dropped_queue_full=...)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from virtualfs.servedlog.logger import LogCounts, ServedLogger
from virtualfs.servedlog.records import COLUMNS, ServedRequest, log_schema
from virtualfs.serving.request_plan import request_plan

if TYPE_CHECKING:
    import pyarrow as pa

    from virtualfs.compile.feature_schema import FeatureSchema
    from virtualfs.registry import Registry
    from virtualfs.served_log_config import ServedLogConfig
    from virtualfs.serving.request_plan import RequestPlan
    from virtualfs.warehouses.base import Warehouse

__all__ = ["COLUMNS", "LogCounts", "ServedLogger", "ServedRequest", "log_schema", "log_online_read",
           "log_served", "open_served_log", "read_served_log"]


def open_served_log(config: ServedLogConfig, connect: Callable[[], Warehouse],
                    schema: Callable[[], FeatureSchema]) -> ServedLogger:
    """The logger ``config`` asks for; a warehouse sink opens its connection with ``connect`` and
    writes into the feature schema ``schema()`` (both called on the logger's thread, later)."""
    return ServedLogger(_sink(config, connect, schema), config.sample, config.queue, config.flush_seconds,
                        config.seed)


def log_served(logger: ServedLogger, plan: RequestPlan, served: Any, service: str | None = None,
               request_data: Mapping[str, Any] | None = None, at_us: int | None = None) -> None:
    """Offer one answered request to ``logger`` if it is sampled; never raises, never waits."""
    if logger.sampled():
        at = at_us if at_us is not None else time.time_ns() // 1000
        logger.offer(ServedRequest(logger.next_number(), at, plan, served, service, request_data))


def log_online_read(logger: ServedLogger, registry: Registry, project: str, features: Any,
                    full_feature_names: bool, served: Any,
                    request_data: Mapping[str, Any] | None = None, sampled: bool = False) -> None:
    """:func:`log_served` for ``FeatureStore.get_online_features``: the request's plan (cached)
    is looked up only for a sampled request (``sampled``: the caller has drawn already)."""
    if sampled or logger.sampled():
        at = time.time_ns() // 1000
        # resolved on the logger's thread (a cached plan, but a lookup the request need not pay)
        wanted = list(features) if isinstance(features, list) else features  # the caller may reuse its list
        plan = partial(request_plan, registry, project, wanted, full_feature_names)
        named = isinstance(features, str) and ":" not in features
        service = features if named else getattr(features, "name", None)
        logger.offer(ServedRequest(logger.next_number(), at, plan, served, service, request_data))


def read_served_log(config: ServedLogConfig, warehouse: Callable[[], Warehouse], schema: FeatureSchema,
                    since: datetime | None = None, until: datetime | None = None,
                    service: str | None = None) -> pa.Table:
    """The rows logged in ``[since, until)`` (for ``service``), as an Arrow table of ``log_schema``."""
    if config.sink == "warehouse":
        from virtualfs.servedlog.warehouse import read_warehouse_log

        return read_warehouse_log(warehouse(), schema, since, until, service)
    return _file_sink(config).read(since, until, service)


def _sink(config: ServedLogConfig, connect: Callable[[], Warehouse],
          schema: Callable[[], FeatureSchema]) -> Any:
    if config.sink == "warehouse":
        return _LazyWarehouseSink(connect, schema)
    return _file_sink(config)


def _file_sink(config: ServedLogConfig) -> Any:
    from virtualfs.servedlog.files import ParquetSink, SQLiteSink

    return ParquetSink(config.path) if config.sink == "parquet" else SQLiteSink(config.path)


class _LazyWarehouseSink:
    """The warehouse sink, imported (with sqlglot) on the logger's thread at its first write."""

    def __init__(self, connect: Callable[[], Warehouse], schema: Callable[[], FeatureSchema]) -> None:
        self.connect, self.schema = connect, schema
        self._sink: Any = None

    def write(self, columns: dict[str, list]) -> None:
        if self._sink is None:
            from virtualfs.servedlog.warehouse import WarehouseSink

            self._sink = WarehouseSink(self.connect, self.schema())
        self._sink.write(columns)

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()
