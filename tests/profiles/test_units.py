"""Pure pieces of profiles: the compiled query per dialect, bad input, and drift arithmetic."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlglot
from sqlglot import exp

from tests.aggregate.helpers import CUSTOMER
from virtualfs import Feature, FeatureView, Source
from virtualfs.compile.profile import ProfileColumn, ProfileRelation, ProfileRequest, build_profile_query
from virtualfs.definitions import DType
from virtualfs.dialects.render import to_sql
from virtualfs.errors import NotFoundError, RequestError, UnsupportedError
from virtualfs.profiles import FeatureProfile, Histogram, Profile, Thresholds, profile_target
from virtualfs.profiles.drift import compare, psi
from virtualfs.registry import Registry

JAN, FEB = datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 2, 1, tzinfo=timezone.utc)
REQUEST = ProfileRequest((ProfileRelation(exp.to_table("orders"), (
    ProfileColumn(0, exp.column("amount"), DType.FLOAT64), ProfileColumn(1, exp.column("device"), DType.STRING),
    ProfileColumn(2, exp.column("seen_at"), DType.TIMESTAMP)), exp.column("ordered_at")),), JAN, FEB)
VIEW = FeatureView("orders", [CUSTOMER], Source("orders", table="orders", timestamp="ordered_at"),
                   [Feature("amount", "float64")])


@pytest.mark.parametrize(("dialect", "quantiles", "distinct"), [
    ("duckdb", "QUANTILE_CONT(CAST(\"_vfs_c0\" AS DOUBLE), [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])[4]",
     "COUNT(DISTINCT \"_vfs_c0\")"),
    ("postgres", "(PERCENTILE_CONT(ARRAY[0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]) WITHIN GROUP (ORDER BY "
                 "CAST(\"_vfs_c0\" AS DOUBLE PRECISION)))[4]", "COUNT(DISTINCT \"_vfs_c0\")"),
    ("snowflake", "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY CAST(\"_vfs_c0\" AS DOUBLE))",
     "APPROX_COUNT_DISTINCT(\"_vfs_c0\")"),
])
def test_each_dialect_gets_its_quantile_and_distinct_functions_in_one_statement(dialect, quantiles, distinct):
    sql = to_sql(build_profile_query(REQUEST, dialect), dialect)
    assert quantiles in sql and distinct in sql
    assert len(sqlglot.parse(sql, read=dialect)) == 1  # one query
    # the window's rows are kept once where the dialect can say so
    assert ('"_vfs_rows_0" AS MATERIALIZED' in sql) == (dialect != "snowflake") and "NOT MATERIALIZED" not in sql
    assert "CAST('2026-01-01 00:00:00' AS TIMESTAMP" in sql and "< CAST('2026-02-01 00:00:00'" in sql
    assert to_sql(build_profile_query(REQUEST, dialect), dialect) == sql  # byte-identical


def test_a_dialect_without_statistics_is_refused_at_compile_time():
    with pytest.raises(UnsupportedError, match="trino: profiles need"):
        build_profile_query(REQUEST, "trino")


@pytest.mark.parametrize(("target", "error", "message"), [
    ("ordres", NotFoundError, "no feature view or feature service named 'ordres' \\(did you mean 'orders'"),
    (["orders:amont"], NotFoundError, "has no feature 'amont' \\(did you mean 'amount'"),
    (["nope:amount"], NotFoundError, "unknown feature view 'nope'"),
    ([], RequestError, "non-empty list"),
    (42, RequestError, "profile target must be"),
])
def test_bad_targets_are_clear_errors(duckdb_warehouse, target, error, message):
    with pytest.raises(error, match=message):
        profile_target(duckdb_warehouse, Registry.from_objects([VIEW]), target)


def test_a_window_that_ends_before_it_starts_is_refused_before_any_query(duckdb_warehouse):
    registry = Registry.from_objects([VIEW])  # its source table does not exist: no query may run
    with pytest.raises(RequestError, match="start .* must be before end"):
        profile_target(duckdb_warehouse, registry, "orders", FEB, JAN)
    with pytest.raises(RequestError, match="start .* must be before end"):
        profile_target(duckdb_warehouse, registry, "orders", JAN, JAN)
    with pytest.raises(RequestError, match="expected a datetime"):
        profile_target(duckdb_warehouse, registry, "orders", "2026-01-01")


def test_psi_of_equal_shares_is_zero_and_grows_with_the_shift():
    assert psi([10, 20, 70], [1, 2, 7]) == 0.0
    assert 0 < psi([50, 50], [55, 45]) < 0.1 < psi([50, 50], [68, 32]) < 0.2 < psi([50, 50], [95, 5])


def _amounts(edges, counts, mean=5.0, count=None):
    histogram = Histogram(tuple(edges), tuple(counts), edges[1] - edges[0])
    total = sum(counts)
    return FeatureProfile("v:amount", DType.FLOAT64, total, count or total, None, edges[0], edges[-1], mean, 1.0,
                          histogram=histogram)


def _profile(*features):
    return Profile("v", features, "duckdb", "exact", "exact")


def test_drift_rebins_a_histogram_with_other_edges_evenly_and_says_it_is_not_exact():
    baseline = _amounts([0.0, 1.0, 2.0], [50, 50])
    same_shape = _amounts([0.0, 0.5, 1.0, 1.5, 2.0], [25, 25, 25, 25])
    report = compare(_profile(baseline), _profile(same_shape), Thresholds())
    assert report.features[0].psi == pytest.approx(0.0) and not report.features[0].exact
    moved = _amounts([1.0, 2.0, 3.0], [50, 50], mean=6.0)  # half of it above the baseline's bins
    drift = compare(_profile(baseline), _profile(moved), Thresholds()).features[0]
    assert drift.psi > 0.2 and drift.flags == ("psi", "mean")


def test_drift_of_categories_counts_every_other_value_together():
    def devices(top, count):
        return FeatureProfile("v:device", DType.STRING, count, count, None, top_values=tuple(top))
    baseline = devices([("mobile", 60), ("desktop", 30)], 100)  # 10 others
    exact = devices([("mobile", 60), ("desktop", 30)], 100)
    assert compare(_profile(baseline), _profile(exact), Thresholds()).features[0].psi == 0.0
    shifted = devices([("mobile", 20), ("desktop", 30)], 100)  # 50 others now
    drift = compare(_profile(baseline), _profile(shifted), Thresholds()).features[0]
    assert drift.psi > 0.2 and drift.flags == ("psi",) and drift.exact

