"""The Redis Cluster store on a real local cluster (tests/redis_cluster.py: three primaries, one
replica): keys spread over every primary, a read or a write is one command per slot and one round
trip per node (counted by the nodes themselves), and a slot moved or a primary failed over in the
middle of use loses nothing. Expected values come from a plain-Python newer-wins reference; the
conformance suite (test_stores.py and the rest) runs on this store too."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import time
from collections.abc import Iterator

import pytest
import redis

from tests.online.helpers import CUSTOMER, at, orders_view
from tests.online.helpers import write_rows as write_view_rows
from tests.online.test_stores import count_round_trips
from virtualfs import Feature, FeatureView, Source
from virtualfs.online.base import WriteBatch
from virtualfs.online.redis_cluster import RedisClusterOnlineStore
from virtualfs.online.rows import ViewRows
from virtualfs.registry import Registry
from virtualfs.serving.read import get_online_features

PROFILE = FeatureView("customer_profile", [CUSTOMER], Source("profiles", table="profiles", timestamp="at"),
                      [Feature("segment", "string")])
ORDERS = orders_view()
REGISTRY = Registry.from_objects([ORDERS, PROFILE])
FEATURES = ["customer_orders:items", "customer_profile:segment"]
_prefixes = itertools.count()


@pytest.fixture
def cluster_store(redis_cluster) -> Iterator[RedisClusterOnlineStore]:
    prefix = f"vfs_cluster_{os.getpid()}_{next(_prefixes)}:"
    store = RedisClusterOnlineStore(redis_cluster.nodes, key_prefix=prefix, project="test")
    try:
        yield store
    finally:
        for part in store.key_prefixes("test"):
            store.delete_prefix(part)
        store.close()


class Reference:
    """What the store must hold: per (view, entity) the row of greatest (event, created)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], dict] = {}

    def write(self, store, view: FeatureView, rows: list[dict]) -> int:
        for row in rows:
            key = (view.name, row["customer_id"])
            order = (row["event"], row.get("created") or row["event"])
            held = self.rows.get(key)
            if held is None or order > (held["event"], held.get("created") or held["event"]):
                self.rows[key] = row
        return write_view_rows(store, view, rows)

    def expected(self, ids: list[int]) -> dict[str, list]:
        def value(view: str, feature: str, key: int):
            row = self.rows.get((view, key))
            return None if row is None else row.get(feature)

        return {"customer_id": ids, "items": [value("customer_orders", "items", k) for k in ids],
                "segment": [value("customer_profile", "segment", k) for k in ids]}


def fill(store, reference: Reference, ids, minute: float, tag: str) -> None:
    reference.write(store, ORDERS, [{"customer_id": k, "event": at(minute), "items": k + int(minute)} for k in ids])
    reference.write(store, PROFILE, [{"customer_id": k, "event": at(minute), "segment": f"{tag}{k}"} for k in ids])


def read(store, ids: list[int]) -> dict[str, list]:
    return get_online_features(store, REGISTRY, [{"customer_id": k} for k in ids], FEATURES, now=at(10_000)).to_dict()


def node(port: int) -> redis.Redis:
    """A plain client of one node, for what the test asks the cluster itself."""
    return redis.Redis("127.0.0.1", port, socket_timeout=10)


def owners(cluster) -> dict[int, int]:
    """Slot -> port of the primary serving it, as the cluster reports (CLUSTER SLOTS)."""
    found = {}
    for start, end, primary, *_ in node(cluster.primaries[0]).execute_command("CLUSTER SLOTS"):
        for slot in range(start, end + 1):
            found[slot] = primary[1]
    return found


def slots_of(cluster, names: list[str]) -> list[int]:
    """Each key's slot, computed by Redis (CLUSTER KEYSLOT), not by the code under test."""
    pipe = node(cluster.primaries[0]).pipeline(transaction=False)
    for name in names:
        pipe.execute_command("CLUSTER KEYSLOT", name)
    return pipe.execute()


