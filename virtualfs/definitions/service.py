"""FeatureService: a named list of feature references that one model consumes."""

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
class FeatureRef:
    """A parsed ``"view:feature"`` or ``"view:*"`` reference."""

    view: str
    feature: str  # "*" for all features of the view

    @classmethod
    def parse(cls, text: object) -> FeatureRef:
        if not isinstance(text, str) or text.count(":") != 1:
            raise ValueError(f"feature reference {text!r} must look like 'view:feature' or 'view:*'")
        view, feature = text.split(":")
        check_identifier("feature reference", text, view, "view")
        if feature != "*":
            check_identifier("feature reference", text, feature, "feature")
        return cls(view, feature)

    def __str__(self) -> str:
        return f"{self.view}:{self.feature}"


@dataclass(frozen=True)
class FeatureService:
    """``FeatureService("reorder_model", ["customer_orders:*", "product_stats:price"])``."""

    kind: ClassVar[str] = "feature service"

    name: str = data_field()
    features: tuple[str, ...] = data_field()
    description: str = metadata_field(default="")
    owner: str = metadata_field(default="")
    tags: FrozenDict = metadata_field(default_factory=FrozenDict)

    def __post_init__(self) -> None:
        check_name(self.kind, self.name)
        check_metadata(self)
        refs = freeze_str_list(self.kind, self.name, "features", self.features)
        if not refs:
            raise DefinitionError(self.kind, self.name, "features must list at least one reference")
        for ref in refs:
            try:
                FeatureRef.parse(ref)
            except (ValueError, DefinitionError) as error:
                raise DefinitionError(self.kind, self.name, str(error)) from None
        check_unique(self.kind, self.name, "feature reference", refs)
        set_frozen(self, "features", refs)

    @property
    def refs(self) -> tuple[FeatureRef, ...]:
        return tuple(FeatureRef.parse(ref) for ref in self.features)
