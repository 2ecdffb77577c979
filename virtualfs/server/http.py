"""The thin layer between ASGI and the routes: a request view, a reply, and the route wrapper.

Routes are plain ASGI apps under Starlette's router rather than ``Request -> Response`` functions:
one pass over the headers, the body read straight from ``receive``, two ``send`` calls. This
halves the framework's share of a feature read, which is most of the server's overhead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from virtualfs.server.deadlines import Deadlines
from virtualfs.server.problems import Problem, bad_request, request_timeout, too_large

if TYPE_CHECKING:
    from virtualfs.server.state import ServerState

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
logger = logging.getLogger("virtualfs.server")


class Call:
    """One request as routes see it: the method and the three headers they read."""

    __slots__ = ("accept", "authorization", "content_length", "method", "receive")

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.method: str = scope["method"]
        self.receive = receive
        self.authorization = self.accept = self.content_length = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                self.authorization = value.decode("latin-1")
            elif name == b"accept":
                self.accept = value.decode("latin-1")
            elif name == b"content-length":
                self.content_length = value

    async def body(self, limit: int, deadlines: Deadlines) -> bytes:
        """The request body; more than ``limit`` bytes is a 413, refused unread when announced.

        A body that has not all arrived ``deadlines.seconds`` after the route asked for it is a
        408, so a client that stalls mid-body cannot hold a connection (and its memory) for ever.
        """
        if self.content_length is not None:
            if not self.content_length.isdigit():
                raise bad_request("Content-Length is not a number", "body")
            if int(self.content_length) > limit:
                raise _body_too_large(int(self.content_length), limit)
        try:
            return await deadlines.run(self._receive_body(limit))
        except asyncio.TimeoutError:
            raise request_timeout(f"the request body did not arrive within {deadlines.seconds:g} s "
                                  "(server.body_timeout)") from None

    async def _receive_body(self, limit: int) -> bytes:
        chunks, size = [], 0
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise bad_request("the client went away before sending the whole body", "body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:  # chunked uploads announce no length: count as they arrive
                raise _body_too_large(size, limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class Reply:
    """A response: status, body bytes, content type (and extra headers, rarely)."""

    __slots__ = ("body", "content_type", "headers", "status")

    def __init__(self, body: bytes, content_type: str, status: int = 200,
                 headers: dict[str, str] | None = None) -> None:
        self.body, self.content_type, self.status, self.headers = body, content_type, status, headers

    async def send(self, send: Send) -> None:
        """Send the reply over ASGI: the start message, then the whole body."""
        headers = [(b"content-type", self.content_type.encode()),
                   (b"content-length", str(len(self.body)).encode())]
        if self.headers:
            headers += [(k.lower().encode(), v.encode()) for k, v in self.headers.items()]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


Handler = Callable[[Call, "ServerState"], Awaitable[Reply]]


class Endpoint:
    """One route as an ASGI app: sends problems as JSON, counts every request in the metrics."""

    def __init__(self, path: str, handler: Handler) -> None:
        self.path, self.handler = path, handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        state: ServerState = scope["app"].state.server
        call = Call(scope, receive)
        try:
            reply = await self.handler(call, state)
        except Problem as problem:
            # Details (paths, addresses) only for a caller with a valid token; the log has them too.
            shown = problem.detail is not None and state.auth.identifies(call.authorization)
            reply = problem_reply(problem, shown)
        except Exception:
            logger.exception("%s %s failed", scope["method"], self.path)
            reply = problem_reply(Problem(500, "internal error; the server log has the details"))
        await reply.send(send)
        state.metrics.observe(self.path, scope["method"], reply.status, time.perf_counter() - started)


def problem_reply(problem: Problem, with_detail: bool = False) -> Reply:
    """The JSON reply for a problem, with its detail when the caller may see it."""
    return Reply(problem.body(with_detail), "application/json", problem.status, problem.headers)


def _body_too_large(size: int, limit: int) -> Problem:
    return too_large(f"request body of {size:,} bytes (or more); this server takes at most "
                     f"{limit:,} bytes (server.max_body_bytes)", "body")
