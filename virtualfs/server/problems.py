"""HTTP errors as data: a status, the request field at fault, and a message saying what was expected.

Every error the server sends is JSON of one shape::

    {"error": {"status": 400, "field": "entities.customer_id", "message": "..."}}
"""

from __future__ import annotations

import orjson
from starlette.responses import Response

JSON = "application/json"


class Problem(Exception):
    """An error to send to the client; ``field`` names the part of the request at fault, if any."""

    def __init__(self, status: int, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field, self.headers = status, message, field, headers

    def body(self) -> bytes:
        """The JSON body for this problem."""
        error = {"status": self.status, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return orjson.dumps({"error": error})

    def response(self) -> Response:
        """The problem as a Starlette response (for Starlette's own exception handlers)."""
        return Response(self.body(), self.status, self.headers, JSON)


def bad_request(message: str, field: str | None = None) -> Problem:
    """400: the request is malformed; ``field`` names where."""
    return Problem(400, message, field)


def too_large(message: str, field: str | None = None) -> Problem:
    """413: the request is over a configured limit."""
    return Problem(413, message, field)


def unavailable(message: str) -> Problem:
    """503: the online store or the catalog does not answer (yet)."""
    # Retry-After: a down store usually comes back within seconds, and clients should not hammer it.
    return Problem(503, message, headers={"Retry-After": "1"})
