"""Who is looking, and what they may see: the server's authentication (bearer tokens, also
carried by a cookie the login form sets, since a browser sends no header of its own) and its
access policy.

A principal sees a feature its role may read offline or online; a PII feature only when its role
reads PII in the clear or masked, and masked means labelled, with no values (no statistics, no
histogram, no check observations). A name it may not read is a 403 whether or not it exists, as
in the API, so a restricted token cannot probe the catalog.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from virtualfs.errors import AccessDeniedError
from virtualfs.policy import ALL, SURFACES, AccessPolicy, readable
from virtualfs.registry import Registry
from virtualfs.server.auth import Authenticator
from virtualfs.server.config import TokenGrant

TOKEN_COOKIE = "virtualfs_token"


@dataclass(frozen=True)
class Viewer:
    """One principal's sight of one catalog version. ``allowed``: the features (``view:feature``)
    it may read, or ``ALL``; ``pii``: clear, masked or denied; ``observes``: whether it may see
    what checks observed (values they quote: the refresh grant, as ``FeatureStore.check``)."""

    principal: str | None
    allowed: frozenset[str] | str
    pii: str = "clear"
    observes: bool = True
    personal: frozenset[str] = frozenset()  # the registry's PII features

    @property
    def restricted(self) -> bool:
        return self.allowed is not ALL or self.pii != "clear"

    def sees(self, ref: str) -> bool:
        """Whether feature ``ref`` shows at all."""
        if self.allowed is not ALL and ref not in self.allowed:
            return False
        return not (self.pii == "denied" and ref in self.personal)

    def sees_values(self, ref: str) -> bool:
        """Whether ``ref``'s values (statistics, histogram) show: not for a masked PII feature."""
        return self.sees(ref) and not (self.pii != "clear" and ref in self.personal)

    def visible(self, refs: Iterable[str]) -> list[str]:
        return [ref for ref in refs if self.sees(ref)]

    def refuse(self, what: str) -> AccessDeniedError:
        who = self.principal or "anonymous"
        return AccessDeniedError(f"principal {who!r} may not read {what} (or it does not exist)", who, what,
                                 "access.roles")


def authenticate(auth: Authenticator, header: str | None, cookie: str | None) -> TokenGrant | None:
    """The caller's grant from its ``Authorization`` header, else from the login cookie; None
    with auth off; a ``Problem`` (401) for a missing or wrong token."""
    if not header and cookie:
        header = f"Bearer {cookie}"
    return auth.authenticate(header)


def viewer_for(policy: AccessPolicy | None, grant: TokenGrant | None, registry: Registry,
               personal: Collection[str]) -> Viewer:
    """``grant``'s sight of ``registry`` under ``policy`` (everything, with no policy or no auth).

    >>> from virtualfs.registry import Registry
    >>> viewer_for(None, None, Registry.from_objects([]), ()).allowed
    '*'
    """
    if policy is None or grant is None:
        return Viewer(None, ALL, personal=frozenset(personal))
    role = policy.role_of(grant.who)
    surfaces = [readable(role, surface, registry) for surface in SURFACES]
    allowed: frozenset[str] | str = ALL if ALL in surfaces else frozenset().union(*surfaces)
    return Viewer(grant.who, allowed, role.pii, role.refresh or role.pii == "clear", frozenset(personal))