def stored_names(store, views, ids) -> list[str]:
    return [store.key_prefix + ViewRows(view, "test").prefix + f"{k}}}" for view in views for k in ids]


def calls_per_node(cluster, command: str) -> dict[int, int]:
    counts = {}
    for port in cluster.current_primaries():
        stats = node(port).info("commandstats").get(f"cmdstat_{command}", {"calls": 0})
        counts[port] = stats["calls"]
    return counts


def reset_stats(cluster) -> None:
    for port in cluster.ports:
        node(port).config_resetstat()


def test_keys_spread_over_all_three_primaries(cluster_store, redis_cluster):
    reference = Reference()
    fill(cluster_store, reference, range(300), 1, "s")
    per_primary = {port: sum(1 for _ in node(port).scan_iter(match=cluster_store.key_prefix + "*", count=1000))
                   for port in redis_cluster.current_primaries()}
    assert len(per_primary) == 3 and all(count > 100 for count in per_primary.values()), per_primary
    assert sum(per_primary.values()) == 600
    assert read(cluster_store, list(range(300))) == reference.expected(list(range(300)))


def test_a_read_is_one_mget_per_slot_and_one_round_trip_per_node(cluster_store, redis_cluster):
    reference = Reference()
    ids = list(range(100))
    fill(cluster_store, reference, ids, 1, "s")
    slot_owner = owners(redis_cluster)
    slots = set(slots_of(redis_cluster, stored_names(cluster_store, [ORDERS, PROFILE], ids)))
    expected = {port: sum(1 for slot in slots if slot_owner[slot] == port) for port in redis_cluster.current_primaries()}
    reset_stats(redis_cluster)
    with count_round_trips(cluster_store) as trips:
        assert read(cluster_store, ids) == reference.expected(ids)
    assert trips == [3]  # one packed write per primary
    assert calls_per_node(redis_cluster, "mget") == expected  # the two views of an entity share a slot

    reset_stats(redis_cluster)
    with count_round_trips(cluster_store) as trips:
        assert read(cluster_store, [42]) == reference.expected([42])
    assert trips == [1] and sum(calls_per_node(redis_cluster, "mget").values()) == 1

    names = stored_names(cluster_store, [ORDERS, PROFILE], ids)
    reset_stats(redis_cluster)
    assert asyncio.run(_async_read(cluster_store, names)) == 200  # the server's reader does the same
    assert calls_per_node(redis_cluster, "mget") == expected


def test_a_write_is_one_script_call_per_slot_and_one_round_trip_per_node(cluster_store, redis_cluster):
    reference = Reference()
    ids = list(range(200))
    fill(cluster_store, reference, ids, 1, "s")  # loads the script on every primary
    slot_owner = owners(redis_cluster)
    slots = slots_of(redis_cluster, stored_names(cluster_store, [ORDERS], ids))
    expected = {port: sum(1 for slot in set(slots) if slot_owner[slot] == port)
                for port in redis_cluster.current_primaries()}
    reset_stats(redis_cluster)
    rows = [{"customer_id": k, "event": at(2), "items": -k} for k in ids]
    with count_round_trips(cluster_store) as trips:
        assert reference.write(cluster_store, ORDERS, rows) == 200
    assert trips == [3]
    assert calls_per_node(redis_cluster, "evalsha") == expected
    assert read(cluster_store, ids) == reference.expected(ids)


def test_newer_wins_within_one_slot_and_across_slots(cluster_store):
    reference = Reference()
    fill(cluster_store, reference, range(20), 5, "new")
    fill(cluster_store, reference, range(10, 30), 3, "old")  # older for 10..19: kept out; new for 20..29
    assert read(cluster_store, list(range(30))) == reference.expected(list(range(30)))
    assert read(cluster_store, [12])["segment"] == ["new12"]


