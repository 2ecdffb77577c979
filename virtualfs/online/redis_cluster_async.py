"""RedisClusterAsyncReader: a Redis Cluster store's reads for an asyncio server.

The blocking store's read (``online.redis_cluster``) without blocking the event loop: one ``MGET``
per slot, each node's written at once on a pipelined connection of the reader's own per node
(``online.redis_async``), all nodes asked concurrently. redis-py's asyncio cluster client keeps
the slot map; a call a node redirects (``MOVED``, ``ASK``), cannot run yet or does not answer goes
again through that client's pipeline, which follows redirections and refreshes the map after a
failover. redis-py's pipeline alone costs ~15 µs of Python per command on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import hiredis
import redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.exceptions import RedisClusterException

from virtualfs.errors import OnlineStoreError
from virtualfs.online.redis import pack_command
from virtualfs.online.redis_async import RedisAsyncReader, RedisTarget
from virtualfs.online.redis_cluster import NO_REPLY, groups_by_node, half_moved, slot_groups


class RedisClusterAsyncReader:
    """``read`` and ``ping`` of a RedisClusterOnlineStore, as coroutines.

    Deadlines are the caller's (``asyncio.timeout``): the reader itself only bounds connecting.
    """

    def __init__(self, nodes: Sequence[tuple[str, int]], address: str, password: str | None = None,
                 key_prefix: str = "", connect_timeout: float = 2.0) -> None:
        self.nodes, self.address, self.key_prefix = tuple(nodes), address, key_prefix
        self.password, self.connect_timeout = password, connect_timeout
        self._client: RedisCluster | None = None
        self._readers: dict[str, RedisAsyncReader] = {}
        self._closing: set[asyncio.Task] = set()

    async def _connected(self) -> RedisCluster:
        # made in the event loop that reads: the client's connections belong to that loop
        if self._client is None:
            self._client = RedisCluster(
                startup_nodes=[ClusterNode(host, port) for host, port in self.nodes],
                password=self.password, socket_connect_timeout=self.connect_timeout,
            )
        return await self._client.initialize()  # at once when it has a slot map and no refresh is due

    async def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """One ``MGET`` per slot, one round trip per node; absent keys are left out."""
        if not keys:
            return {}
        prefix = self.key_prefix
        names = [(prefix + key).encode() for key in keys]
        groups = slot_groups(names)
        found: dict[str, bytes] = {}
        try:
            replies = list(zip(groups, await self._direct(names, groups), strict=True))
            again = [group for group, reply in replies if _resend(reply)]
            done = [(group, reply) for group, reply in replies if not _resend(reply)]
            if again:
                done += await self._pipeline(names, again)
        except (redis.RedisError, RedisClusterException, OSError) as error:
            raise self._error("read", error) from None
        for group, reply in done:
            if isinstance(reply, Exception):
                raise self._error("read", reply)
            for index, value in zip(group, reply, strict=True):
                if value is not None:
                    found[keys[index]] = value
        return found

    async def _direct(self, names: list[bytes], groups: list[list[int]]) -> list:
        """Each node's MGETs on the reader's own connection to it; NO_REPLY where it failed."""
        client = await self._connected()
        replies: list = [NO_REPLY] * len(groups)
        by_node = groups_by_node(client, names, groups)
        if by_node is None:
            return replies

        async def ask(node: ClusterNode, positions: list[int]) -> None:
            payloads = [pack_command([b"MGET", *(names[i] for i in groups[p])]) for p in positions]
            try:
                answers = await self._reader_of(node).call_many(payloads, "read")
            except OnlineStoreError:  # the node does not answer: the pipeline refreshes the map
                return
            for position, answer in zip(positions, answers, strict=True):
                replies[position] = answer

        await asyncio.gather(*(ask(node, positions) for node, positions in by_node.values()))
        return replies

    def _reader_of(self, node: ClusterNode) -> RedisAsyncReader:
        reader = self._readers.get(node.name)
        if reader is None:
            target = RedisTarget(f"{self.address} (primary {node.name})", host=node.host, port=node.port,
                                 password=self.password)
            reader = self._readers[node.name] = RedisAsyncReader(target, connect_timeout=self.connect_timeout)
        return reader

    async def _pipeline(self, names: list[bytes], groups: list[list[int]]) -> list[tuple]:
        """(group, reply) of one MGET per group through redis-py's pipeline, as the blocking
        store's ``_send_pipeline``."""
        pipe = (await self._connected()).pipeline(transaction=False)
        for group in groups:
            pipe.execute_command("MGET", *(names[i] for i in group))
        replies = list(zip(groups, await pipe.execute(raise_on_error=False), strict=True))
        again = [[index] for group, reply in replies if half_moved(group, reply) for index in group]
        if not again:
            return replies
        return [(g, r) for g, r in replies if not half_moved(g, r)] + await self._pipeline(names, again)

    async def ping(self) -> None:
        """Raise OnlineStoreError naming the cluster and the primary that does not answer. Each
        primary is pinged on the connection reads use: a server's warm-up opens them."""
        try:
            primaries = (await self._connected()).get_primaries()
        except (redis.RedisError, RedisClusterException, OSError) as error:
            raise self._error("ping", error) from None
        await asyncio.gather(*(self._reader_of(node).ping() for node in primaries))

    def close(self) -> None:
        """Close the connections (in the running loop, if there is one); a later read reconnects."""
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()
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


def _resend(reply: object) -> bool:
    """No reply, or an error reply (a redirection, TRYAGAIN): redis-py's pipeline sends it again
    and, for a redirection, corrects its slot map."""
    return reply is NO_REPLY or isinstance(reply, hiredis.ReplyError)
