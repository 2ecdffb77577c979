"""Coalesce concurrent reads of the same features into one online store read.

Under load, many requests for the same features (one model's feature service) are parsed in the
same turn of the event loop. Reading each alone costs a store round trip per request; reading
them together costs one ``MGET`` for all their keys. ``ReadBatcher`` waits two loop iterations
(enough for requests whose bytes arrived together to reach it), concatenates their entity
columns, calls ``FeatureStore.get_online_features`` once, and gives each request its rows back.
A request alone in its batch is read as it is, so light load pays nothing but the two hops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from virtualfs.online.response import OnlineResponse
from virtualfs.server.metrics import Metrics
from virtualfs.server.schemas import FeaturesRequest


@dataclass(frozen=True)
class Vectors:
    """One request's part of a read: columns (join keys, then features), statuses, event times."""

    columns: dict[str, list]
    feature_names: list[str]
    statuses: dict[str, list]
    event_times: dict[str, list[datetime | None]]

    @classmethod
    def of(cls, response: OnlineResponse) -> Vectors:
        return cls(response.to_dict(), response.feature_names, response.statuses, response.event_times)

    def rows(self, start: int, stop: int) -> Vectors:
        """Rows ``start:stop`` of every column."""
        def cut(columns: dict[str, list]) -> dict[str, list]:
            return {name: values[start:stop] for name, values in columns.items()}

        return Vectors(cut(self.columns), self.feature_names, cut(self.statuses), cut(self.event_times))


Reader = Callable[[FeaturesRequest], OnlineResponse]
_Pending = list[tuple[FeaturesRequest, asyncio.Future]]


class ReadBatcher:
    """Batches reads asking for the same features, names and join key columns.

    ``reader`` runs on the event loop's thread, once per batch.
    """

    def __init__(self, reader: Reader, metrics: Metrics) -> None:
        self.reader, self.metrics = reader, metrics
        self.pending: dict[tuple, _Pending] = {}

    async def read(self, wanted: FeaturesRequest) -> Vectors:
        """The vectors for ``wanted``, read together with concurrent requests for the same features."""
        loop = asyncio.get_running_loop()
        key = (wanted.feature_service or tuple(wanted.features or ()), wanted.full_feature_names,
               tuple(wanted.entities))
        group = self.pending.get(key)
        if group is None:
            group = self.pending[key] = []
            # Two hops: requests whose tasks were created in this iteration reach ``read`` in the next.
            loop.call_soon(loop.call_soon, self._flush, key)
        future = loop.create_future()
        group.append((wanted, future))
        return await future

    def _flush(self, key: tuple) -> None:
        group = self.pending.pop(key)
        live = [(wanted, future) for wanted, future in group if not future.cancelled()]
        if not live:
            return
        self.metrics.store_reads += 1
        try:
            if len(live) == 1:
                live[0][1].set_result(Vectors.of(self.reader(live[0][0])))
                return
            vectors = Vectors.of(self.reader(_combined([wanted for wanted, _ in live])))
        except Exception as error:  # every request of the batch gets the store's error
            for _, future in live:
                future.set_exception(error)
            return
        start = 0
        for wanted, future in live:
            future.set_result(vectors.rows(start, start + wanted.rows))
            start += wanted.rows


def _combined(requests: list[FeaturesRequest]) -> FeaturesRequest:
    """One request with every request's entity rows, in order."""
    first = requests[0]
    entities: dict[str, list[Any]] = {key: [] for key in first.entities}
    for request in requests:
        for key, values in request.entities.items():
            entities[key].extend(values)
    rows = sum(request.rows for request in requests)
    return FeaturesRequest(first.features, first.feature_service, entities, rows, first.full_feature_names)