def test_a_slot_moved_mid_use_loses_nothing(cluster_store, redis_cluster):
    """A slot half moved (ASK, and TRYAGAIN for a call on both of its keys), then moved (MOVED)."""
    reference = Reference()
    ids = list(range(50))
    fill(cluster_store, reference, ids, 1, "s")
    orders_key, profile_key = stored_names(cluster_store, [ORDERS, PROFILE], [7])
    [slot] = set(slots_of(redis_cluster, [orders_key, profile_key]))
    source = owners(redis_cluster)[slot]
    target = next(port for port in redis_cluster.current_primaries() if port != source)
    source_id, target_id = (node(port).execute_command("CLUSTER MYID").decode() for port in (source, target))
    node(target).execute_command("CLUSTER SETSLOT", slot, "IMPORTING", source_id)
    node(source).execute_command("CLUSTER SETSLOT", slot, "MIGRATING", target_id)
    try:
        node(source).migrate("127.0.0.1", target, orders_key, 0, 5000)  # one of the slot's two keys
        assert read(cluster_store, ids) == reference.expected(ids)
        assert asyncio.run(_async_read(cluster_store, [orders_key, profile_key])) == 2
        fill(cluster_store, reference, [7, 8], 2, "half")
        assert read(cluster_store, ids) == reference.expected(ids)
        both = Batches()  # one write holding both keys of the slot: TRYAGAIN, then key by key
        fill(both, reference, [7], 2.5, "both")
        assert cluster_store.write(both.joined()) == 2
        assert read(cluster_store, ids) == reference.expected(ids)
    finally:
        left = node(source).execute_command("CLUSTER GETKEYSINSLOT", slot, 1000)
        if left:
            node(source).execute_command("MIGRATE", "127.0.0.1", target, "", 0, 5000, "KEYS", *left)
        for port in redis_cluster.current_primaries():
            node(port).execute_command("CLUSTER SETSLOT", slot, "NODE", target_id)
    redis_cluster.wait_ok()
    assert owners(redis_cluster)[slot] == target
    assert read(cluster_store, ids) == reference.expected(ids)  # the store's slot map is stale: MOVED
    with count_round_trips(cluster_store) as trips:
        assert read(cluster_store, ids) == reference.expected(ids)
    assert trips == [3]  # the MOVED corrected the slot map: no redirection any more
    fill(cluster_store, reference, ids, 3, "moved")
    assert read(cluster_store, ids) == reference.expected(ids)
    assert node(target).exists(orders_key, profile_key) == 2
    assert node(source).execute_command("CLUSTER COUNTKEYSINSLOT", slot) == 0


class Batches:
    """Collects what ``write_rows`` would write, to send it as one batch."""

    project = "test"

    def __init__(self) -> None:
        self.batches: list[WriteBatch] = []

    def write(self, batch: WriteBatch) -> int:
        self.batches.append(batch)
        return len(batch)

    def joined(self) -> WriteBatch:
        return WriteBatch([k for b in self.batches for k in b.keys], [v for b in self.batches for v in b.values])


async def _async_read(store, names: list[str]) -> int:
    reader = store.async_reader(5.0)
    try:
        found = await reader.read([name.removeprefix(store.key_prefix) for name in names])
        return len(found)
    finally:
        reader.close()


