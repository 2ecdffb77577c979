"""RedisAsyncReader: the Redis store's reads for an asyncio server, never blocking its event loop.

One connection per reader; ``MGET`` and ``PING`` are written to it as they come and their replies,
which Redis sends in the same order, are parsed by hiredis and handed to the waiting callers. A
caller that stops waiting (a deadline) leaves its reply to be read and dropped, so the order holds.
This costs less CPU per read than redis-py's blocking client, and a Redis that stops answering
holds up only the requests waiting for it. Bytes on the wire are the same ``MGET`` the store sends.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import hiredis

from virtualfs.errors import OnlineStoreError
from virtualfs.online.redis import pack_command

PING = pack_command([b"PING"])


@dataclass(frozen=True)
class RedisTarget:
    """Where and how to connect: a TCP address or a unix socket, credentials, database, TLS."""

    address: str  # for errors: redis://host:port/db, never the password
    host: str = "127.0.0.1"
    port: int = 6379
    path: str | None = None
    db: int = 0
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: ssl.SSLContext | None = None


class _Replies(asyncio.Protocol):
    """One connection: commands go out in order and each reply settles the oldest waiting future."""

    def __init__(self) -> None:
        self.parser = hiredis.Reader()
        self.waiting: deque[asyncio.Future] = deque()
        self.transport: asyncio.Transport | None = None
        self.lost: str | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.parser.feed(data)
        try:
            reply = self.parser.gets()
            while reply is not False:
                waiter = self.waiting.popleft()
                if not waiter.done():  # done: its caller stopped waiting
                    waiter.set_result(reply)
                reply = self.parser.gets()
        except hiredis.ProtocolError as error:
            self.transport.close()  # type: ignore[union-attr]
            self.connection_lost(error)

    def connection_lost(self, error: Exception | None) -> None:
        self.lost = str(error) if error else "the server closed the connection"
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_exception(ConnectionError(self.lost))

    def call(self, payload: bytes) -> asyncio.Future:
        """Send one packed command; the future gets its reply (a ReplyError is a value)."""
        waiter = asyncio.get_running_loop().create_future()
        self.transport.write(payload)  # type: ignore[union-attr]
        self.waiting.append(waiter)
        return waiter

    def call_many(self, payloads: Sequence[bytes]) -> list[asyncio.Future]:
        """Send packed commands in one write; a future per command gets its reply."""
        loop = asyncio.get_running_loop()
        waiters = [loop.create_future() for _ in payloads]
        self.transport.write(b"".join(payloads))  # type: ignore[union-attr]
        self.waiting.extend(waiters)
        return waiters


class RedisAsyncReader:
    """``read`` and ``ping`` of a RedisOnlineStore, as coroutines on one pipelined connection.

    Deadlines are the caller's (``asyncio.timeout``): the reader itself only bounds connecting.
    """

    def __init__(self, target: RedisTarget, key_prefix: str = "", connect_timeout: float = 2.0) -> None:
        self.target, self.key_prefix, self.connect_timeout = target, key_prefix.encode(), connect_timeout
        self._connection: _Replies | None = None
        self._connecting: asyncio.Task | None = None

    async def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """One ``MGET`` for every key; absent keys are left out."""
        if not keys:
            return {}
        prefix = self.key_prefix
        values = await self._call(pack_command([b"MGET", *(prefix + key.encode() for key in keys)]), "read")
        return {key: value for key, value in zip(keys, values, strict=True) if value is not None}

    async def ping(self) -> None:
        """Raise OnlineStoreError naming the server when it does not answer."""
        await self._call(PING, "ping")

    def close(self) -> None:
        """Close the connection; callers still waiting get an OnlineStoreError."""
        self._drop(self._connection)

    def _drop(self, connection: _Replies | None) -> None:
        if connection is not None and connection.transport is not None:
            connection.transport.close()
        if self._connection is connection:
            self._connection = None

    async def _call(self, payload: bytes, action: str) -> object:
        [reply] = await self.call_many([payload], action)
        if isinstance(reply, hiredis.ReplyError):
            raise self._error(action, reply)
        return reply

    async def call_many(self, payloads: Sequence[bytes], action: str) -> list:
        """Packed commands in one write; their replies in order, an error reply as a ReplyError
        value. A connection that fails or cannot be made is an OnlineStoreError."""
        connection = self._connection
        try:
            if connection is None or connection.lost is not None:
                connection = await self._connected()
            if len(payloads) == 1:
                return [await connection.call(payloads[0])]
            replies = await asyncio.gather(*connection.call_many(payloads), return_exceptions=True)
            lost = next((reply for reply in replies if isinstance(reply, OSError)), None)
            if lost is not None:
                raise lost
            return replies
        except (OSError, asyncio.TimeoutError) as error:  # ConnectionError is an OSError
            raise self._error(action, str(error) or "no answer while connecting") from None
        except asyncio.CancelledError:
            # The caller's deadline passed: the connection may be dead without knowing it (a
            # network partition only ends it after minutes), so the next call starts a new one.
            self._drop(connection)
            raise

    async def _connected(self) -> _Replies:
        # One connection attempt at a time, shared: a caller giving up must not cancel it for the rest.
        if self._connecting is None:
            self._connecting = asyncio.get_running_loop().create_task(self._connect())
            self._connecting.add_done_callback(self._connected_or_failed)
        return await asyncio.shield(self._connecting)

    def _connected_or_failed(self, task: asyncio.Task) -> None:
        self._connecting = None
        if not task.cancelled() and task.exception() is None:
            self._connection = task.result()

    async def _connect(self) -> _Replies:
        return await asyncio.wait_for(self._open(), self.connect_timeout)

    async def _open(self) -> _Replies:
        loop, target = asyncio.get_running_loop(), self.target
        if target.path is not None:
            _, connection = await loop.create_unix_connection(_Replies, target.path)
        else:
            _, connection = await loop.create_connection(_Replies, target.host, target.port, ssl=target.tls)
        try:
            for command in _handshake(target):
                reply = await connection.call(pack_command(command))
                if isinstance(reply, hiredis.ReplyError):
                    raise OnlineStoreError(f"redis online store {target.address}: {command[0].decode()} "
                                           f"failed: {reply}")
        except BaseException:
            connection.transport.close()  # type: ignore[union-attr]
            raise
        return connection

    def _error(self, action: str, error: object) -> OnlineStoreError:
        return OnlineStoreError(f"redis online store {self.target.address}: {action} failed: {error}")


def _handshake(target: RedisTarget) -> list[list[bytes]]:
    """The commands a new connection sends first: AUTH when there is a password, SELECT but for db 0."""
    commands = []
    if target.password is not None:
        user = [target.username.encode()] if target.username else []
        commands.append([b"AUTH", *user, target.password.encode()])
    if target.db:
        commands.append([b"SELECT", str(target.db).encode()])
    return commands
