"""Coalesce concurrent reads of the same features into one online store read.

Under load, many requests for the same features (one model's feature service) are parsed in the
same turn of the event loop. Reading each alone costs a store round trip per request; reading
them together costs one ``MGET`` for all their keys. ``ReadBatcher`` waits two loop iterations
(enough for requests whose bytes arrived together to reach it), concatenates their entity
columns, awaits one read, and gives each request its rows back. A request alone in its batch is
read as it is, so light load pays nothing but the two hops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from virtualfs.access.masking import mask_columns
from virtualfs.errors import OnlineStoreError
from virtualfs.server.metrics import Metrics
from virtualfs.server.schemas import FeaturesRequest
from virtualfs.serving.response import OnlineResponse


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

    def masked(self, methods: Mapping[str, str]) -> Vectors:
        """These vectors with the feature columns ``methods`` names masked (``access.masking``)."""
        masked = mask_columns(self.columns, methods)
        return Vectors(masked, self.feature_names, self.statuses, self.event_times)

    def rows(self, start: int, stop: int) -> Vectors:
        """Rows ``start:stop`` of every column."""
        def cut(columns: dict[str, list]) -> dict[str, list]:
            return {name: values[start:stop] for name, values in columns.items()}

        return Vectors(cut(self.columns), self.feature_names, cut(self.statuses), cut(self.event_times))


Reader = Callable[[FeaturesRequest], Awaitable[OnlineResponse]]
_Followers = list[tuple[FeaturesRequest, asyncio.Future]]


class ReadBatcher:
    """Batches reads asking for the same features, names and join key columns.

    The first request of a batch (its leader) waits two loop iterations for others to join, then
    awaits ``reader`` once for all of them and hands each follower its rows.
    """

    def __init__(self, reader: Reader, metrics: Metrics) -> None:
        self.reader, self.metrics = reader, metrics
        self.pending: dict[tuple, _Followers] = {}

    async def read(self, wanted: FeaturesRequest) -> Vectors:
        """The vectors for ``wanted``, read together with concurrent requests for the same features."""
        key = (wanted.feature_service or tuple(wanted.features or ()), wanted.full_feature_names,
               tuple(wanted.entities), tuple(wanted.request or ()))
        followers = self.pending.get(key)
        if followers is not None:
            future = asyncio.get_running_loop().create_future()
            followers.append((wanted, future))
            return await future
        followers = self.pending[key] = []
        loop = asyncio.get_running_loop()
        joined = loop.create_future()
        # Two hops: requests whose tasks were created in this iteration reach ``read`` in the next.
        loop.call_soon(loop.call_soon, _wake, joined)
        try:
            await joined
        except BaseException:  # the leader was cancelled (shutdown): nobody will read for the rest
            _fail(followers, OnlineStoreError("the read was cancelled"))
            raise
        finally:
            del self.pending[key]
        return await self._lead(wanted, followers)

    async def _lead(self, wanted: FeaturesRequest, followers: _Followers) -> Vectors:
        self.metrics.store_reads += 1
        try:
            if not followers:
                return Vectors.of(await self.reader(wanted))
            vectors = Vectors.of(await self.reader(_combined([wanted, *(w for w, _ in followers)])))
        except BaseException as error:  # every request of the batch gets the store's error
            cancelled = OnlineStoreError("the read was cancelled")
            _fail(followers, error if isinstance(error, Exception) else cancelled)
            raise
        start = wanted.rows
        for request, future in followers:
            if not future.done():
                future.set_result(vectors.rows(start, start + request.rows))
            start += request.rows
        return vectors.rows(0, wanted.rows)


def _fail(followers: _Followers, error: Exception) -> None:
    for _, future in followers:
        if not future.done():
            future.set_exception(error)


def _wake(future: asyncio.Future) -> None:
    if not future.done():  # done: the leader was cancelled
        future.set_result(None)


def _combined(requests: list[FeaturesRequest]) -> FeaturesRequest:
    """One request with every request's entity rows, in order."""
    first = requests[0]
    entities: dict[str, list[Any]] = {key: [] for key in first.entities}
    for request in requests:
        for key, values in request.entities.items():
            entities[key].extend(values)
    rows = sum(request.rows for request in requests)
    fields: dict[str, list[Any]] | None = None
    if first.request is not None:
        fields = {name: [] for name in first.request}
        for request in requests:
            for name, values in (request.request or {}).items():
                fields[name].extend(values)
    return FeaturesRequest(first.features, first.feature_service, entities, rows, first.full_feature_names,
                           fields)
