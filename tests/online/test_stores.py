"""The online-store conformance suite: every test runs on memory, sqlite, redis and a redis cluster."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.online.helpers import T0, at, orders_view, shop_registry, typed_view, write_rows
from virtualfs.online.base import OnlineStore, Status, open_reader
from virtualfs.online.rows import ViewRows
from virtualfs.registry import Registry
from virtualfs.serving.read import get_online_features

_views = itertools.count()


def test_round_trip_of_every_dtype_and_null(store):
    view = typed_view()
    rows = [
        {"customer_id": 1, "event": at(1), "created": at(2), "i": -(2**63), "f": 1.5, "s": "héllo|{}",
         "b": True, "t": at(-5)},
        {"customer_id": 2, "event": at(1), "created": None, "i": 2**63 - 1, "f": -0.0, "s": "",
         "b": False, "t": T0},
        {"customer_id": 3, "event": at(1), "created": at(1), "i": None, "f": None, "s": None,
         "b": None, "t": None},
    ]
    write_rows(store, view, rows)
    response = get_online_features(store, Registry.from_objects([view]), [{"customer_id": k} for k in (1, 2, 3)],
                                   ["typed:*"], now=at(10))
    got = response.to_dict()
    for name in "ifsbt":
        assert got[name] == [row[name] for row in rows], name
        assert response.statuses[name] == [Status.PRESENT] * 3
        assert response.event_times[name] == [at(1)] * 3
    assert got["customer_id"] == [1, 2, 3]


WRITES = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 4), st.none() | st.integers(0, 2)), min_size=1, max_size=40
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=WRITES, cuts=st.lists(st.integers(0, 40), max_size=6))
def test_newer_wins_over_any_write_sequence(store, writes, cuts):
    view = dataclasses.replace(orders_view(), name=f"newer_{next(_views)}")
    rows = [{"customer_id": key, "event": at(e), "created": None if c is None else at(c), "items": i}
            for i, (key, e, c) in enumerate(writes)]
    bounds = sorted({0, len(rows), *(min(cut, len(rows)) for cut in cuts)})
    for start, end in itertools.pairwise(bounds):  # out of order, overlapping batches alike
        write_rows(store, view, rows[start:end])
    expected = _max_by_event_then_created(writes)
    registry = Registry.from_objects([view])
    response = get_online_features(store, registry, [{"customer_id": k} for k in range(4)],
                                   [f"{view.name}:items"], now=at(100))
    assert response.to_dict()["items"] == [expected.get(k) for k in range(4)]


def _max_by_event_then_created(writes: list[tuple]) -> dict[int, int]:
    """The reference: per key the first write with the greatest (event, created); no created is lowest."""
    best: dict[int, tuple] = {}
    for index, (key, event, created) in enumerate(writes):
        order = (event, -1 if created is None else created)
        if key not in best or order > best[key][0]:
            best[key] = (order, index)
    return {key: index for key, (_, index) in best.items()}


def test_missing_key_is_null_and_not_found(store):
    write_rows(store, orders_view(), [{"customer_id": 1, "event": at(0), "amount": 2.5}])
    response = get_online_features(store, Registry.from_objects([orders_view()]),
                                   [{"customer_id": 1}, {"customer_id": 404}], ["customer_orders:amount"])
    assert response.to_dict()["amount"] == [2.5, None]
    assert response.statuses["amount"] == [Status.PRESENT, Status.NOT_FOUND]
    assert response.event_times["amount"] == [at(0), None]


def test_value_older_than_ttl_is_null_and_outside_ttl(store):
    view = orders_view(ttl="1h")
    write_rows(store, view, [{"customer_id": 1, "event": at(0), "amount": 2.5}])
    registry = Registry.from_objects([view])
    rows = [{"customer_id": 1}]
    edge = get_online_features(store, registry, rows, ["customer_orders:amount"], now=at(60))
    assert edge.to_dict()["amount"] == [2.5]
    assert edge.statuses["amount"] == [Status.PRESENT]
    late = get_online_features(store, registry, rows, ["customer_orders:amount"],
                               now=at(60) + timedelta(microseconds=1))
    assert late.to_dict()["amount"] == [None]
    assert late.statuses["amount"] == [Status.OUTSIDE_TTL]
    assert late.event_times["amount"] == [at(0)]


def test_response_keeps_entity_row_order_and_duplicates(store):
    view = orders_view()
    write_rows(store, view, [{"customer_id": k, "event": at(k), "items": k * 10} for k in (1, 2, 3)])
    ids = [3, 1, 3, 99, 2, 1]
    response = get_online_features(store, Registry.from_objects([view]), [{"customer_id": k} for k in ids],
                                   ["customer_orders:items"])
    assert response.to_dict() == {"customer_id": ids, "items": [30, 10, 30, None, 20, 10]}


def test_one_round_trip_for_many_views_and_entities(store):
    registry = shop_registry()
    write_rows(store, registry.view("customer_orders"),
               [{"customer_id": k, "event": at(0), "amount": float(k)} for k in range(50)])
    write_rows(store, registry.view("customer_product"),
               [{"customer_id": k, "product_id": "p", "event": at(0), "views": k} for k in range(50)])
    rows = [{"customer_id": k, "product_id": "p"} for k in range(60)]
    features = ["customer_orders:amount", "customer_profile:*", "customer_product:views"]
    with count_round_trips(store) as trips:
        response = get_online_features(store, registry, rows, features)
    # a cluster: one per primary, as the keys of 60 entities hash to slots of all three (test_cluster.py)
    assert trips == [3 if hasattr(store, "nodes") else 1]
    assert response.to_dict()["views"] == [*range(50), *[None] * 10]


def test_cache_entries_expire_and_materialized_rows_replace_them(store):
    view = orders_view()
    registry = Registry.from_objects([view])
    row = {"customer_id": 1, "event": at(0), "amount": 1.0}
    assert write_rows(store, view, [row], expire_after=timedelta(milliseconds=300)) == 1
    assert _amount(store, registry) == 1.0
    time.sleep(0.4)
    assert _amount(store, registry) is None
    write_rows(store, view, [row], expire_after=timedelta(milliseconds=300))
    assert write_rows(store, view, [{**row, "amount": 2.0}]) == 1  # same times, not a cache entry
    time.sleep(0.4)
    assert _amount(store, registry) == 2.0
    assert write_rows(store, view, [{**row, "amount": 3.0}], expire_after=timedelta(seconds=5)) == 0


def _amount(store: OnlineStore, registry: Registry):
    return get_online_features(store, registry, [{"customer_id": 1}], ["customer_orders:amount"]
                               ).to_dict()["amount"][0]


def test_write_counts_only_changed_keys(store):
    view = orders_view()
    rows = [{"customer_id": k, "event": at(1), "items": k} for k in range(5)]
    assert write_rows(store, view, rows) == 5
    assert write_rows(store, view, rows) == 0
    assert write_rows(store, view, [{**rows[0], "event": at(2)}, {**rows[1], "event": at(0)}]) == 1


def test_ping_answers_and_close_releases(store):
    assert store.ping() is None  # a healthy store answers; a dead one raises (tests/online/test_faults.py)
    held = _open_descriptors()
    store.close()
    released = held - _open_descriptors()
    # SQLite's file and Redis's socket are closed; the memory store holds none
    assert released >= (0 if store.name == "memory" else 1)


def _open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_async_reads_equal_blocking_reads(store):
    """What a server awaits (``open_reader``: Redis's own reader, the memory store inline, SQLite on
    threads) reads what ``store.read`` reads, also with many reads in flight at once."""
    view = orders_view()
    write_rows(store, view, [{"customer_id": k, "event": at(k), "items": k} for k in range(0, 20, 2)])
    prefix = ViewRows(view, store.project).prefix
    key_sets = [[f"{prefix}{k}}}" for k in range(start, start + size)] for start in range(8) for size in (1, 3, 12)]
    expected = [dict(store.read(keys)) for keys in key_sets]
    assert [len(found) for found in expected[:3]] == [1, 2, 6]

    async def read_all() -> list[dict]:
        reader = open_reader(store, 1.0)
        try:
            await reader.ping()
            return [dict(found) for found in await asyncio.gather(*(reader.read(keys) for keys in key_sets))]
        finally:
            reader.close()

    assert asyncio.run(read_all()) == expected


@contextmanager
def count_round_trips(store: OnlineStore) -> Iterator[list[int]]:
    """How many requests reach the store: Redis commands sent, SQLite statements run, reads."""
    count = [0]
    if store.name == "redis":
        from redis.connection import Connection

        original = Connection.send_packed_command

        def send(self, command, check_health=True):
            count[0] += 1
            return original(self, command, check_health)

        Connection.send_packed_command = send
        try:
            yield count
        finally:
            Connection.send_packed_command = original
    elif store.name == "sqlite":
        connection = store._connection()
        connection.set_trace_callback(lambda _sql: count.__setitem__(0, count[0] + 1))
        try:
            yield count
        finally:
            connection.set_trace_callback(None)
    else:
        original_read = store.read

        def read(keys):
            count[0] += 1
            return original_read(keys)

        store.read = read
        try:
            yield count
        finally:
            del store.read
