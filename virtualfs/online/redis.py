"""RedisOnlineStore: production serving. redis-py is imported here and nowhere else.

Each key holds one encoded row (``online.codec``). Writes go through a small Lua script that
compares the (event, created) header bytes of the new and the stored value, so concurrent,
overlapping or out-of-order materializations can never replace a newer row with an older one;
each script call is atomic, so a killed writer leaves every key with its old or its new value.
Reads are one ``MGET``. Keys carry the entity in a ``{hash tag}`` (see ``online.keys``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import redis

from virtualfs.errors import OnlineStoreError
from virtualfs.online.base import WriteBatch
from virtualfs.online.keys import check_part_prefix, prefix_of

if TYPE_CHECKING:
    from virtualfs.online.redis_async import RedisAsyncReader, RedisTarget

# ARGV[1]: expiry in ms (0: none); ARGV[i + 1]: the value of KEYS[i]. Returns keys written.
# Bytes 2..17 of a value are its (event, created) times, order-preserving, so comparing them as
# four big-endian words compares the times (Lua's '<' on strings would follow the locale).
# SET NX GET (Redis >= 7) writes an absent key and returns a present one in one call.
NEWER_WINS = """
local function compare(a, b)
  local a1, a2, a3, a4 = struct.unpack('>I4I4I4I4', a, 2)
  local b1, b2, b3, b4 = struct.unpack('>I4I4I4I4', b, 2)
  if a1 ~= b1 then return a1 > b1 and 1 or -1 end
  if a2 ~= b2 then return a2 > b2 and 1 or -1 end
  if a3 ~= b3 then return a3 > b3 and 1 or -1 end
  if a4 ~= b4 then return a4 > b4 and 1 or -1 end
  return 0
end
local px = tonumber(ARGV[1])
local changed = 0
for i, key in ipairs(KEYS) do
  local new = ARGV[i + 1]
  local old
  if px > 0 then
    old = redis.call('SET', key, new, 'PX', px, 'NX', 'GET')
  else
    old = redis.call('SET', key, new, 'NX', 'GET')
  end
  if not old then
    changed = changed + 1
  else
    local order = compare(new, old)
    if order > 0 or (order == 0 and px == 0 and redis.call('PTTL', key) > 0) then
      if px > 0 then
        redis.call('SET', key, new, 'PX', px)
      else
        redis.call('SET', key, new)
      end
      changed = changed + 1
    end
  end
end
return changed
"""
KEYS_PER_CALL = 500  # one script call is atomic and blocks Redis (~1 ms here): keep each short
SCAN_COUNT = 1000  # keys SCAN looks at per call: each call blocks Redis briefly, like a script call
GLOB_SPECIAL = str.maketrans({c: "\\" + c for c in "\\*?[]^-"})


class ScannedKeys:
    """What a Redis store (single node or cluster) finds by walking its key space: SCAN, never
    KEYS, so Redis keeps serving reads meanwhile (on a cluster redis-py scans every primary and
    splits each UNLINK by slot). Needs ``client``, ``key_prefix`` and ``_errors(action)``."""

    client: Any
    key_prefix: str

    def key_prefixes(self, project: str) -> dict[str, int]:
        """Part prefixes of ``project``'s keys, each with its number of keys."""
        counts: dict[str, int] = {}
        skip = len(self.key_prefix)
        with self._errors("list keys"):
            for name in self._scan(self.key_prefix + project + ":"):
                prefix = prefix_of(name.decode("utf-8", "replace")[skip:], project)
                if prefix is not None:
                    counts[prefix] = counts.get(prefix, 0) + 1
        return counts

    def delete_prefix(self, prefix: str) -> int:
        """UNLINK the keys starting with one part prefix, found by SCAN, a batch at a time."""
        check_part_prefix(prefix)
        deleted, batch = 0, []
        with self._errors("delete"):
            for name in self._scan(self.key_prefix + prefix):
                batch.append(name)
                if len(batch) == KEYS_PER_CALL:
                    deleted += self.client.unlink(*batch)
                    batch = []
            if batch:
                deleted += self.client.unlink(*batch)
        return deleted

    def _scan(self, prefix: str) -> Iterator[bytes]:
        """The names of the keys starting with ``prefix`` (glob characters in it escaped)."""
        pattern = prefix.translate(GLOB_SPECIAL) + "*"
        return self.client.scan_iter(match=pattern.encode(), count=SCAN_COUNT)


