"""RedisClusterAsyncReader: a Redis Cluster store's reads for an asyncio server.

redis-py's asyncio cluster client, with the blocking store's read: one ``MGET`` per slot, each
node's in one pipelined write, the nodes asked concurrently. It keeps its own slot map, follows
``MOVED``/``ASK`` and refreshes the map after a failover, as the blocking client does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException

from virtualfs.errors import OnlineStoreError


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
        names = [prefix + key for key in keys] if prefix else keys
        try:
            values = await self._connected().mget_nonatomic(names)
        except (redis.RedisError, RedisClusterException, OSError) as error:
            raise self._error("read", error) from None
        return {key: value for key, value in zip(keys, values, strict=True) if value is not None}

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
