"""On-demand features of an online read: computed in Python from the looked-up values and the
request's own fields, with the same program (or function) a training frame runs in the warehouse.

Expressions run through ``transforms.evaluate`` (no SQL parser on this path); a Python body is
rebuilt from its source once per process. A computed value's status is its inputs' worst (a
missing input makes it ``NOT_FOUND`` even when the expression still gives a value, e.g. through
``COALESCE``), its event time the latest of theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from virtualfs.definitions import DType, OnDemandView, RequestField
from virtualfs.errors import RequestError
from virtualfs.online.base import Status
from virtualfs.transforms.evaluate import Evaluator, compile_program
from virtualfs.transforms.python import rebuilt, run_function
from virtualfs.transforms.text import loads

_CASTS: dict[DType, Callable[[Any], Any]] = {DType.FLOAT64: float, DType.INT64: int, DType.STRING: str,
                                             DType.BOOL: bool, DType.TIMESTAMP: lambda v: v}


@dataclass(frozen=True)
class OnlineTransform:
    """One on-demand view of a request: its outputs (feature -> response column), its feature
    inputs (name -> response column), its request fields, and its compiled expressions."""

    view: OnDemandView
    outputs: tuple[tuple[str, str], ...]
    features: tuple[tuple[str, str], ...]
    evaluators: tuple[Evaluator, ...] = ()

    @classmethod
    def build(cls, view: OnDemandView, outputs: tuple[tuple[str, str], ...],
              features: tuple[tuple[str, str], ...]) -> OnlineTransform:
        evaluators = () if view.function_source else tuple(
            compile_program(loads(view.programs[name])) for name, _ in outputs)
        return cls(view, outputs, features, evaluators)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(output for _, output in self.outputs)

    def compute(self, values: Mapping[str, list], request: Mapping[str, list], rows: int) -> dict[str, list]:
        """The outputs for ``rows`` rows, from response columns ``values`` and request fields."""
        inputs = {name: values[column] for name, column in self.features}
        inputs.update({field.name: request[field.name] for field in self.view.request_fields})
        if not self.evaluators:
            function = rebuilt(self.view.function_name, self.view.function_source)
            result = run_function(function, inputs, rows, tuple(n for n, _ in self.outputs), self.view.name)
            return {output: result[name] for name, output in self.outputs}
        names = list(inputs)
        envs = [dict(zip(names, row, strict=True)) for row in zip(*inputs.values(), strict=True)] \
            if names else [{} for _ in range(rows)]
        out = {}
        for (name, output), run in zip(self.outputs, self.evaluators, strict=True):
            cast = _CASTS[self.view.feature(name).dtype]
            out[output] = [None if (value := run(env)) is None else cast(value) for env in envs]
        return out

    def statuses(self, statuses: Mapping[str, list[Status]], events: Mapping[str, list[int | None]],
                 rows: int) -> tuple[list[Status], list[int | None]]:
        """Per row, the worst status of the feature inputs and the latest of their event times."""
        columns = [column for _, column in self.features]
        worst = [Status.PRESENT] * rows
        latest: list[int | None] = [None] * rows
        for column in columns:
            for row, (status, event) in enumerate(zip(statuses[column], events[column], strict=True)):
                if worst[row] is Status.PRESENT and status is not Status.PRESENT:
                    worst[row] = status
                if event is not None and (latest[row] is None or event > latest[row]):
                    latest[row] = event
        return worst, latest


def request_columns(fields: Sequence[RequestField], request_data: Mapping[str, Any] | None,
                    rows: int) -> dict[str, list]:
    """``request_data`` checked against ``fields``: a list of ``rows`` values of the field's
    dtype (or None) per field; a RequestError names the field and what was wrong."""
    if not fields:
        return {}
    if not isinstance(request_data, Mapping):
        names = ", ".join(f.name for f in fields)
        raise RequestError(f"request_data must be a mapping of columns; the features asked for need {names}")
    columns = {}
    for field in fields:
        if field.name not in request_data:
            raise RequestError(f"request_data has no {field.name!r} (a request field of type {field.dtype})")
        values = request_data[field.name]
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise RequestError(f"request_data[{field.name!r}] must be a list of {rows} values")
        if len(values) != rows:
            raise RequestError(f"request_data[{field.name!r}] has {len(values)} values for {rows} rows")
        columns[field.name] = [_checked(value, field) for value in values]
    return columns


def _checked(value: Any, field: RequestField) -> Any:
    if value is None:
        return None
    ok = {DType.FLOAT64: isinstance(value, (int, float)) and not isinstance(value, bool),
          DType.INT64: isinstance(value, int) and not isinstance(value, bool),
          DType.STRING: isinstance(value, str), DType.BOOL: isinstance(value, bool),
          DType.TIMESTAMP: isinstance(value, datetime)}[field.dtype]
    if not ok:
        raise RequestError(f"request_data[{field.name!r}]: {value!r} is not a {field.dtype}")
    return float(value) if field.dtype is DType.FLOAT64 else value
