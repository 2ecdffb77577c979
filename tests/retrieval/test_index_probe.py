"""PostgreSQL: a source with an index on (keys, event time) is read by per-row index probes
(``LateralLimit``), chosen by itself, and gives the reference's frame; without such an index the
dialect's default is kept."""

from __future__ import annotations

import itertools

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from sqlglot import exp

from tests.backends import create_user_table, make_warehouse
from tests.reference.pit import reference_frame
from tests.retrieval.helpers import case_in_warehouse, python_values, reference_view
from tests.strategies import PitCase, pit_cases
from virtualfs import Entity, Feature, FeatureView, Source
from virtualfs.compile.request import RULES
from virtualfs.dialects.identifiers import warehouse_table
from virtualfs.registry import Registry
from virtualfs.retrieval import get_historical_features

_indexes = itertools.count()


@pytest.fixture
def postgres():
    with make_warehouse("postgres") as opened:
        yield opened


def create_index(warehouse, table: str, columns: list[str]) -> None:
    index = exp.Create(
        this=exp.Index(this=exp.to_identifier(f"vfs_test_probe_{next(_indexes)}"),
                       table=warehouse_table(table, warehouse.dialect),
                       params=exp.IndexParameters(columns=[exp.Ordered(this=exp.column(c)) for c in columns])),
        kind="INDEX",
    )
    warehouse.execute(index)


@pytest.mark.parametrize("rule", RULES)
def test_indexed_sources_are_probed_and_match_the_reference(postgres, rule: str) -> None:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(case=pit_cases())
    def matches_reference(case: PitCase) -> None:
        expected = python_values(reference_frame(
            case.entities, [reference_view(i, s) for i, s in enumerate(case.sources)], rule))
        refs = [f"v{i}:*" for i in range(len(case.sources))]
        with case_in_warehouse(postgres, case) as registry:
            for view in registry.views.values():
                create_index(postgres, view.source.table, [*reversed(view.join_keys), "event_at"])
            job = get_historical_features(postgres, registry, case.entities, refs,
                                          full_feature_names=True, point_in_time=rule,
                                          on_null_timestamp="null")  # some labels have no time
            assert job.strategy.name == "lateral_limit"
            assert python_values(job.to_pandas()) == expected

    matches_reference()


@pytest.fixture
def orders(postgres):
    rows = pa.table({
        "customer_id": [1, 1, 2],
        "ordered_at": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"], utc=True),
        "amount": [1.0, 2.0, 3.0],
    })
    table = create_user_table(postgres, "vfs_probe_orders", rows)
    yield "vfs_probe_orders"
    postgres.execute(exp.Drop(this=table, kind="TABLE", exists=True))


def _job(warehouse, table: str, query: str | None = None):
    source = (Source("orders", query=query, timestamp="ordered_at") if query
              else Source("orders", table=table, timestamp="ordered_at"))
    view = FeatureView("orders", [Entity("customer", ["customer_id"])], source, [Feature("amount", "float64")])
    labels = pd.DataFrame({"customer_id": [1, 2],
                           "event_timestamp": pd.to_datetime(["2026-01-05", "2026-01-05"], utc=True)})
    return get_historical_features(warehouse, Registry.from_objects([view]), labels, ["orders:amount"])


@pytest.mark.parametrize(("columns", "expected"), [
    ([], "window_rank"),
    (["ordered_at", "customer_id"], "window_rank"),       # the event time first: no probe by key
    (["customer_id"], "window_rank"),                     # keys only: every row of a key is read
    (["customer_id", "ordered_at"], "lateral_limit"),
    (["customer_id", "ordered_at", "amount"], "lateral_limit"),
])
def test_the_probe_needs_an_index_leading_with_the_keys_then_the_event_time(postgres, orders, columns, expected):
    if columns:
        create_index(postgres, orders, columns)

    job = _job(postgres, orders)

    assert job.strategy.name == expected
    assert job.to_pandas()["amount"].tolist() == [2.0, 3.0]


def test_a_query_source_is_never_probed(postgres, orders):
    create_index(postgres, orders, ["customer_id", "ordered_at"])

    job = _job(postgres, orders, query="SELECT * FROM vfs_probe_orders")

    assert job.strategy.name == "window_rank"


def test_indexed_columns_lists_plain_btree_indexes_in_order(postgres, orders):
    create_index(postgres, orders, ["customer_id", "ordered_at"])

    assert postgres.indexed_columns(warehouse_table(orders, "postgres")) == [("customer_id", "ordered_at")]
    assert postgres.indexed_columns(warehouse_table("vfs_no_such_table", "postgres")) == []
