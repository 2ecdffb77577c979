"""``virtualfs grants``: the warehouse itself enforces the policy. PostgreSQL's statements are
applied to real roles on the local server, and each role is then asked for the clear values."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlglot
from sqlglot import exp

from tests.access.helpers import applied_repo, opened, sha256, unique
from tests.backends import POSTGRES_OPTIONS
from virtualfs import AccessDeniedError, RequestError

ROLES = ("analyst", "intern", "auditor", "guest")


@pytest.fixture
def refreshed(request, tmp_path):
    """(warehouse, repository, feature schema): the view refreshed into a schema of its own."""
    warehouse = request.getfixturevalue(request.param)
    schema = unique("vfs_fs")
    repo = applied_repo(tmp_path / "repo", warehouse, feature_schema=schema)
    with opened(repo, warehouse, "alice") as alice:
        alice.refresh(online=False)
    yield warehouse, repo, schema
    warehouse.execute(exp.Drop(this=exp.to_identifier(schema), kind="SCHEMA", exists=True, cascade=True))


@pytest.fixture
def pg_roles() -> Iterator[str]:
    """Four PostgreSQL roles with a unique prefix, dropped (with what they were granted) afterwards."""
    import psycopg

    prefix = unique("vfs_role") + "_"
    connection = psycopg.connect(host=POSTGRES_OPTIONS["host"], port=POSTGRES_OPTIONS["port"],
                                 user="postgres", dbname="test", autocommit=True)
    try:
        for role in ROLES:
            name = exp.to_identifier(prefix + role, quoted=True).sql("postgres")
            connection.execute(exp.Command(this="CREATE", expression=f"ROLE {name} NOLOGIN").sql("postgres"))
        yield prefix
    finally:
        for role in ROLES:
            name = exp.to_identifier(prefix + role, quoted=True).sql("postgres")
            connection.execute(exp.Command(this="DROP", expression=f"OWNED BY {name}").sql("postgres"))
            connection.execute(exp.Command(this="DROP", expression=f"ROLE IF EXISTS {name}").sql("postgres"))
        connection.close()


def read_as(role: str, query: exp.Select) -> list[tuple] | str:
    """The rows ``query`` gives under warehouse role ``role``, or the error PostgreSQL raises."""
    import psycopg

    with psycopg.connect(host=POSTGRES_OPTIONS["host"], port=POSTGRES_OPTIONS["port"], user="postgres",
                         dbname="test", autocommit=True) as connection:
        connection.execute(exp.Command(this="SET", expression="ROLE " + exp.to_identifier(role, quoted=True)
                                       .sql("postgres")).sql("postgres"))
        try:
            return connection.execute(query.sql("postgres")).fetchall()
        except psycopg.errors.InsufficientPrivilege as error:
            return str(error).splitlines()[0]


def select(schema: str, table: str, *columns: str) -> exp.Select:
    source = exp.Table(this=exp.to_identifier(table, quoted=True), db=exp.to_identifier(schema, quoted=True))
    order = [exp.Ordered(this=exp.column(exp.to_identifier(c, quoted=True)), desc=False, nulls_first=False)
             for c in ("ride_at", "driver_id")]
    return exp.select(*(exp.column(exp.to_identifier(c, quoted=True)) for c in columns)).from_(source).order_by(*order)


@pytest.mark.parametrize("refreshed", ["postgres"], indirect=True)
def test_postgres_enforces_the_generated_grants(refreshed, pg_roles):
    import psycopg

    warehouse, repo, schema = refreshed
    with opened(repo, warehouse, "alice") as alice:
        script = alice.grants("postgres", role_prefix=pg_roles)
    with psycopg.connect(host=POSTGRES_OPTIONS["host"], port=POSTGRES_OPTIONS["port"], user="postgres",
                         dbname="test", autocommit=True) as connection:
        for statement in script.strip().splitlines():
            connection.execute(statement)
    table, masked = "rides__driver_quality", "rides__driver_quality__masked"
    analyst, intern, auditor, guest = (pg_roles + role for role in ROLES)
    phones = ["+1 555 0101", "+1 555 0202", None, "+1 555 0111"]
    assert read_as(analyst, select(schema, table, "phone", "tip")) == [
        (phones[0], 2.0), (phones[1], 1.0), (None, 0.5), (phones[3], 3.5)]
    # masked: nothing of the table itself; the masked view's hashes are the offline and online masks
    assert "permission denied" in read_as(intern, select(schema, table, "phone"))
    assert read_as(intern, select(schema, masked, "phone", "rider_id", "tip", "rating")) == [
        (sha256(phones[0]), sha256(77), None, 4.5), (sha256(phones[1]), sha256(88), None, 3.0),
        (None, sha256(-5), None, None), (sha256(phones[3]), sha256(78), None, 4.0)]
    # denied: the key, times and clear features, never the PII columns
    assert read_as(auditor, select(schema, table, "driver_id", "rating"))[0] == (1, 4.5)
    assert "permission denied" in read_as(auditor, select(schema, table, "phone"))
    assert "permission denied" in read_as(auditor, select(schema, masked, "phone"))
    # a role granted one feature reads that feature only
    assert read_as(guest, select(schema, table, "rating"))[0] == (4.5,)
    assert "permission denied" in read_as(guest, select(schema, table, "tip"))
    tiles = next(name for name in warehouse.tables_in((schema,)) if "__tiles_" in name)
    assert "permission denied" in read_as(intern, exp.select("*").from_(exp.Table(
        this=exp.to_identifier(tiles, quoted=True), db=exp.to_identifier(schema, quoted=True))))


@pytest.mark.parametrize("refreshed", ["postgres"], indirect=True)
def test_a_rebuild_drops_the_masked_view_rather_than_fail(refreshed, pg_roles):
    import psycopg

    warehouse, repo, schema = refreshed
    with opened(repo, warehouse, "alice") as alice:
        script = alice.grants("postgres", role_prefix=pg_roles)
        with psycopg.connect(host=POSTGRES_OPTIONS["host"], port=POSTGRES_OPTIONS["port"], user="postgres",
                             dbname="test", autocommit=True) as connection:
            for statement in script.strip().splitlines():
                connection.execute(statement)
        [result] = alice.refresh(full=True, online=False)
    assert result.mode == "rebuild"
    assert "permission denied" in read_as(pg_roles + "analyst", select(schema, "rides__driver_quality", "phone"))


@pytest.mark.parametrize("refreshed", ["snowflake"], indirect=True)
def test_snowflake_grants_and_masking_policies(refreshed):
    warehouse, repo, schema = refreshed
    with opened(repo, warehouse, "alice") as alice:
        script = alice.grants(role_prefix="vfs_")
    lines = script.strip().splitlines()
    table = f'"{schema.upper()}"."RIDES__DRIVER_QUALITY"'
    for role in ("ANALYST", "INTERN", "AUDITOR", "GUEST"):
        assert f'GRANT SELECT ON TABLE {table} TO ROLE "VFS_{role}";' in lines
    phone = next(line for line in lines if line.startswith("CREATE MASKING POLICY") and "__PHONE__" in line)
    assert ("CASE WHEN IS_ROLE_IN_SESSION('VFS_ANALYST') THEN \"val\" WHEN IS_ROLE_IN_SESSION('VFS_INTERN') "
            "THEN SHA2(CAST(\"val\" AS VARCHAR), 256) ELSE NULL END") in phone
    assert f'ALTER TABLE {table} MODIFY COLUMN "PHONE" SET MASKING POLICY' in script
    assert not any('"RATING"' in line for line in lines if "MASKING POLICY" in line)  # read in the clear by all
    for line in lines:
        if line.startswith(("GRANT", "REVOKE")):
            assert isinstance(sqlglot.parse_one(line, read="snowflake"), (exp.Grant, exp.Revoke)), line


@pytest.mark.parametrize("refreshed", ["duckdb_warehouse"], indirect=True)
def test_grants_need_the_apply_grant_and_a_warehouse_with_grants(refreshed):
    warehouse, repo, _ = refreshed
    with opened(repo, warehouse, "ivan") as ivan, pytest.raises(AccessDeniedError, match="intern.apply"):
        ivan.grants("postgres")
    with opened(repo, warehouse, "alice") as alice, pytest.raises(RequestError, match="another warehouse"):
        alice.grants("postgres")


@pytest.mark.parametrize(("schema", "dialect", "expected"), [
    ("features", "postgres", ['GRANT USAGE ON SCHEMA "features" TO "vfs_r"']),
    ("features", "snowflake", ['GRANT USAGE ON SCHEMA "FEATURES" TO ROLE "VFS_R"']),
    ("analytics.features", "snowflake", ['GRANT USAGE ON DATABASE "ANALYTICS" TO ROLE "VFS_R"',
                                         'GRANT USAGE ON SCHEMA "ANALYTICS"."FEATURES" TO ROLE "VFS_R"']),
])
def test_roles_may_use_the_feature_schema(schema, dialect, expected):
    from virtualfs.access.grants import build_grants, render
    from virtualfs.compile.feature_schema import FeatureSchema
    from virtualfs.policy import parse_access
    from virtualfs.registry import Registry

    policy = parse_access({"roles": {"r": {"offline": ["*"]}}, "principals": {"p": "r"}})
    script = render(build_grants(policy, Registry(), [], FeatureSchema.of(schema, "rides"), dialect, "vfs_"), dialect)
    assert script.splitlines() == [line + ";" for line in expected]
