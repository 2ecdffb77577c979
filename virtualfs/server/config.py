"""The ``server:`` section of virtualfs.yaml -> a frozen ServerConfig. Unknown keys are errors.

.. code-block:: yaml

    server:
      max_entities: 1000          # entity rows per request (413 above)
      max_body_bytes: 1048576     # request body size (413 above)
      reload_seconds: 30          # how often to look for a newly applied catalog version (0: never)
      read_timeout: 250ms         # an online store read slower than this is a 503 (seconds, or 250ms)
      body_timeout: 10s           # a request body not all arrived by then is a 408
      audit_seconds: 60           # how often reads counted for the audit log are written
      ui: true                    # also serve the catalog web UI at /ui (needs the ui extra)
      auth:
        tokens:
          scoring_app:            # a name for logs and metrics; the token itself never is logged
            token: ${SCORING_TOKEN}
            allow: [churn, customer_orders]   # feature services and views; "*" for all

With an ``access:`` section (``virtualfs.policy``) a token names a principal instead of an
``allow`` list, and that principal's role decides what it reads, masked or not::

      auth:
        tokens:
          scoring_app: {token: ${SCORING_TOKEN}, principal: scoring}   # principal: default the name

Either way the server enforces one policy: an ``allow`` list is a role of its own (online reads
of what it names, PII in the clear). Tokens are kept only as SHA-256 digests, so a ServerConfig
can be printed safely.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from virtualfs.errors import ConfigError
from virtualfs.policy import AccessPolicy, Role

ALL = "*"
MIN_TOKEN_LENGTH = 16
SERVER_KEYS = {"auth", "max_entities", "max_body_bytes", "reload_seconds", "read_timeout", "body_timeout",
               "audit_seconds", "max_push_rows", "ui"}
AUTH_KEYS = {"tokens"}
TOKEN_KEYS = {"token", "allow", "push"}
POLICY_TOKEN_KEYS = {"token", "principal"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0}
_WHERE = "virtualfs.yaml: server"


@dataclass(frozen=True)
class TokenGrant:
    """One bearer token (as its digest), the principal it names, and (without an ``access:``
    policy) the feature services and views it may read."""

    name: str
    digest: bytes
    allow: frozenset[str]
    principal: str = ""
    push: bool = False  # without an access: policy, whether it may push rows (POST /v1/push)

    @property
    def who(self) -> str:
        """The principal the policy judges: the one named, else the token's own name."""
        return self.principal or self.name

    @property
    def allows_all(self) -> bool:
        return ALL in self.allow

    def allows(self, name: str) -> bool:
        """May this token read the feature view or service called ``name``?"""
        return ALL in self.allow or name in self.allow


@dataclass(frozen=True)
class ServerConfig:
    """How the feature server limits and authenticates requests."""

    tokens: tuple[TokenGrant, ...] = ()
    max_entities: int = 1_000
    max_push_rows: int = 10_000
    max_body_bytes: int = 1_048_576
    reload_seconds: float = 30.0
    read_timeout: float = 0.25  # seconds; a Redis MGET on a LAN takes well under a millisecond
    body_timeout: float = 10.0
    audit_seconds: float = 60.0
    ui: bool = False  # mount the catalog web UI (virtualfs.ui) at /ui
    # the one policy the server enforces: ``access:``, or each allow list as a role; None: open
    policy: AccessPolicy | None = None

    @property
    def auth_enabled(self) -> bool:
        return bool(self.tokens)


def token_digest(token: str) -> bytes:
    """The SHA-256 of a token; only digests are kept and compared."""
    return hashlib.sha256(token.encode()).digest()


def parse_server_config(raw: Mapping[str, Any] | None, access: AccessPolicy | None = None) -> ServerConfig:
    """Validate the raw ``server:`` mapping (with the repository's ``access:`` policy, if any);
    errors name the key and what was expected.

    >>> parse_server_config({"max_entities": 10}).max_entities
    10
    """
    raw = dict(raw or {})
    _reject_unknown(raw, SERVER_KEYS, _WHERE)
    defaults = ServerConfig()
    tokens = _parse_auth(raw.get("auth"), access)
    if access is not None and not tokens:
        raise ConfigError(f"{_WHERE}.auth.tokens: virtualfs.yaml has an access: section, so the server needs "
                          "tokens naming its principals ({NAME: {token: ${ENV}, principal: NAME}})")
    return ServerConfig(
        tokens=tokens,
        max_entities=_positive_int(raw, "max_entities", defaults.max_entities),
        max_push_rows=_positive_int(raw, "max_push_rows", defaults.max_push_rows),
        max_body_bytes=_positive_int(raw, "max_body_bytes", defaults.max_body_bytes),
        reload_seconds=_seconds(raw, "reload_seconds", defaults.reload_seconds),
        read_timeout=_timeout(raw, "read_timeout", defaults.read_timeout),
        body_timeout=_timeout(raw, "body_timeout", defaults.body_timeout),
        audit_seconds=_timeout(raw, "audit_seconds", defaults.audit_seconds),
        ui=_flag(raw, "ui", defaults.ui),
        policy=access if access is not None else _allow_lists(tokens),
    )


