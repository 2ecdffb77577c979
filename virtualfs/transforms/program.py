"""SQL expression text -> program: a JSON tree of the operators virtualfs evaluates the same way
in every warehouse and in Python.

Nodes are lists: ``["col", name]``, ``["lit", value]``, ``["null"]``, ``[op, a, b]`` for
``+ - * / %`` and ``= <> < <= > >=``, ``["neg", a]``, ``["and", a, b]``, ``["or", a, b]``,
``["not", a]``, ``["isnull", a]``, ``["case", [[when, then], ...], else]``, and the functions
``["coalesce", a, ...]``, ``["nullif", a, b]``, ``["abs", a]``. Division is true division and
a zero divisor gives null, in Python and in every warehouse alike.

>>> parse_program("cart_total / NULLIF(avg_basket, 0)", "ratio")
['/', ['col', 'cart_total'], ['nullif', ['col', 'avg_basket'], ['lit', 0]]]
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp, parse_one
from sqlglot.errors import ParseError

# the dialect the text is read in: unquoted names keep their case, as Python's do
READ_DIALECT = "duckdb"
ARITHMETIC = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%"}
COMPARISONS = {exp.EQ: "=", exp.NEQ: "<>", exp.LT: "<", exp.LTE: "<=", exp.GT: ">", exp.GTE: ">="}
BOOLEAN = {exp.And: "and", exp.Or: "or"}
SUPPORTED = ("column names, numbers, strings, TRUE/FALSE/NULL, + - * / %, = <> < <= > >=, "
             "AND OR NOT, IS [NOT] NULL, CASE WHEN ... THEN ... ELSE ... END, COALESCE, NULLIF, ABS")


class ProgramError(ValueError):
    """The expression uses something outside :data:`SUPPORTED`, or does not parse."""


def parse_program(text: str, output: str) -> list:
    """The program of expression ``text`` (the body of output ``output``)."""
    if not isinstance(text, str) or not text.strip():
        raise ProgramError(f"expression of {output!r} must be non-empty SQL text, got {text!r}")
    try:
        tree = parse_one(text, dialect=READ_DIALECT)
    except ParseError as error:
        raise ProgramError(f"expression of {output!r} does not parse: {str(error).splitlines()[0]}") from None
    return _node(tree, output)


def columns_of(program: list) -> list[str]:
    """The column names ``program`` reads, in first-use order.

    >>> columns_of(["+", ["col", "a"], ["abs", ["col", "b"]]])
    ['a', 'b']
    """
    found: dict[str, None] = {}

    def walk(node: Any) -> None:
        if isinstance(node, list) and node and node[0] == "col":
            found.setdefault(node[1], None)
        elif isinstance(node, list):
            for child in node[1:]:
                walk(child)

    walk(program)
    return list(found)


def _node(tree: exp.Expression, output: str) -> list:
    for types, build in _BUILDERS:
        if isinstance(tree, types):
            return build(tree, output)
    raise ProgramError(f"expression of {output!r}: {tree.sql(READ_DIALECT)!r} is not supported "
                       f"(supported: {SUPPORTED})")


def _column(tree: exp.Column, output: str) -> list:
    if tree.table:
        raise ProgramError(f"expression of {output!r}: write {tree.name!r} without a table name")
    return ["col", tree.name]


def _literal(tree: exp.Literal, output: str) -> list:
    if tree.is_string:
        return ["lit", tree.this]
    text = tree.this
    return ["lit", int(text) if text.isdigit() else float(text)]


def _binary(tree: exp.Binary, output: str) -> list:
    operator = {**ARITHMETIC, **COMPARISONS, **BOOLEAN}[type(tree)]
    return [operator, _node(tree.this, output), _node(tree.expression, output)]


def _not(tree: exp.Not, output: str) -> list:
    inner = tree.this
    return ["not", _node(inner, output)]


def _is(tree: exp.Is, output: str) -> list:
    if not isinstance(tree.expression, exp.Null):
        raise ProgramError(f"expression of {output!r}: only IS NULL / IS NOT NULL are supported")
    return ["isnull", _node(tree.this, output)]


def _case(tree: exp.Case, output: str) -> list:
    if tree.this is not None:
        raise ProgramError(f"expression of {output!r}: write CASE WHEN <condition> THEN ..., "
                           "not CASE <value> WHEN")
    branches = [[_node(branch.this, output), _node(branch.args["true"], output)]
                for branch in tree.args["ifs"]]
    default = tree.args.get("default")
    return ["case", branches, ["null"] if default is None else _node(default, output)]


def _coalesce(tree: exp.Coalesce, output: str) -> list:
    return ["coalesce", _node(tree.this, output), *(_node(e, output) for e in tree.expressions)]


_BUILDERS: tuple[tuple[Any, Any], ...] = (
    (exp.Column, _column),
    (exp.Literal, _literal),
    (exp.Boolean, lambda tree, output: ["lit", bool(tree.this)]),
    (exp.Null, lambda tree, output: ["null"]),
    (exp.Paren, lambda tree, output: _node(tree.this, output)),
    (exp.Neg, lambda tree, output: ["neg", _node(tree.this, output)]),
    (tuple(ARITHMETIC) + tuple(COMPARISONS) + tuple(BOOLEAN), _binary),
    (exp.Not, _not),
    (exp.Is, _is),
    (exp.Case, _case),
    (exp.Coalesce, _coalesce),
    (exp.Nullif, lambda tree, output: ["nullif", _node(tree.this, output), _node(tree.expression, output)]),
    (exp.Abs, lambda tree, output: ["abs", _node(tree.this, output)]),
)