def test_a_failover_mid_use_loses_nothing(cluster_store, redis_cluster):
    """The replica takes over its primary's slots; the blocking store and an async reader opened
    before keep reading and writing the right values; then the old primary takes them back."""
    reference = Reference()
    ids = list(range(100))
    fill(cluster_store, reference, ids, 1, "s")
    old_primary, replica = redis_cluster.primaries[0], redis_cluster.replica
    node(old_primary).execute_command("WAIT", 1, 5000)  # the replica has every write before it takes over
    names = stored_names(cluster_store, [ORDERS], ids)

    async def around_failover() -> tuple[int, int]:
        reader = cluster_store.async_reader(5.0)
        try:
            before = len(await reader.read([name.removeprefix(cluster_store.key_prefix) for name in names]))
            await asyncio.to_thread(redis_cluster.failover, replica)
            after = await reader.read([name.removeprefix(cluster_store.key_prefix) for name in names])
            return before, len(after)
        finally:
            reader.close()

    try:
        assert asyncio.run(around_failover()) == (100, 100)
        assert redis_cluster.role(old_primary) == "slave" and replica in redis_cluster.current_primaries()
        assert read(cluster_store, ids) == reference.expected(ids)
        fill(cluster_store, reference, ids, 2, "after")
        assert read(cluster_store, ids) == reference.expected(ids)
        owned = {owners(redis_cluster)[slot] for slot in slots_of(redis_cluster, names)}
        assert replica in owned and old_primary not in owned
    finally:
        if redis_cluster.role(old_primary) != "master":
            node(replica).execute_command("WAIT", 1, 5000)
            redis_cluster.failover(old_primary)
    assert read(cluster_store, ids) == reference.expected(ids)


def test_a_cluster_that_does_not_answer_is_an_online_store_error():
    from tests.redis_cluster import free_ports
    from virtualfs.errors import OnlineStoreError

    [port] = free_ports(1)
    store = RedisClusterOnlineStore([f"127.0.0.1:{port}"], project="test")  # opening does not connect
    with pytest.raises(OnlineStoreError, match=f"redis cluster 127.0.0.1:{port}: ping failed"):
        store.ping()
    with pytest.raises(OnlineStoreError, match="read failed"):
        asyncio.run(_async_read(store, ["test:x#00000000:{1}"]))


def test_config_opens_the_cluster_store(redis_cluster, tmp_path):
    from virtualfs.config import parse_config
    from virtualfs.online import open_online_store

    raw = {"project": "shop", "online": {"type": "redis", "cluster": True, "nodes": redis_cluster.nodes[:1],
                                         "key_prefix": "vfs_cfg:"}}
    store = open_online_store(parse_config(raw, tmp_path).online, "shop")
    try:
        assert isinstance(store, RedisClusterOnlineStore) and store.key_prefix == "vfs_cfg:"
        store.ping()  # one node given; the others found through it
        view = dataclasses.replace(ORDERS, name="config_check")
        assert write_view_rows(store, view, [{"customer_id": k, "event": at(0)} for k in range(30)]) == 30
        assert len(store.client.get_primaries()) == 3
    finally:
        for part in store.key_prefixes("shop"):
            store.delete_prefix(part)
        store.close()


def test_a_primary_that_dies_is_replaced_by_its_replica_and_nothing_is_lost(cluster_store, redis_cluster):
    """SIGKILL a primary: until its replica takes over a read raises OnlineStoreError or answers right;
    after, the same store reads and writes right; the dead node comes back as a replica."""
    from virtualfs.errors import OnlineStoreError

    reference = Reference()
    ids = list(range(100))
    fill(cluster_store, reference, ids, 1, "s")
    dead, replica = redis_cluster.primaries[0], redis_cluster.replica
    assert redis_cluster.role(dead) == "master"
    node(dead).execute_command("WAIT", 1, 5000)  # replication is asynchronous: the replica has it all first
    redis_cluster.kill(dead)
    try:
        answers = []
        deadline = time.monotonic() + 30
        while not answers or answers[-1] is None:
            assert time.monotonic() < deadline, "no read answered within 30 s of the primary dying"
            try:
                answers.append(read(cluster_store, ids))
            except OnlineStoreError:
                answers.append(None)
        assert all(answer == reference.expected(ids) for answer in answers if answer is not None)
        assert redis_cluster.role(replica) == "master"
        fill(cluster_store, reference, ids, 2, "after")
        assert read(cluster_store, ids) == reference.expected(ids)
    finally:
        redis_cluster.start_node(dead)
        redis_cluster.wait(f"{dead} back as replica", lambda: redis_cluster.role(dead) == "slave")
        redis_cluster.failover(dead)
    assert read(cluster_store, ids) == reference.expected(ids)
