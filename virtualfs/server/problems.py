"""HTTP errors as data: a status, the request field at fault, and a message saying what was expected.

Every error the server sends is JSON of one shape::

    {"error": {"status": 400, "field": "entities.customer_id", "message": "..."}}

A 503 names the ``component`` that does not answer (``online_store``, ``catalog``) by kind only.
What would help an operator but also an attacker (a file path, a URL, a host, a user name) is the
problem's ``detail``: it goes to the server log, and into the body only for a caller with a valid
token (see ``http.Endpoint``).
"""

from __future__ import annotations

import orjson
from starlette.responses import Response

JSON = "application/json"
COMPONENTS = ("online_store", "catalog", "warehouse")  # what a 503 may say does not answer


class Problem(Exception):
    """An error to send to the client; ``field`` names the part of the request at fault, if any."""

    def __init__(self, status: int, message: str, field: str | None = None,
                 headers: dict[str, str] | None = None, component: str | None = None,
                 detail: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field, self.headers = status, message, field, headers
        self.component, self.detail = component, detail

    def body(self, with_detail: bool = False) -> bytes:
        """The JSON body for this problem; ``detail`` only when asked (an authenticated caller)."""
        error = {"status": self.status, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        if self.component is not None:
            error["component"] = self.component
        if with_detail and self.detail is not None:
            error["detail"] = self.detail
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


def request_timeout(message: str) -> Problem:
    """408: the body did not arrive in time; the connection is closed (its state is unknown)."""
    return Problem(408, message, "body", headers={"Connection": "close"})


def unavailable(component: str, message: str, detail: str | None = None) -> Problem:
    """503: ``component`` (the online store, the catalog) does not answer (yet).

    ``message`` must not name paths, URLs, hosts or users: those go in ``detail``.
    """
    # Retry-After: a down store usually comes back within seconds, and clients should not hammer it.
    return Problem(503, message, headers={"Retry-After": "1"}, component=component, detail=detail)
