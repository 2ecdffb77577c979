"""Access policies: which principal may read which features, and change what (``access:``).

.. code-block:: yaml

    access:
      roles:
        analyst: {offline: [driver_quality, quality_model], online: [quality_model], pii: clear,
                  apply: true, refresh: true, datasets: true}
        intern:  {offline: [driver_quality], pii: masked}      # pii: clear | masked | denied
      principals: {alice: analyst, ivan: intern}

``offline`` and ``online`` list feature views, feature services and single features
(``view:feature``) a role may read, ``"*"`` for all; a grant on a service is a grant on the
features it holds. ``pii`` says what the role gets of a PII feature (``governance.classify``):
its values, a mask (``access.masking``), or a refusal; it defaults to ``denied``. ``apply``,
``refresh``, ``datasets`` and ``push`` (default false) say whether it may change the catalog, run
refreshes and materializations, save or delete datasets, and push rows (``FeatureStore.push``).
Pure data and pure decisions: what runs the policy (and writes the audit log) is ``virtualfs.access``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from virtualfs.errors import AccessDeniedError, ConfigError, NotFoundError
from virtualfs.registry import FeaturesArg, Registry, resolve_refs

ALL = "*"
SURFACES = ("offline", "online")
ACTIONS = ("apply", "refresh", "datasets", "push")
PII_MODES = ("clear", "masked", "denied")
ROLE_KEYS = frozenset({*SURFACES, "pii", *ACTIONS})
ACCESS_KEYS = frozenset({"roles", "principals"})
PRINCIPAL_ENV = "VIRTUALFS_PRINCIPAL"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.@-]*")
_GRANT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(:([A-Za-z_][A-Za-z0-9_]*|\*))?")
_VERBS = {"apply": "apply definitions", "refresh": "refresh or materialize views",
          "datasets": "save or delete datasets",
          "push": "push rows"}


@dataclass(frozen=True)
class Role:
    """What one role may do; see the module."""

    name: str
    offline: frozenset[str] = frozenset()
    online: frozenset[str] = frozenset()
    pii: str = "denied"
    apply: bool = False
    refresh: bool = False
    datasets: bool = False
    push: bool = False
    # where its grants are configured, when not access.roles.<name> (a server token's allow list)
    source: str = ""

    def grants(self, surface: str) -> frozenset[str]:
        return self.offline if surface == "offline" else self.online

    def where(self, key: str) -> str:
        """The configuration key of grant ``key``, for messages: ``access.roles.intern.pii``
        (a server token's role: its ``allow`` list for reads, its own ``push`` flag)."""
        if self.source:
            return self.source if key in SURFACES else f"{self.source.rpartition('.')[0]}.{key}"
        return f"access.roles.{self.name}.{key}"


@dataclass(frozen=True)
class AccessPolicy:
    """The roles and who holds each."""

    roles: Mapping[str, Role]
    principals: Mapping[str, str]

    def role_of(self, principal: str | None) -> Role:
        """``principal``'s role; AccessDeniedError when there is no principal or it is not named."""
        if principal is None:
            raise AccessDeniedError(
                f"no principal: virtualfs.yaml has an access: section, so say who you are "
                f"(FeatureStore(repo, principal=...) or ${PRINCIPAL_ENV}); principals are "
                f"{', '.join(sorted(self.principals))}", None, "", "access.principals")
        if principal not in self.principals:
            raise AccessDeniedError(f"principal {principal!r} is not in access.principals", principal, "",
                                    "access.principals")
        return self.roles[self.principals[principal]]

    def check_action(self, principal: str | None, action: str, target: str = "") -> Role:
        """AccessDeniedError unless ``principal``'s role has ``action`` (apply, refresh, datasets).

        >>> policy = parse_access({"roles": {"r": {"refresh": True}}, "principals": {"ann": "r"}})
        >>> try:
        ...     policy.check_action("ann", "apply")
        ... except AccessDeniedError as refused:
        ...     print(refused.grant)
        access.roles.r.apply
        """
        role = self.role_of(principal)
        if not getattr(role, action):
            what = f" ({target})" if target else ""
            grant = role.where(action)
            raise AccessDeniedError(f"principal {principal!r} (role {role.name!r}) may not {_VERBS[action]}"
                                    f"{what}: {grant} is not true", principal, target, grant)
        return role

    def check_read(self, principal: str | None, surface: str, registry: Registry, refs: Iterable[str],
                   pii: Callable[[], Collection[str]]) -> frozenset[str]:
        """The features of ``refs`` (``view:feature``) to mask for ``principal`` reading them
        ``surface`` (offline or online); AccessDeniedError naming the first one it may not read.
        ``pii`` gives the PII features, asked only when the role does not read them in the clear."""
        role = self.role_of(principal)
        refs = list(refs)
        allowed = readable(role, surface, registry)
        for ref in refs:
            if allowed is not ALL and ref not in allowed:
                grant = role.where(surface)
                raise AccessDeniedError(
                    f"principal {principal!r} (role {role.name!r}) may not read feature {ref!r} {surface}: "
                    f"{grant} names neither it, its view nor a service holding it", principal, ref, grant)
        if role.pii == "clear":
            return frozenset()
        marked = set(pii())
        personal = [ref for ref in refs if ref in marked]
        if personal and role.pii == "denied":
            grant = role.where("pii")
            raise AccessDeniedError(f"principal {principal!r} (role {role.name!r}) may not read PII feature "
                                    f"{personal[0]!r}: {grant} is denied", principal, personal[0], grant)
        return frozenset(personal)

    def unknown_names(self, registry: Registry) -> list[str]:
        """Grants naming no view, service or feature of ``registry`` (``roles.r.offline: name``)."""
        known = {*registry.views, *registry.services, ALL}
        known |= {f"{name}:{feature}" for name, view in registry.views.items()
                  for feature in (*view.feature_names, ALL)}
        return [f"access.roles.{role.name}.{surface}: {name}" for role in self.roles.values()
                for surface in SURFACES for name in sorted(role.grants(surface)) if name not in known]


def readable(role: Role, surface: str, registry: Registry) -> frozenset[str] | str:
    """Every feature (``view:feature``) ``role`` may read ``surface``, or ``ALL``."""
    grants = role.grants(surface)
    if ALL in grants:
        return ALL
    found: set[str] = set()
    for name in grants:
        if ":" in name:
            view, _, feature = name.partition(":")
            if view in registry.views:
                found |= set(_view_refs(registry, view)) if feature == ALL else {name}
            continue
        if name in registry.views:
            found |= set(_view_refs(registry, name))
        if name in registry.services:
            found |= set(expand_features(registry, name))
    return frozenset(found)


def expand_features(registry: Registry, features: FeaturesArg) -> tuple[str, ...]:
    """``features`` as the features they name, ``view:feature`` each, in order, once.

    A view or feature the registry lacks is a NotFoundError (``registry.view``). An on-demand
    feature names the inputs it is computed from: reading it is reading them.
    """
    out: dict[str, None] = {}
    for ref in resolve_refs(registry, features):
        if ref.view in registry.on_demand:
            on_demand = registry.on_demand[ref.view]
            if ref.feature != ALL and ref.feature not in on_demand.feature_names:
                raise NotFoundError(f"on demand view {on_demand.name!r} has no feature {ref.feature!r}")
            out.update(dict.fromkeys(str(input_ref) for input_ref in on_demand.feature_inputs))
            continue
        view = registry.view(ref.view)
        names = view.feature_names if ref.feature == ALL else (ref.feature,)
        for name in names:
            if name not in view.feature_names:
                raise NotFoundError(f"feature view {view.name!r} has no feature {name!r}")
            out[f"{view.name}:{name}"] = None
    return tuple(out)


def target_features(registry: Registry, target: Any) -> FeaturesArg:
    """What a profile target (a view's name, a service or its name, references) reads, as features.

    >>> target_features(Registry(), ["orders:amount"])
    ['orders:amount']
    """
    if isinstance(target, str) and ":" not in target and target in registry.views:
        return [f"{target}:{ALL}"]
    return target


def _view_refs(registry: Registry, view: str) -> tuple[str, ...]:
    return tuple(f"{view}:{name}" for name in registry.view(view).feature_names)


def parse_access(raw: object, source: str = "virtualfs.yaml") -> AccessPolicy | None:
    """Validate the raw ``access:`` mapping; errors name the role, principal or key at fault.

    >>> parse_access({"roles": {"intern": {"offline": ["orders"], "pii": "masked"}},
    ...               "principals": {"ivan": "intern"}}).role_of("ivan").pii
    'masked'
    """
    if raw is None:
        return None
    where = f"{source}: access"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a mapping with roles and principals")
    _reject_unknown(raw, ACCESS_KEYS, where)
    roles_raw = raw.get("roles")
    if not isinstance(roles_raw, dict) or not roles_raw:
        raise ConfigError(f"{where}.roles must be a non-empty mapping of ROLE: {{offline: [...], pii: ...}}")
    roles = {str(name): _role(str(name), entry, f"{where}.roles.{name}") for name, entry in roles_raw.items()}
    principals_raw = raw.get("principals")
    if not isinstance(principals_raw, dict) or not principals_raw:
        raise ConfigError(f"{where}.principals must be a non-empty mapping of PRINCIPAL: ROLE")
    principals = {}
    for name, role in principals_raw.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ConfigError(f"{where}.principals: {name!r} is not a principal name "
                              "(letters, digits, _ . @ -)")
        if role not in roles:
            raise ConfigError(f"{where}.principals.{name}: role {role!r} is not one of access.roles "
                              f"({', '.join(sorted(roles))})")
        principals[name] = role
    return AccessPolicy(MappingProxyType(roles), MappingProxyType(principals))


def _role(name: str, entry: object, where: str) -> Role:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ConfigError(f"{where}: role name {name!r} must be an identifier")
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a mapping like {{offline: [view, service], pii: masked}}")
    _reject_unknown(entry, ROLE_KEYS, where)
    pii = entry.get("pii", "denied")
    if pii not in PII_MODES:
        raise ConfigError(f"{where}.pii must be one of {', '.join(PII_MODES)}, got {pii!r}")
    flags = {}
    for action in ACTIONS:
        value = entry.get(action, False)
        if not isinstance(value, bool):
            raise ConfigError(f"{where}.{action} must be true or false, got {value!r}")
        flags[action] = value
    return Role(name, _grants(entry.get("offline"), f"{where}.offline"),
                _grants(entry.get("online"), f"{where}.online"), pii, **flags)


def _grants(value: Any, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of feature views, services or view:feature references, "
                          f"or [\"*\"]; got {value!r}")
    for item in value:
        if item != ALL and not _GRANT.fullmatch(item):
            raise ConfigError(f"{where}: {item!r} is not a view, service or view:feature reference")
    return frozenset(value)


def _reject_unknown(mapping: dict, allowed: Collection[str], where: str) -> None:
    unknown = sorted(set(map(str, mapping)) - set(allowed))
    if unknown:
        expected = ", ".join(sorted(allowed))
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; expected one of {expected}")