class RedisOnlineStore(ScannedKeys):
    """Latest values in Redis, one string key per (project, view, entity)."""

    name = "redis"

    def __init__(self, url: str = "redis://127.0.0.1:6379/0", password: str | None = None,
                 key_prefix: str = "", project: str = "default") -> None:
        self.key_prefix, self.project = key_prefix, project
        self.client = redis.Redis.from_url(
            url, password=password, socket_timeout=5, socket_connect_timeout=2
        )
        self._sha: bytes | None = None
        kwargs = self.client.connection_pool.connection_kwargs
        self.address = f"redis://{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"

    @classmethod
    def from_config(cls, options: Mapping[str, object], project: str) -> RedisOnlineStore:
        return cls(
            str(options.get("url", "redis://127.0.0.1:6379/0")),
            password=options.get("password"),  # type: ignore[arg-type]
            key_prefix=str(options.get("key_prefix", "")),
            project=project,
        )

    def write(self, batch: WriteBatch) -> int:
        """All of the batch's script calls in one round trip; return how many keys changed.

        The calls are packed here rather than by redis-py, whose per-argument packing costs more
        than Redis takes to run the script. A Redis that lost the script (restarted) gets it again
        and the batch is resent, which newer-wins makes harmless.
        """
        if not len(batch):
            return 0
        px = str(milliseconds(batch.expire_after)).encode()
        prefix = self.key_prefix
        keys = [(prefix + key).encode() for key in batch.keys]
        with self._errors("write"):
            try:
                return self._send_scripts(keys, batch.values, px)
            except redis.exceptions.NoScriptError:
                self._sha = None  # Redis restarted or flushed its scripts: load it and resend
                return self._send_scripts(keys, batch.values, px)

    def _send_scripts(self, keys: list[bytes], values: Sequence[bytes], px: bytes) -> int:
        sha = self._script_sha()
        payload, calls = [], 0
        for start in range(0, len(keys), KEYS_PER_CALL):
            chunk = keys[start:start + KEYS_PER_CALL]
            args = [b"EVALSHA", sha, str(len(chunk)).encode(), *chunk, px,
                    *values[start:start + KEYS_PER_CALL]]
            payload.append(pack_command(args))
            calls += 1
        pool = self.client.connection_pool
        connection = take_connection(pool)
        try:
            connection.send_packed_command(payload)
            replies = [read_reply(connection) for _ in range(calls)]
        except BaseException:
            connection.disconnect()  # unread replies would confuse the next user of the connection
            raise
        finally:
            pool.release(connection)
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        return sum(replies)

    def _script_sha(self) -> bytes:
        if self._sha is None:
            self._sha = self.client.script_load(NEWER_WINS).encode()
        return self._sha

    def read(self, keys: Sequence[str]) -> Mapping[str, bytes]:
        """One ``MGET`` for every key of the request; absent keys are left out."""
        if not keys:
            return {}
        prefix = self.key_prefix
        names = [prefix + key for key in keys] if prefix else keys
        with self._errors("read"):
            values = self.client.execute_command("MGET", *names)
        return {key: value for key, value in zip(keys, values, strict=True) if value is not None}

    def ping(self) -> None:
        """Raise OnlineStoreError naming the server when it does not answer."""
        with self._errors("ping"):
            self.client.ping()

    def async_reader(self, deadline: float) -> RedisAsyncReader:
        """Reads for an asyncio event loop (the feature server), on a connection of their own.

        They never block the loop; the caller awaits each for at most ``deadline`` seconds.
        """
        from virtualfs.online.redis_async import RedisAsyncReader

        return RedisAsyncReader(_target(self.client.connection_pool, self.address), self.key_prefix)

    def close(self) -> None:
        """Release the connection pool; the values stay in Redis."""
        self.client.close()

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except redis.RedisError as error:
            raise OnlineStoreError(
                f"redis online store {self.address}: {action} failed: {error}"
            ) from None


def pack_command(args: Sequence[bytes]) -> bytes:
    """One command in the Redis protocol (RESP): an array of bulk strings."""
    parts = [b"*%d\r\n" % len(args)]
    parts += [b"$%d\r\n%b\r\n" % (len(arg), arg) for arg in args]
    return b"".join(parts)


def take_connection(pool: redis.ConnectionPool):
    try:
        return pool.get_connection()
    except TypeError:  # redis-py before 5.3 wants a command name
        return pool.get_connection("EVALSHA")


def read_reply(connection) -> object:
    """The next reply; an error reply (a script's, a redirection) is returned, not raised, so every
    reply is still read."""
    try:
        return connection.read_response()
    except redis.exceptions.ResponseError as error:
        return error


def _target(pool: redis.ConnectionPool, address: str) -> RedisTarget:
    """Where the async reader connects: what redis-py made of the URL and the password."""
    import ssl

    from virtualfs.online.redis_async import RedisTarget

    kwargs = pool.connection_kwargs
    tls = None
    if issubclass(pool.connection_class, redis.SSLConnection):
        tls = ssl.create_default_context(cafile=kwargs.get("ssl_ca_certs"))
        if kwargs.get("ssl_cert_reqs") in ("none", ssl.CERT_NONE):
            tls.check_hostname, tls.verify_mode = False, ssl.CERT_NONE
    return RedisTarget(address, host=kwargs.get("host", "127.0.0.1"), port=int(kwargs.get("port", 6379)),
                       path=kwargs.get("path"), db=int(kwargs.get("db") or 0),
                       username=kwargs.get("username"), password=kwargs.get("password"), tls=tls)


def milliseconds(delta: timedelta | None) -> int:
    return max(1, int(delta.total_seconds() * 1000)) if delta else 0
