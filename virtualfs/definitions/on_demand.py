"""OnDemandView: features computed at request time from other views' features and from values
that arrive with the request (``RequestField``), one definition for training and for serving."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from virtualfs.definitions.base import (
    FrozenDict,
    check_metadata,
    check_name,
    check_unique,
    data_field,
    input_field,
    metadata_field,
    parses_sql,
    set_frozen,
)
from virtualfs.definitions.dtypes import DType
from virtualfs.definitions.feature_view import Feature, check_typed_name
from virtualfs.definitions.service import FeatureRef
from virtualfs.errors import DefinitionError


@dataclass(frozen=True)
class RequestField:
    """A value the caller sends with the request: ``RequestField("cart_total", "float64")``.
    Online it comes in ``request_data``; in a training frame, from the entity frame's column."""

    kind: ClassVar[str] = "request field"

    name: str = data_field()
    dtype: DType = data_field()
    description: str = metadata_field(default="")

    def __post_init__(self) -> None:
        check_typed_name(self)
        if not isinstance(self.description, str):
            raise DefinitionError(self.kind, self.name, f"description must be text, got {self.description!r}")


@dataclass(frozen=True)
class OnDemandView:
    """Features computed per request from ``inputs`` (``"view:feature"`` references and
    ``RequestField``s), by one SQL expression per output (``expressions``) or a Python
    ``function`` over columns. Its features are referenced as ``"name:feature"``.

    >>> OnDemandView("cart", ["orders:avg_basket", RequestField("cart_total", "float64")],
    ...              [Feature("ratio", "float64")],
    ...              expressions={"ratio": "cart_total / NULLIF(avg_basket, 0)"}).input_names
    ('avg_basket', 'cart_total')
    """

    kind: ClassVar[str] = "on demand view"

    name: str = data_field()
    inputs: tuple[str | RequestField, ...] = data_field()
    features: tuple[Feature, ...] = data_field()
    expressions: FrozenDict = data_field(default_factory=FrozenDict)
    description: str = metadata_field(default="")
    owner: str = metadata_field(default="")
    tags: FrozenDict = metadata_field(default_factory=FrozenDict)
    # each expression as a program (``transforms.program``), derived when defined: the catalog
    # keeps it so that the online read path never parses SQL
    programs: FrozenDict = data_field(default_factory=FrozenDict, repr=False)
    # a Python body: kept as its name, source text and the text's hash (``transforms.python``)
    function_name: str | None = data_field(default=None)
    function_source: str | None = data_field(default=None, repr=False)
    function_hash: str | None = data_field(default=None)
    function: Callable[..., Any] | None = input_field(default=None, repr=False)

    def __post_init__(self) -> None:
        check_name(self.kind, self.name)
        check_metadata(self)
        self._freeze_inputs()
        self._freeze_features()
        if self.function is not None:
            self._keep_function()
        if not isinstance(self.expressions, (dict, FrozenDict)):
            self._fail(f"expressions must be a mapping of feature name to SQL text, got {self.expressions!r}")
        set_frozen(self, "expressions", FrozenDict(dict(self.expressions or {})))
        if bool(self.expressions) == bool(self.function_source):
            self._fail("give exactly one body: expressions={feature: SQL} or function=python_function")
        if self.expressions:
            self._check_expressions()

    @property
    def feature_inputs(self) -> tuple[FeatureRef, ...]:
        """The ``view:feature`` inputs, parsed."""
        return tuple(FeatureRef.parse(item) for item in self.inputs if isinstance(item, str))

    @property
    def request_fields(self) -> tuple[RequestField, ...]:
        return tuple(item for item in self.inputs if isinstance(item, RequestField))

    @property
    def input_names(self) -> tuple[str, ...]:
        """What the body calls its inputs: a feature by its name, a request field by its own."""
        return tuple(item.name if isinstance(item, RequestField) else FeatureRef.parse(item).feature
                     for item in self.inputs)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.features)

    def feature(self, name: str) -> Feature:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(name)

    def _fail(self, problem: str) -> None:
        raise DefinitionError(self.kind, self.name, problem)

    def _freeze_inputs(self) -> None:
        if not isinstance(self.inputs, (list, tuple)) or not self.inputs:
            self._fail("inputs must be a non-empty list of 'view:feature' references and RequestFields")
        for item in self.inputs:
            if isinstance(item, str):
                try:
                    ref = FeatureRef.parse(item)
                except (ValueError, DefinitionError) as error:
                    self._fail(f"input {item!r}: {error}")
                if ref.feature == "*":
                    self._fail(f"input {item!r}: name one feature, not '*'")
            elif not isinstance(item, RequestField):
                self._fail(f"input {item!r} is neither a 'view:feature' reference nor a RequestField")
        set_frozen(self, "inputs", tuple(self.inputs))
        check_unique(self.kind, self.name, "input name (a feature's name or a request field's)",
                     list(self.input_names))

    def _freeze_features(self) -> None:
        if not isinstance(self.features, (list, tuple)) or not self.features:
            self._fail("features must be a non-empty list of Feature")
        for item in self.features:
            if not isinstance(item, Feature):
                self._fail(f"not a Feature: {item!r}")
        check_unique(self.kind, self.name, "feature name", [f.name for f in self.features])
        set_frozen(self, "features", tuple(self.features))

    def _keep_function(self) -> None:
        from virtualfs.transforms.python import FunctionError, function_source, source_hash

        try:
            name, text = function_source(self.function)
        except FunctionError as error:
            self._fail(f"function: {error}")
        for field_name, value in (("function_name", name), ("function_source", text),
                                  ("function_hash", source_hash(text)), ("function", None)):
            set_frozen(self, field_name, value)

    def _check_expressions(self) -> None:
        extra = sorted(set(self.expressions) - set(self.feature_names))
        missing = [name for name in self.feature_names if name not in self.expressions]
        if extra or missing:
            self._fail(f"expressions must give one per feature: missing {missing}, not features {extra}")
        if not parses_sql():  # read back from the catalog: its programs were derived when applied
            return
        from virtualfs.transforms.program import ProgramError, columns_of, parse_program
        from virtualfs.transforms.text import dumps

        programs = {}
        for output, text in self.expressions.items():
            try:
                program = parse_program(text, output)
            except ProgramError as error:
                self._fail(str(error))
            unknown = [c for c in columns_of(program) if c not in self.input_names]
            if unknown:
                self._fail(f"expression of {output!r} reads {unknown[0]!r}, which is not an input "
                           f"(inputs: {', '.join(self.input_names)})")
            programs[output] = dumps(program)
        set_frozen(self, "programs", FrozenDict(programs))
