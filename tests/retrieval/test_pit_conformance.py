"""Every PIT strategy a warehouse can run equals the pandas reference, under both rules."""

from __future__ import annotations

import dataclasses

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings

from tests.reference.pit import reference_frame
from tests.retrieval.helpers import case_in_warehouse, python_values, reference_view, strategies_for
from tests.strategies import PitCase, pit_cases
from virtualfs.compile.request import RULES
from virtualfs.retrieval import get_historical_features

# Examples per warehouse: fakesnow takes about a second per statement batch, so it gets fewer.
EXAMPLES = {"duckdb": 40, "postgres": 25, "snowflake": 12, "spark": 6}


@pytest.mark.parametrize("rule", RULES)
def test_pit_every_strategy_matches_reference(warehouse, rule: str) -> None:
    @settings(max_examples=EXAMPLES.get(warehouse.dialect, 20), deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(case=pit_cases())
    def matches_reference(case: PitCase) -> None:
        expected = python_values(reference_frame(
            case.entities, [reference_view(i, s) for i, s in enumerate(case.sources)], rule))
        entities = pa.Table.from_pandas(case.entities, preserve_index=False) if case.as_arrow else case.entities
        refs = [f"v{i}:*" for i in range(len(case.sources))]
        with case_in_warehouse(warehouse, case) as registry:
            job = get_historical_features(warehouse, registry, entities, refs,
                                          full_feature_names=True, point_in_time=rule,
                                          on_null_timestamp="null")  # some labels have no time
            for strategy in strategies_for(warehouse):
                got = python_values(dataclasses.replace(job, strategy=strategy).to_pandas())
                assert got == expected, f"{strategy} differs from the reference"

    matches_reference()
