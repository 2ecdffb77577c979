"""One error tree. Every error names the object at fault, the field, and what was expected."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class VirtualfsError(Exception):
    """Base of every error virtualfs raises on purpose."""


class DefinitionError(VirtualfsError, ValueError):
    """A definition (entity, source, view, feature, service) is malformed."""

    def __init__(self, kind: str, name: str, problem: str) -> None:
        self.kind, self.name, self.problem = kind, name, problem
        super().__init__(f"{kind} {name!r}: {problem}")


class ConfigError(VirtualfsError, ValueError):
    """virtualfs.yaml is missing, malformed, or names an unknown key or variable."""


class RepositoryError(VirtualfsError):
    """The definitions in a repository folder cannot be loaded or contradict each other."""


class CatalogError(VirtualfsError):
    """The metadata catalog cannot be read or written."""


class ConflictError(CatalogError):
    """Another apply wrote a catalog version first; plan again and retry."""


class NotFoundError(VirtualfsError, KeyError):
    """A named object (view, feature, service, version, table) does not exist."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class CheckFailedError(VirtualfsError):
    """An ``error`` check failed on the rows a refresh was about to publish: nothing was published
    (table, tiles, watermark and online store are as they were) and the run is recorded as failed.

    ``failures`` are the failed checks' results (``view``, ``check``, ``observed``, ``expected``);
    ``refreshed`` what the same refresh did publish for other views.
    """

    def __init__(self, failures: Sequence[Any], refreshed: Sequence[Any] = ()) -> None:
        self.failures, self.refreshed = tuple(failures), tuple(refreshed)
        super().__init__("; ".join(failure.text() for failure in self.failures))


class AccessDeniedError(VirtualfsError, PermissionError):
    """The access policy (virtualfs.yaml ``access:``) refuses what a principal asked for; nothing
    ran. ``principal`` asked for ``target`` (a feature reference, or an action's object) and
    ``grant`` names the grant it lacks (``access.roles.<role>.<key>``)."""

    def __init__(self, message: str, principal: str | None = None, target: str = "", grant: str = "") -> None:
        self.principal, self.target, self.grant = principal, target, grant
        super().__init__(message)


class ValidationError(VirtualfsError, ValueError):
    """Definitions do not match the live warehouse (missing table, column, wrong type)."""


class RequestError(VirtualfsError, ValueError):
    """A retrieval request is malformed (entity frame, feature references, options)."""


class WarehouseError(VirtualfsError):
    """The warehouse could not be reached or refused a statement."""


class OnlineStoreError(VirtualfsError):
    """The online store could not be reached or refused a write."""


class OnlineStoreTimeout(OnlineStoreError, TimeoutError):
    """The online store did not answer within a read deadline."""


class UnsupportedError(VirtualfsError, NotImplementedError):
    """A dialect or backend cannot do what was asked; raised at compile time."""