def _allow_lists(tokens: tuple[TokenGrant, ...]) -> AccessPolicy | None:
    """Tokens' allow lists as a policy: each token a role that reads what it names online, in the clear."""
    if not tokens:
        return None
    from types import MappingProxyType

    roles = {t.name: Role(t.name, online=t.allow, pii="clear", push=t.push,
                          source=f"server.auth.tokens.{t.name}.allow") for t in tokens}
    return AccessPolicy(MappingProxyType(roles), MappingProxyType({t.name: t.name for t in tokens}))


def _parse_auth(section: object, access: AccessPolicy | None) -> tuple[TokenGrant, ...]:
    if section is None:
        return ()
    if not isinstance(section, dict):
        raise ConfigError(f"{_WHERE}.auth must be a mapping like {{tokens: {{NAME: {{token: ...}}}}}}")
    _reject_unknown(section, AUTH_KEYS, f"{_WHERE}.auth")
    tokens = section.get("tokens")
    if not isinstance(tokens, dict) or not tokens:
        raise ConfigError(f"{_WHERE}.auth.tokens must be a non-empty mapping of NAME: {{token, allow}}")
    grants = [_parse_token(str(name), entry, access) for name, entry in tokens.items()]
    seen: dict[bytes, str] = {}
    for grant in grants:
        if grant.digest in seen:
            raise ConfigError(
                f"{_WHERE}.auth.tokens: {seen[grant.digest]!r} and {grant.name!r} have the same token; "
                "give each client its own"
            )
        seen[grant.digest] = grant.name
    return tuple(grants)


def _parse_token(name: str, entry: object, access: AccessPolicy | None) -> TokenGrant:
    where = f"{_WHERE}.auth.tokens.{name}"
    if not _NAME.fullmatch(name):
        raise ConfigError(f"{_WHERE}.auth.tokens: name {name!r} must be an identifier")
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a mapping like {{token: ${{ENV}}, allow: [...]}}")
    if access is not None:
        return _policy_token(name, entry, access, where)
    _reject_unknown(entry, TOKEN_KEYS, where)
    token = _token(entry.get("token"), where)
    allow = entry.get("allow")
    if not isinstance(allow, list) or not allow or not all(isinstance(a, str) for a in allow):
        raise ConfigError(
            f"{where}.allow must be a non-empty list of feature service / view names, or [\"*\"]"
        )
    for item in allow:
        if item != ALL and not _NAME.fullmatch(item):
            raise ConfigError(f"{where}.allow: {item!r} is not a feature service or view name")
    push = entry.get("push", False)
    if not isinstance(push, bool):
        raise ConfigError(f"{where}.push must be true or false (may the token push rows), got {push!r}")
    return TokenGrant(name, token_digest(token), frozenset(allow), push=push)


def _policy_token(name: str, entry: dict, access: AccessPolicy, where: str) -> TokenGrant:
    """A token naming a principal of ``access``; what it may read is its role's to say."""
    if "allow" in entry:
        raise ConfigError(f"{where}.allow: with an access: section a token names a principal "
                          "(principal: NAME) and its role says what it reads; move the allow list into "
                          "access.roles")
    _reject_unknown(entry, POLICY_TOKEN_KEYS, where)
    principal = entry.get("principal", name)
    if principal not in access.principals:
        raise ConfigError(f"{where}.principal: {principal!r} is not in access.principals "
                          f"({', '.join(sorted(access.principals))})")
    return TokenGrant(name, token_digest(_token(entry.get("token"), where)), frozenset(), principal)


def _token(token: object, where: str) -> str:
    if not isinstance(token, str) or len(token) < MIN_TOKEN_LENGTH:
        raise ConfigError(
            f"{where}.token must be a string of at least {MIN_TOKEN_LENGTH} characters "
            "(set it from the environment: token: ${MY_TOKEN})"
        )
    return token


def _positive_int(raw: dict, key: str, default: int) -> int:
    value = raw.get(key, default)
    if type(value) is not int or value < 1:
        raise ConfigError(f"{_WHERE}.{key} must be a positive integer, got {value!r}")
    return value


def _flag(raw: dict, key: str, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{_WHERE}.{key} must be true or false, got {value!r}")
    return value


def _seconds(raw: dict, key: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(f"{_WHERE}.{key} must be a number of seconds >= 0, got {value!r}")
    return float(value)


def _timeout(raw: dict, key: str, default: float) -> float:
    """A positive duration: a number of seconds, or a string like ``250ms`` or ``10s``."""
    value = raw.get(key, default)
    seconds = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.fullmatch(value.strip())):
        seconds = float(match[1]) * _UNIT_SECONDS[match[2]]
    if seconds is None or seconds <= 0:
        raise ConfigError(f"{_WHERE}.{key} must be a positive number of seconds or a duration like "
                          f"'250ms' or '10s', got {value!r}")
    return seconds


def _reject_unknown(mapping: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}; expected one of {', '.join(sorted(allowed))}"
        )
