"""User-written SQL text: what parses, what is a read-only query, and how refusals read."""

import pytest

from virtualfs.errors import RequestError
from virtualfs.sqltext import parse_read_only_query, parse_table_name, request_fault

FAULT = request_fault("query")
DIALECTS = [None, "duckdb", "postgres", "snowflake"]

READS = [
    "SELECT a, b FROM t WHERE c > 0",
    "WITH x AS (SELECT 1 AS a) SELECT a FROM x UNION ALL SELECT 2",
    "SELECT a FROM t WHERE a IN (SELECT a FROM u)",
    "SELECT a, ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) AS n FROM t",
    "(SELECT a FROM t)",
]

REFUSED = [
    ("DELETE FROM t", "must be a SELECT, found DELETE"),
    ("CREATE TABLE x AS SELECT 1", "must be a SELECT, found CREATE"),
    ("SELECT 1; DROP TABLE t", "must be one SELECT statement, found 2"),
    ("", "must be one SELECT statement, found 0"),
    ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "must only read, but contains DELETE"),
    ("WITH d AS (INSERT INTO t (a) VALUES (1) RETURNING a) SELECT a FROM d", "contains INSERT"),
    ("WITH d AS (UPDATE t SET a = 1 RETURNING a) SELECT a FROM d", "contains UPDATE"),
    ("SELECT * FROM (WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d) AS q", "contains DELETE"),
    ("SELECT a INTO copy FROM t", "contains SELECT ... INTO"),
    ("SELECT a FROM t FOR UPDATE", "contains a row lock"),
    ("SELECT 'open FROM t", "does not parse: Error tokenizing"),
    ('SELECT "open FROM t', "does not parse: Error tokenizing"),
    ("SELECT FROM WHERE (", "does not parse"),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("text", READS)
def test_read_only_queries_are_accepted(text, dialect):
    assert parse_read_only_query(text, dialect, FAULT) is not None


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("text", "problem"), REFUSED)
def test_queries_that_write_or_do_not_parse_are_refused_by_the_callers_error(text, problem, dialect):
    with pytest.raises(RequestError) as caught:
        parse_read_only_query(text, dialect, FAULT)
    assert str(caught.value).startswith("query ") and problem in str(caught.value)


@pytest.mark.parametrize("text", ['x"; DROP TABLE t', "x'", "a b c", "", "t WHERE 1"])
def test_text_that_is_not_a_table_name_is_refused(text):
    with pytest.raises(RequestError, match="is not a \\[db.\\]\\[schema.\\]table name"):
        parse_table_name(text, None, request_fault("table"))
