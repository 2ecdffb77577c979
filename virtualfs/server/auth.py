"""Bearer tokens: who is calling (401 when unknown); what they may read is the access policy's.

A token names a principal (``server.config``); the policy (``virtualfs.policy``: ``access:``,
or the tokens' allow lists as roles) says which features it may read online, and which of them
masked (``ServerState.authorize_read``: 403 when not allowed). Names a caller may not read get a
403 whether or not they exist, so a restricted token cannot probe the catalog; listings show what
it may read.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from virtualfs.policy import ALL, AccessPolicy, expand_features, readable
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


def readable_by(policy: AccessPolicy | None, grant: TokenGrant | None,
                registry: Registry) -> frozenset[str] | str:
    """Every feature (``view:feature``) the caller may read online, or ``ALL``."""
    if policy is None or grant is None:
        return ALL
    return readable(policy.role_of(grant.who), "online", registry)


def may_read_view(allowed: frozenset[str] | str, registry: Registry, name: str) -> bool:
    """Whether every feature of view ``name`` is ``allowed`` (listing filter)."""
    return allowed is ALL or all(ref in allowed for ref in expand_features(registry, [f"{name}:*"]))


def may_read_service(allowed: frozenset[str] | str, registry: Registry, name: str) -> bool:
    """Whether every feature of service ``name`` is ``allowed`` (listing filter)."""
    return allowed is ALL or all(ref in allowed for ref in expand_features(registry, name))


def _unauthorized(message: str, error: str | None = None) -> Problem:
    challenge = f'{_CHALLENGE}, error="{error}"' if error else _CHALLENGE
    return Problem(401, message, headers={"WWW-Authenticate": challenge})
