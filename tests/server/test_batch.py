"""Concurrent reads of the same features share one store read, and each request gets its own rows."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.server.live import FULL
from virtualfs.errors import OnlineStoreError
from virtualfs.online.base import Status
from virtualfs.server.batch import ReadBatcher
from virtualfs.server.metrics import Metrics
from virtualfs.server.schemas import FeaturesRequest


class FakeStore:
    """A reader that answers ``amount = 10 * id`` and records every call."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[int]] = []
        self.fail = fail

    async def __call__(self, wanted: FeaturesRequest) -> FakeResponse:
        ids = wanted.entities["customer_id"]
        self.calls.append(list(ids))
        if self.fail:
            raise OnlineStoreError("redis online store: read failed")
        return FakeResponse(ids)


class FakeResponse:
    """What the batcher reads of an OnlineResponse."""

    feature_names = ["amount"]

    def __init__(self, ids: list[int]) -> None:
        self.ids = ids
        self.statuses = {"amount": [Status.PRESENT] * len(ids)}
        self.event_times = {"amount": [None] * len(ids)}

    def to_dict(self) -> dict[str, list]:
        return {"customer_id": self.ids, "amount": [10 * i for i in self.ids]}


def request(*ids: int, service: str = "churn") -> FeaturesRequest:
    return FeaturesRequest(None, service, {"customer_id": list(ids)}, len(ids))


async def read_all(batcher: ReadBatcher, requests: list[FeaturesRequest]) -> list:
    return await asyncio.gather(*(batcher.read(r) for r in requests), return_exceptions=True)


def test_a_burst_is_one_read_and_each_request_gets_its_rows():
    store = FakeStore()
    results = asyncio.run(read_all(ReadBatcher(store, Metrics()), [request(1), request(2, 3), request(4)]))
    assert store.calls == [[1, 2, 3, 4]]
    assert [r.columns for r in results] == [
        {"customer_id": [1], "amount": [10]}, {"customer_id": [2, 3], "amount": [20, 30]},
        {"customer_id": [4], "amount": [40]},
    ]
    assert results[1].statuses == {"amount": [Status.PRESENT, Status.PRESENT]}


def test_different_features_are_read_apart():
    store = FakeStore()
    asyncio.run(read_all(ReadBatcher(store, Metrics()), [request(1), request(2, service="other"), request(3)]))
    assert sorted(store.calls) == [[1, 3], [2]]


def test_a_store_error_reaches_every_request_of_the_batch():
    results = asyncio.run(read_all(ReadBatcher(FakeStore(fail=True), Metrics()), [request(1), request(2)]))
    assert all(isinstance(r, OnlineStoreError) for r in results)


def test_a_lone_request_is_read_as_it_is():
    store = FakeStore()
    (result,) = asyncio.run(read_all(ReadBatcher(store, Metrics()), [request(5, 6)]))
    assert store.calls == [[5, 6]] and result.columns["amount"] == [50, 60]


@pytest.mark.parametrize("concurrency", [64])
def test_concurrent_http_requests_get_their_own_answers(server, concurrency):
    bodies = [
        {"feature_service": "churn", "entities": {"customer_id": [n % 4, (n + 1) % 4][: 1 + n % 2]}}
        if n % 3 else
        {"features": ["customer_orders:items"], "entities": {"customer_id": [n % 3]}, "full_feature_names": True}
        for n in range(concurrency)
    ]
    expected = [server.post(body, token=FULL).json() for body in bodies]

    async def burst() -> list[dict]:
        headers = {"authorization": f"Bearer {FULL}"}
        async with httpx.AsyncClient(base_url=server.url, headers=headers) as client:
            responses = await asyncio.gather(*(client.post("/v1/online-features", json=b) for b in bodies))
        return [response.json() for response in responses]

    assert asyncio.run(burst()) == expected
    metrics = server.get("/metrics", token=FULL).text
    reads = next(line for line in metrics.splitlines() if line.startswith("virtualfs_online_store_reads_total"))
    served = sum(float(line.rpartition(" ")[2]) for line in metrics.splitlines()
                 if line.startswith('virtualfs_http_requests_total{route="/v1/online-features",method="POST",status="200"'))
    assert 0 < float(reads.rpartition(" ")[2]) <= served


def test_a_cancelled_leader_lets_its_followers_go():
    async def scenario() -> list:
        batcher = ReadBatcher(FakeStore(), Metrics())
        leader = asyncio.create_task(batcher.read(request(1)))
        await asyncio.sleep(0)  # the leader is waiting for others to join
        follower = asyncio.create_task(batcher.read(request(2)))
        await asyncio.sleep(0)
        leader.cancel()
        return await asyncio.gather(leader, follower, return_exceptions=True)

    leader, follower = asyncio.run(scenario())
    assert isinstance(leader, asyncio.CancelledError) and isinstance(follower, OnlineStoreError)
