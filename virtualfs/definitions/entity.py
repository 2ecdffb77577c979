"""Entity: the thing features describe, identified by its join keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from virtualfs.definitions.base import (
    FrozenDict,
    check_identifier,
    check_metadata,
    check_name,
    check_unique,
    data_field,
    freeze_str_list,
    metadata_field,
    set_frozen,
)
from virtualfs.errors import DefinitionError


@dataclass(frozen=True)
class Entity:
    """A business object with a stable id, e.g. ``Entity("customer", ["customer_id"])``."""

    kind: ClassVar[str] = "entity"

    name: str = data_field()
    join_keys: tuple[str, ...] = data_field()
    description: str = metadata_field(default="")
    owner: str = metadata_field(default="")
    tags: FrozenDict = metadata_field(default_factory=FrozenDict)

    def __post_init__(self) -> None:
        check_name(self.kind, self.name)
        keys = freeze_str_list(self.kind, self.name, "join_keys", self.join_keys)
        if not keys:
            raise DefinitionError(self.kind, self.name, "join_keys must name at least one column")
        for key in keys:
            check_identifier(self.kind, self.name, key, "join key")
        check_unique(self.kind, self.name, "join key", keys)
        set_frozen(self, "join_keys", keys)
        check_metadata(self)
