"""RedisClusterOnlineStore: the Redis store on a Redis Cluster (``online: {type: redis, cluster: true}``).

Keys, values and the newer-wins script are the single-node store's (``online.redis``). A cluster
runs a multi-key command or script only when all its keys hash to one slot, so every call here
holds the keys of one slot: reads are one ``MGET`` per slot, writes one script call per slot (and
per ``KEYS_PER_CALL`` keys). A key's hash tag is its entity (``online.keys``), so one entity's
views share a slot and a single-entity read is one ``MGET`` on one node. Each node's calls are
packed and written at once, and all nodes are written before any reply is read: **one round trip
per node, not per key or slot**. redis-py's cluster client keeps the slot map, and what a node
redirects (``MOVED``, ``ASK``), cannot run yet or does not answer (a failover) goes again through
its pipeline, which follows redirections and refreshes the map; newer-wins makes a resent write
harmless.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import redis
from redis.cluster import ClusterNode, RedisCluster
from redis.crc import key_slot
from redis.exceptions import (
    AskError,
    ClusterDownError,
    ClusterError,
    NoScriptError,
    RedisClusterException,
    TryAgainError,
)

from virtualfs.config import parse_redis_node
from virtualfs.errors import OnlineStoreError
from virtualfs.online.base import WriteBatch
from virtualfs.online.redis import (
    KEYS_PER_CALL,
    NEWER_WINS,
    ScannedKeys,
    milliseconds,
    pack_command,
    read_reply,
    take_connection,
)

if TYPE_CHECKING:
    from virtualfs.online.redis_cluster_async import RedisClusterAsyncReader

SCRIPT_SHA = hashlib.sha1(NEWER_WINS.encode()).hexdigest().encode()  # noqa: S324 (Redis names scripts by SHA-1)
NO_REPLY = object()  # a call the direct path could not send or read
Call = Callable[[list[int]], list[bytes]]  # a group of positions -> the command for them


class RedisClusterOnlineStore(ScannedKeys):
    """Latest values in a Redis Cluster, one string key per (project, view, entity)."""

    name = "redis"

    def __init__(self, nodes: Sequence[str], password: str | None = None, key_prefix: str = "",
                 project: str = "default") -> None:
        self.nodes = tuple(parse_redis_node(node, "redis cluster node") for node in nodes)
        if not self.nodes:
            raise OnlineStoreError("redis cluster online store: no nodes given; expected host:port")
        self.password, self.key_prefix, self.project = password, key_prefix, project
        self.address = "redis cluster " + ",".join(f"{host}:{port}" for host, port in self.nodes)
        self._client: RedisCluster | None = None
        self._making = threading.Lock()

    @classmethod
    def from_config(cls, options: Mapping[str, object], project: str) -> RedisClusterOnlineStore:
        return cls(options["nodes"], password=options.get("password"),  # type: ignore[arg-type]
                   key_prefix=str(options.get("key_prefix", "")), project=project)

    @property
    def client(self) -> RedisCluster:
        """The cluster client, made on first use: making it asks a node for the slot map, and a
        cluster that is down must fail a read (OnlineStoreError), not opening the store."""
        with self._making:  # one client, also when threads (reads, read-through writes) start together
            if self._client is None:  # every caller is inside ``_errors``, naming its action
                self._client = RedisCluster(
                    startup_nodes=[ClusterNode(host, port) for host, port in self.nodes],
                    password=self.password, socket_timeout=5, socket_connect_timeout=2,
                )
        return self._client

    def write(self, batch: WriteBatch) -> int:
        """Newer-wins script calls, one per slot of the batch's keys, one round trip per node;
        return how many keys changed. A primary without the script (new after a failover,
        restarted) gets it and its calls are resent, which newer-wins makes harmless."""
        if not len(batch):
            return 0
        px = b"%d" % milliseconds(batch.expire_after)
        prefix = self.key_prefix
        keys = [(prefix + key).encode() for key in batch.keys]

        def call(group: list[int]) -> list[bytes]:
            return [b"EVALSHA", SCRIPT_SHA, b"%d" % len(group), *(keys[i] for i in group), px,
                    *(batch.values[i] for i in group)]

        with self._errors("write"):
            replies = self._send(keys, slot_groups(keys, KEYS_PER_CALL), call)
            lost = [group for group, reply in replies if isinstance(reply, NoScriptError)]
            if lost:
                self.client.script_load(NEWER_WINS)  # on every primary
                replies = [(g, r) for g, r in replies if not isinstance(r, NoScriptError)]
                replies += self._send(keys, lost, call)
        return sum(self._checked("write", reply) for _, reply in replies)

    def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """One ``MGET`` per slot, all in one round trip per node; absent keys are left out."""
        if not keys:
            return {}
        prefix = self.key_prefix
        names = [(prefix + key).encode() for key in keys]

        def call(group: list[int]) -> list[bytes]:
            return [b"MGET", *(names[i] for i in group)]

        with self._errors("read"):
            replies = self._send(names, slot_groups(names), call)
        found: dict[str, bytes] = {}
        for group, reply in replies:
            for index, value in zip(group, self._checked("read", reply), strict=True):
                if value is not None:
                    found[keys[index]] = value
        return found

    def _send(self, names: Sequence[bytes], groups: list[list[int]], call: Call) -> list[tuple]:
        """(group, reply) of ``call(group)`` for each group of ``names`` (one slot's positions).

        Each node's calls are packed here and written to it at once, then every node's replies
        are read: one round trip per node, the nodes working in parallel (redis-py's own pipeline
        costs ~10 µs of Python per call, more than Redis takes to run it). A call the node
        redirects (MOVED, ASK), cannot run yet (TRYAGAIN, CLUSTERDOWN) or does not answer (a
        failover) goes again through redis-py's cluster pipeline, which follows redirections and
        refreshes the slot map; newer-wins makes a resent write harmless.
        """
        replies = self._send_direct(names, groups, call)
        again = [group for group, reply in zip(groups, replies, strict=True) if _resend(reply)]
        done = [(group, reply) for group, reply in zip(groups, replies, strict=True) if not _resend(reply)]
        return done + self._send_pipeline(again, call) if again else done

    def _send_direct(self, names: Sequence[bytes], groups: list[list[int]], call: Call) -> list:
        client = self.client
        replies: list = [NO_REPLY] * len(groups)
        by_node = groups_by_node(client, names, groups)
        if by_node is None:
            return replies
        taken = []
        try:
            for node, positions in by_node.values():
                pool = client.get_redis_connection(node).connection_pool
                connection = take_connection(pool)
                taken.append((pool, connection, positions))
                # one buffer: redis-py writes each item of a list with a system call of its own
                connection.send_packed_command([b"".join([pack_command(call(groups[p])) for p in positions])])
            for _, connection, positions in taken:
                for position in positions:
                    replies[position] = read_reply(connection)
        except BaseException as error:
            for _, connection, _ in taken:
                connection.disconnect()  # unread replies would confuse the next user of the connection
            if not isinstance(error, (redis.ConnectionError, redis.TimeoutError)):
                raise
        finally:
            for pool, connection, _ in taken:
                pool.release(connection)
        return replies

    def _send_pipeline(self, groups: list[list[int]], call: Call) -> list[tuple]:
        """(group, reply) through redis-py's cluster pipeline; a call on a half-moved slot
        (``half_moved``) is sent again key by key."""
        pipe = self.client.pipeline(transaction=False)
        for group in groups:
            name, *args = call(group)
            pipe.execute_command(name.decode(), *args)  # redis-py routes by the command's name as text
        replies = list(zip(groups, pipe.execute(raise_on_error=False), strict=True))
        again = [[index] for group, reply in replies if half_moved(group, reply) for index in group]
        if not again:
            return replies
        return [(g, r) for g, r in replies if not half_moved(g, r)] + self._send_pipeline(again, call)

    def _checked(self, action: str, reply: object):
        if isinstance(reply, Exception):
            raise OnlineStoreError(f"redis online store {self.address}: {action} failed: {reply}")
        return reply

    def ping(self) -> None:
        """Raise OnlineStoreError naming the cluster when a primary does not answer."""
        with self._errors("ping"):
            self.client.ping(target_nodes=RedisCluster.PRIMARIES)

    def async_reader(self, deadline: float) -> RedisClusterAsyncReader:
        """Reads for an asyncio event loop (the feature server) on a cluster client of their own."""
        from virtualfs.online.redis_cluster_async import RedisClusterAsyncReader

        return RedisClusterAsyncReader(self.nodes, self.address, password=self.password,
                                       key_prefix=self.key_prefix)

    def close(self) -> None:
        """Release the connections to every node; the values stay in the cluster."""
        if self._client is not None:
            self._client.close()
            self._client = None

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except (redis.RedisError, RedisClusterException) as error:
            raise OnlineStoreError(
                f"redis online store {self.address}: {action} failed: {error}"
            ) from None


def groups_by_node(client: Any, names: Sequence[bytes], groups: list[list[int]]
                   ) -> dict[str, tuple[Any, list[int]]] | None:
    """The positions of ``groups`` each primary serves, by node name, as the client's slot map
    says (a blocking or an asyncio ``RedisCluster``); None when a slot has no known node, which
    the pipeline path then finds out about."""
    by_node: dict[str, tuple[Any, list[int]]] = {}
    try:
        for position, group in enumerate(groups):
            node = client.get_node_from_key(names[group[0]])
            by_node.setdefault(node.name, (node, []))[1].append(position)
    except RedisClusterException:
        return None
    return by_node


def slot_groups(names: Sequence[bytes], most: int | None = None) -> list[list[int]]:
    """The positions of ``names`` grouped by hash slot, in groups of at most ``most``.

    >>> slot_groups([b"a{1}", b"b{2}", b"c{1}"]), slot_groups([b"a{1}", b"c{1}"], most=1)
    ([[0, 2], [1]], [[0], [1]])
    """
    by_slot: dict[int, list[int]] = {}
    for index, name in enumerate(names):
        by_slot.setdefault(key_slot(name), []).append(index)
    if most is None:
        return list(by_slot.values())
    return [group[start:start + most] for group in by_slot.values() for start in range(0, len(group), most)]


def _resend(reply: object) -> bool:
    """Whether the direct path leaves a call to redis-py's pipeline: no reply, or a redirection."""
    # MovedError is an AskError
    return reply is NO_REPLY or isinstance(reply, (AskError, TryAgainError, ClusterDownError))


def half_moved(group: list[int], reply: object) -> bool:
    """Whether a call on several keys failed as one whose slot is half moved: TRYAGAIN (some keys
    moved, some not yet), or redis-py's plain ClusterError after retrying TRYAGAIN (or redirections)
    until its TTL ran out. Key by key, each key follows its own ASK."""
    return len(group) > 1 and (isinstance(reply, TryAgainError) or type(reply) is ClusterError)
