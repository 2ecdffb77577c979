"""Every PIT strategy a warehouse can run equals the pandas reference, under both rules."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

from tests.reference import reference_frame
from tests.retrieval.helpers import case_in_warehouse, python_values, reference_view, strategies_for
from tests.strategies import PitCase, pit_cases
from virtualfs.compile.plan import RULES
from virtualfs.retrieval import get_historical_features

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("rule", RULES)
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=pit_cases())
def test_pit_every_strategy_matches_reference(warehouse, rule: str, case: PitCase) -> None:
    expected = python_values(reference_frame(
        case.entities, [reference_view(i, s) for i, s in enumerate(case.sources)], rule))
    entities = pa.Table.from_pandas(case.entities, preserve_index=False) if case.as_arrow else case.entities
    refs = [f"v{i}:*" for i in range(len(case.sources))]
    with case_in_warehouse(warehouse, case) as registry:
        job = get_historical_features(warehouse, registry, entities, refs,
                                      full_feature_names=True, point_in_time=rule)
        for strategy in strategies_for(warehouse):
            got = python_values(dataclasses.replace(job, strategy=strategy).to_pandas())
            assert got == expected, f"{strategy} differs from the reference"
