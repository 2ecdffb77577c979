"""On-demand features in training frames: the lookups their inputs need, the columns computed in
the warehouse (expression bodies, ``compile.on_demand``), and the Python bodies run on the fetched
Arrow batches.

Example::

    plan = plan_on_demand(registry, ["cart_ratio:ratio"], full_feature_names=False)
    plan.lookups      # customer_activity's avg_basket_30d, read hidden
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

import pyarrow as pa

from virtualfs.compile.aggregate.lookup import feature_dtype
from virtualfs.compile.on_demand import DerivedColumn
from virtualfs.compile.request import FeatureColumn, ViewLookup
from virtualfs.compile.resolve import claim_output, resolve_lookups
from virtualfs.definitions import FeatureRef, OnDemandView
from virtualfs.registry import FeaturesArg, Registry
from virtualfs.transforms.python import rebuilt, run_function
from virtualfs.transforms.requests import hidden_output, split_request


@dataclass(frozen=True)
class FunctionStep:
    """A Python body to run on the fetched frame: its inputs (body name -> frame column, request
    fields -> entity column) and its outputs (feature -> output column, dtype)."""

    view: OnDemandView
    features: tuple[tuple[str, str], ...]
    requests: tuple[tuple[str, str], ...]
    outputs: tuple[tuple[str, str], ...]
    masked: bool = False

    def run(self, frame: pa.Table, entities: pa.Table | None) -> dict[str, pa.Array]:
        """The outputs over ``frame`` (features) and ``entities`` (request columns), batch-wise."""
        view, rows = self.view, frame.num_rows
        types = {output: view.feature(name).dtype.to_arrow() for name, output in self.outputs}
        if self.masked:
            return {output: pa.nulls(rows, types[output]) for output in types}
        columns = {name: frame.column(column).to_pylist() for name, column in self.features}
        source = entities if entities is not None else frame
        columns.update({name: source.column(column).to_pylist() for name, column in self.requests})
        function = rebuilt(view.function_name, view.function_source)
        result = run_function(function, columns, rows, tuple(n for n, _ in self.outputs), view.name)
        return {output: pa.array(result[name], types[output]) for name, output in self.outputs}


@dataclass(frozen=True)
class OnDemandPlan:
    """The lookups a request reads (on-demand inputs included), the warehouse-computed columns,
    the Python steps, the hidden input columns, and every output column in request order."""

    lookups: tuple[ViewLookup, ...]
    derived: tuple[DerivedColumn, ...] = ()
    functions: tuple[FunctionStep, ...] = ()
    hidden: frozenset[str] = frozenset()
    request_fields: tuple[str, ...] = ()
    # the on-demand features asked for, "view:feature", in request order
    on_demand_refs: tuple[str, ...] = ()

    def with_request_columns(self, columns: Mapping[str, str]) -> OnDemandPlan:
        """Request fields read from entity columns ``columns`` (field -> column)."""
        def placed(requests: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
            return tuple((name, columns[name]) for name, _ in requests)

        derived = tuple(replace(d, requests=placed(d.requests)) for d in self.derived)
        steps = tuple(replace(s, requests=placed(s.requests)) for s in self.functions)
        return replace(self, derived=derived, functions=steps)

    def masked(self, masked: Collection[str]) -> OnDemandPlan:
        """Outputs computed from an input the principal reads masked come back null."""
        if not masked:
            return self
        refs = {f.output: f"{lookup.view.name}:{f.name}" for lookup in self.lookups for f in lookup.features}

        def reads_masked(columns: tuple[tuple[str, str], ...]) -> bool:
            return any(refs[column] in masked for _, column in columns)

        derived = tuple(replace(d, masked=reads_masked(d.features)) for d in self.derived)
        steps = tuple(replace(s, masked=reads_masked(s.features)) for s in self.functions)
        return replace(self, derived=derived, functions=steps)

    @property
    def dropped_in_sql(self) -> frozenset[str]:
        """The hidden inputs the SQL drops: all of them, unless a Python body still reads them."""
        return frozenset() if self.functions else self.hidden

    @property
    def outputs(self) -> list[str]:
        return [*(d.output for d in self.derived), *(o for s in self.functions for _, o in s.outputs)]


def plan_on_demand(registry: Registry, features: FeaturesArg, full_feature_names: bool) -> OnDemandPlan:
    """What reading ``features`` takes, on-demand features included."""
    split = split_request(registry, features)
    if not split.on_demand:
        return OnDemandPlan(resolve_lookups(registry, features, full_feature_names))
    asked = resolve_lookups(registry, [str(r) for r in split.asked], full_feature_names) \
        if split.asked else ()
    lookups = _with_hidden(registry, asked, split.hidden)
    columns = {(lookup.view.name, f.name): f.output for lookup in lookups for f in lookup.features}
    seen = {output: f"{view}:{name}" for (view, name), output in columns.items()}
    derived, steps = [], []
    for ask in split.on_demand:
        for name in ask.features:
            output, ref = ask.output(name, full_feature_names), f"{ask.view.name}:{name}"
            claim_output(seen, output, ref, full_feature_names)
        features = tuple((ref.feature, columns[ref.view, ref.feature]) for ref in ask.view.feature_inputs)
        requests = tuple((field.name, field.name) for field in ask.view.request_fields)
        if ask.view.function_source:
            outputs = tuple((name, ask.output(name, full_feature_names)) for name in ask.features)
            steps.append(FunctionStep(ask.view, features, requests, outputs))
            continue
        derived += [DerivedColumn(ask.output(name, full_feature_names), ask.view.programs[name], features,
                                  requests, ask.view.feature(name).dtype) for name in ask.features]
    fields = tuple(dict.fromkeys(f.name for ask in split.on_demand for f in ask.view.request_fields))
    hidden = frozenset(hidden_output(ref) for ref in split.hidden)
    refs = tuple(f"{ask.view.name}:{name}" for ask in split.on_demand for name in ask.features)
    return OnDemandPlan(lookups, tuple(derived), tuple(steps), hidden, fields, refs)


def _with_hidden(registry: Registry, lookups: tuple[ViewLookup, ...],
                 hidden: tuple[FeatureRef, ...]) -> tuple[ViewLookup, ...]:
    by_view = {lookup.view.name: list(lookup.features) for lookup in lookups}
    views = {lookup.view.name: lookup.view for lookup in lookups}
    for ref in hidden:
        view = views.setdefault(ref.view, registry.view(ref.view))
        column = FeatureColumn(ref.feature, hidden_output(ref), feature_dtype(view, ref.feature))
        by_view.setdefault(ref.view, []).append(column)
    return tuple(ViewLookup(views[name], tuple(columns)) for name, columns in by_view.items())


