"""Assembling a request: strategy choice per dialect, parts for wide requests, stable SQL."""

from __future__ import annotations

import dataclasses

import pytest
import sqlglot
from sqlglot import exp

from tests.compile.helpers import orders_view, request
from virtualfs.compile.historical import build_retrieval
from virtualfs.compile.pit import LateralLimit, WindowRank, choose_strategy
from virtualfs.dialects import KNOWN, capabilities_of
from virtualfs.errors import UnsupportedError

FAKESNOW = dataclasses.replace(capabilities_of("snowflake"), supports_match_condition=False)


@pytest.mark.parametrize(("capabilities", "strategy"), [
    (capabilities_of("duckdb"), "asof_join"),
    (capabilities_of("snowflake"), "match_condition"),
    (FAKESNOW, "window_rank"),
    (capabilities_of("postgres"), "window_rank"),
    (capabilities_of("bigquery"), "window_rank"),
    (capabilities_of("databricks"), "window_rank"),
    (capabilities_of("trino"), "window_rank"),
])
def test_strategy_is_chosen_from_capabilities(capabilities, strategy) -> None:
    assert choose_strategy(capabilities).name == strategy


def test_strategy_by_name_must_be_known_and_supported() -> None:
    assert choose_strategy(capabilities_of("postgres"), "lateral_limit") == LateralLimit()
    with pytest.raises(UnsupportedError, match="unknown PIT strategy 'asof'"):
        choose_strategy(capabilities_of("duckdb"), "asof")
    with pytest.raises(UnsupportedError, match="'asof_join' is not supported"):
        choose_strategy(capabilities_of("trino"), "asof_join")


def test_unknown_dialect_names_the_known_ones() -> None:
    with pytest.raises(UnsupportedError, match="dialect 'oracle' is not supported; expected one of duckdb"):
        capabilities_of("oracle")


@pytest.mark.parametrize("dialect", ["postgres", "trino"])
def test_window_rank_without_qualify_is_rewritten_to_a_subquery(dialect) -> None:
    compiled = build_retrieval(request(orders_view()), dialect, capabilities_of(dialect), WindowRank())
    sql = compiled.render(dialect)
    assert "QUALIFY" not in sql and "ROW_NUMBER() OVER" in sql
    assert isinstance(sqlglot.parse_one(sql, read=dialect), exp.Select)


@pytest.mark.parametrize("dialect", list(KNOWN))
def test_same_request_gives_byte_identical_sql(dialect) -> None:
    first = build_retrieval(request(orders_view()), dialect, capabilities_of(dialect)).render(dialect)
    again = build_retrieval(request(orders_view()), dialect, capabilities_of(dialect)).render(dialect)
    assert first == again


def test_wide_request_is_split_into_balanced_parts() -> None:
    views = [orders_view(f"orders_{i}") for i in range(10)]
    capabilities = dataclasses.replace(capabilities_of("duckdb"), max_joins_per_query=4)
    compiled = build_retrieval(request(*views, carry=("customer_id",)), "duckdb", capabilities)
    creates = [s for s in compiled.setup if isinstance(s, exp.Create)]
    assert [c.this.name for c in creates] == ["_vfs_part_0", "_vfs_part_1", "_vfs_part_2"]
    asof_joins = [[j for j in c.expression.find_all(exp.Join) if j.args.get("method") == "ASOF"] for c in creates]
    assert [len(joins) for joins in asof_joins] == [4, 3, 3]
    assert [d.this.name for d in compiled.cleanup] == ["_vfs_part_0", "_vfs_part_1", "_vfs_part_2"]
    final = compiled.query.sql("duckdb")
    assert final.count("LEFT JOIN") == 3 and final.endswith('ORDER BY "_vfs_entity"."_vfs_row" ASC')


def test_over_long_sql_is_split_further() -> None:
    views = [orders_view(f"orders_{i}") for i in range(4)]
    one = build_retrieval(request(views[0]), "duckdb", capabilities_of("duckdb")).render("duckdb")
    capabilities = dataclasses.replace(capabilities_of("duckdb"), max_query_length=len(one) + 100)
    compiled = build_retrieval(request(*views), "duckdb", capabilities)
    assert len([s for s in compiled.setup if isinstance(s, exp.Create)]) == 4
    tiny = dataclasses.replace(capabilities, max_query_length=100)
    with pytest.raises(UnsupportedError, match="one feature view compiles to .* characters"):
        build_retrieval(request(*views), "duckdb", tiny)
