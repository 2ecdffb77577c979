"""RedisClusterAsyncReader: a Redis Cluster store's reads for an asyncio server.

redis-py's asyncio cluster client, with the blocking store's read (``online.redis_cluster``): one
``MGET`` per slot, each node's in one pipelined write, the nodes asked concurrently. It keeps its
own slot map, follows ``MOVED``/``ASK`` and refreshes the map after a failover, as the blocking
client does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException

from virtualfs.errors import OnlineStoreError
from virtualfs.online.redis_cluster import half_moved, slot_groups


class RedisClusterAsyncReader:
    """``read`` and ``ping`` of a RedisClusterOnlineStore, as coroutines.

    Deadlines are the caller's (``asyncio.timeout``): the reader itself only bounds connecting.
    """

    def __init__(self, nodes: Sequence[tuple[str, int]], address: str, password: str | None = None,
                 key_prefix: str = "", connect_timeout: float = 2.0) -> None:
        self.nodes, self.address, self.key_prefix = tuple(nodes), address, key_prefix
        self.password, self.connect_timeout = password, connect_timeout
        self._client: RedisCluster | None = None
        self._closing: set[asyncio.Task] = set()

    def _connected(self) -> RedisCluster:
        # made in the event loop that reads: the client's connections belong to that loop
        if self._client is None:
            self._client = RedisCluster(
                startup_nodes=[ClusterNode(host, port) for host, port in self.nodes],
                password=self.password, socket_connect_timeout=self.connect_timeout,
            )
        return self._client

    async def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """One ``MGET`` per slot, one round trip per node; absent keys are left out."""
        if not keys:
            return {}
        prefix = self.key_prefix
        names = [(prefix + key).encode() for key in keys]
        found: dict[str, bytes] = {}
        try:
            replies = await self._mgets(names, slot_groups(names))
        except (redis.RedisError, RedisClusterException, OSError) as error:
            raise self._error("read", error) from None
        for group, reply in replies:
            if isinstance(reply, Exception):
                raise self._error("read", reply)
            for index, value in zip(group, reply, strict=True):
                if value is not None:
                    found[keys[index]] = value
        return found

    async def _mgets(self, names: list[bytes], groups: list[list[int]]) -> list[tuple]:
        """(group, reply) of one MGET per group, as the blocking store's ``_send``."""
        pipe = self._connected().pipeline(transaction=False)
        for group in groups:
            pipe.execute_command("MGET", *(names[i] for i in group))
        replies = list(zip(groups, await pipe.execute(raise_on_error=False), strict=True))
        again = [[index] for group, reply in replies if half_moved(group, reply) for index in group]
        if not again:
            return replies
        return [(g, r) for g, r in replies if not half_moved(g, r)] + await self._mgets(names, again)

    async def ping(self) -> None:
        """Raise OnlineStoreError naming the cluster when a primary does not answer."""
        try:
            await self._connected().ping(target_nodes=RedisCluster.PRIMARIES)
        except (redis.RedisError, RedisClusterException, OSError) as error:
            raise self._error("ping", error) from None

    def close(self) -> None:
        """Close the connections (in the running loop, if there is one); a later read reconnects."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            task = asyncio.get_running_loop().create_task(client.aclose())
        except RuntimeError:  # no loop runs any more: the sockets close with the client
            return
        self._closing.add(task)  # a task nobody references may be collected before it runs
        task.add_done_callback(self._closing.discard)

    def _error(self, action: str, error: object) -> OnlineStoreError:
        return OnlineStoreError(f"redis online store {self.address}: {action} failed: {error or 'no answer'}")
