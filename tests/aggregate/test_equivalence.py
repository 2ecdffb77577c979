"""Both formulations equal the pandas reference, and each other, on hypothesis cases.

DuckDB draws many cases; PostgreSQL and Snowflake (fakesnow) fewer, each query being slower.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.aggregate.cases import AggregateCase, aggregate_cases
from tests.aggregate.helpers import assert_rows_match, expected, formulations_for, run_case

EXAMPLES = {"duckdb": 150, "postgres": 25, "snowflake": 12, "spark": 3}


def test_formulations_equal_the_reference(shared_warehouse):
    warehouse = shared_warehouse

    @settings(max_examples=EXAMPLES[warehouse.dialect], deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(case=aggregate_cases())
    def check(case: AggregateCase) -> None:
        results = run_case(warehouse, case, formulations_for(warehouse))
        wanted = expected(case)
        for name, rows in results.items():
            assert_rows_match(rows, wanted, f"{warehouse.dialect} {name}")

    check()
