"""The check query, unit by unit: what each condition asks the warehouse, in each dialect."""

import pytest
from sqlglot import exp

from virtualfs import Check, Entity, Feature, FeatureView, Source
from virtualfs.compile.checks import CheckPart, build_check_query
from virtualfs.dialects.render import to_sql

TABLE = exp.to_table("t")
OUTER = 'SELECT "_vfs_check_0"."_vfs_p0", "_vfs_check_0"."_vfs_p1"'


def view(*checks: Check) -> FeatureView:
    return FeatureView("v", [Entity("c", ["id"])], Source("s", table="t", timestamp="ts"),
                       [Feature("amount", "float64"), Feature("gift", "bool")], checks=list(checks))


CASES = [
    (Check("amount", not_null=0.9), "duckdb",
     OUTER + ' FROM (SELECT COUNT(*) AS "_vfs_p0", COUNT("amount") AS "_vfs_p1" FROM "t") AS "_vfs_check_0"'),
    (Check("amount", between=(0, None)), "duckdb",
     OUTER + ', "_vfs_check_0"."_vfs_p2", "_vfs_check_0"."_vfs_p3" FROM (SELECT COUNT(*) AS "_vfs_p0", '
     'COUNT(CASE WHEN "amount" < 0 THEN 1 END) AS "_vfs_p1", MIN("amount") AS "_vfs_p2", MAX("amount") AS "_vfs_p3" '
     'FROM "t") AS "_vfs_check_0"'),
    (Check("gift", values=[True]), "postgres",
     OUTER + ', "_vfs_check_0"."_vfs_p2" FROM (SELECT COUNT(*) AS "_vfs_p0", COUNT(CASE WHEN NOT "gift" IN (TRUE) '
     'THEN 1 END) AS "_vfs_p1", MIN(CAST(CASE WHEN NOT "gift" IN (TRUE) THEN "gift" END AS VARCHAR)) AS "_vfs_p2" '
     'FROM "t") AS "_vfs_check_0"'),
    (Check("amount", mean_between=(1, 2.5)), "snowflake",
     OUTER + ' FROM (SELECT COUNT(*) AS "_vfs_p0", AVG(CAST("AMOUNT" AS DOUBLE)) AS "_vfs_p1" FROM "t") '
     'AS "_vfs_check_0"'),
    (Check(unique_per_time=True), "duckdb",
     'SELECT "_vfs_check_0"."_vfs_p0", "_vfs_check_1"."_vfs_p1" FROM (SELECT COUNT(*) AS "_vfs_p0" FROM "t") '
     'AS "_vfs_check_0" CROSS JOIN (SELECT COUNT(*) AS "_vfs_p1" FROM (SELECT 1 AS "_vfs_one" FROM "t" '
     'GROUP BY "id", "ts") AS "_vfs_groups") AS "_vfs_check_1"'),
]


@pytest.mark.parametrize(("check", "dialect", "sql"), CASES, ids=[c[0].condition for c in CASES])
def test_each_condition_compiles_to_aggregates_over_the_relation(check, dialect, sql):
    assert to_sql(build_check_query(view(check), {"window": TABLE, "table": TABLE}, dialect).select, dialect) == sql


def test_scopes_over_one_relation_share_its_scan_and_other_relations_get_theirs():
    checks = (Check(rows_at_least=1), Check(rows_at_least=2, scope="table", name="at_least_2"))
    shared = build_check_query(view(*checks), {"window": TABLE, "table": TABLE}, "duckdb")
    assert to_sql(shared.select, "duckdb").count(' FROM "t"') == 1
    assert shared.parts == (CheckPart(-1, "window", "rows"), CheckPart(-1, "table", "rows"))
    apart = build_check_query(view(*checks), {"window": TABLE, "table": exp.to_table("u")}, "duckdb")
    assert "CROSS JOIN" in to_sql(apart.select, "duckdb") and len(apart.parts) == 2

