"""Bearer tokens: who is calling (401 when unknown) and what they may read (403 when not allowed).

A token's ``allow`` list names feature services and feature views. A request for a list of
features needs every view it reads allowed; a request by feature service needs the service
allowed, or every view of the service. Names the token may not read get a 403 whether or not they
exist, so a restricted token cannot probe the catalog.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence

from virtualfs.registry import Registry
from virtualfs.server.config import TokenGrant, token_digest
from virtualfs.server.problems import Problem

_CHALLENGE = 'Bearer realm="virtualfs"'


class Authenticator:
    """Finds the grant of a request's bearer token; with no tokens configured, everyone may read."""

    def __init__(self, grants: Sequence[TokenGrant]) -> None:
        self.grants = tuple(grants)
        self.enabled = bool(grants)

    def authenticate(self, header: str | None) -> TokenGrant | None:
        """The grant for an ``Authorization`` header, None when auth is off; 401 otherwise."""
        if not self.enabled:
            return None
        if not header:
            raise _unauthorized("missing Authorization header; send 'Authorization: Bearer <token>'")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _unauthorized("Authorization header must be 'Bearer <token>'")
        digest = token_digest(token)
        found = None
        # Every grant is compared, in constant time each, so timing tells nothing about which matched.
        for grant in self.grants:
            if hmac.compare_digest(grant.digest, digest):
                found = grant
        if found is None:
            raise _unauthorized("invalid token", error="invalid_token")
        return found


    def identifies(self, header: str | None) -> bool:
        """Whether ``header`` carries a valid token (never, with auth off: then nobody is known)."""
        if not self.enabled or not header:
            return False
        try:
            self.authenticate(header)
        except Problem:
            return False
        return True


def authorize_features(grant: TokenGrant | None, refs: Iterable[str]) -> None:
    """403 unless ``grant`` may read every view that ``refs`` ("view:feature") name."""
    if grant is None or grant.allows_all:
        return
    for ref in refs:
        view = ref.partition(":")[0]
        if not grant.allows(view):
            raise Problem(403, f"token {grant.name!r} may not read feature view {view!r}", "features")


def authorize_service(grant: TokenGrant | None, registry: Registry, name: str) -> None:
    """403 unless ``grant`` may read feature service ``name`` (by name, or all of its views)."""
    if grant is None or grant.allows(name):
        return
    service = registry.services.get(name)
    if service is None or not all(grant.allows(ref.view) for ref in service.refs):
        raise Problem(403, f"token {grant.name!r} may not read feature service {name!r}", "feature_service")


def may_read_view(grant: TokenGrant | None, name: str) -> bool:
    """Whether ``grant`` may read feature view ``name`` (listing filter)."""
    return grant is None or grant.allows(name)


def may_read_service(grant: TokenGrant | None, registry: Registry, name: str) -> bool:
    """Whether ``grant`` may read feature service ``name`` (listing filter)."""
    if grant is None or grant.allows(name):
        return True
    return all(grant.allows(ref.view) for ref in registry.service(name).refs)


def _unauthorized(message: str, error: str | None = None) -> Problem:
    challenge = f'{_CHALLENGE}, error="{error}"' if error else _CHALLENGE
    return Problem(401, message, headers={"WWW-Authenticate": challenge})
