"""Spark SQL as sqlglot's Spark dialect plus the one construct it lacks: Spark 4.3's
``LEFT ASOF JOIN f MATCH_CONDITION (t >= e) ON keys``.

sqlglot 30.17 renders an ASOF join for Spark as ``ASOF LEFT JOIN`` (a parse error there) and
cannot parse Spark's own spelling. This subclass is registered under sqlglot's name ``spark``
(sqlglot keys dialects by class name), so every ``sql("spark")``/``parse(read="spark")`` in the
process writes and reads the form Spark runs, once ``virtualfs.dialects.spark`` is imported.

An ASOF join without ``LEFT`` is refused: Spark's plain ``ASOF JOIN`` is an *inner* join, which
would silently drop the entity rows that have no match.

>>> import sqlglot
>>> text = "SELECT * FROM a LEFT ASOF JOIN b MATCH_CONDITION (a.t >= b.e) ON a.k = b.k"
>>> sqlglot.parse_one(text, read="spark").sql("spark") == text
True
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.spark import Spark as _Spark
from sqlglot.tokens import Token, TokenType

from virtualfs.errors import UnsupportedError


class Spark(_Spark):
    """sqlglot's Spark, reading and writing ``LEFT ASOF JOIN ... MATCH_CONDITION (...) ON ...``."""

    class Tokenizer(_Spark.Tokenizer):
        KEYWORDS = {**_Spark.Tokenizer.KEYWORDS, "MATCH_CONDITION": TokenType.MATCH_CONDITION}

    class Parser(_Spark.Parser):
        def _parse_join_parts(self) -> tuple[Token | None, Token | None, Token | None]:
            # Spark writes the side before ASOF (``LEFT ASOF JOIN``); sqlglot expects it after
            start = self._index
            if self._match(TokenType.LEFT) and self._match(TokenType.ASOF):
                return self._prev, self._tokens[start], None
            self._retreat(start)
            return super()._parse_join_parts()

    class Generator(_Spark.Generator):
        def join_sql(self, expression: exp.Join) -> str:
            if expression.method != "ASOF":
                return super().join_sql(expression)
            match = self.sql(expression, "match_condition")
            on = self.sql(expression, "on")
            if expression.side != "LEFT" or expression.kind or not match or not on:
                # raised here, not recorded: an inner ASOF join would run, and lose rows
                raise UnsupportedError("spark: only LEFT ASOF JOIN ... MATCH_CONDITION (...) ON ... is "
                                       "rendered; Spark's plain ASOF JOIN is an inner join")
            space = self.seg(" " * self.pad) if self.pretty else " "
            on = self.indent(on, skip_first=True)
            return f"{self.seg('LEFT ASOF JOIN')} {self.sql(expression, 'this')} " \
                   f"MATCH_CONDITION ({match}){space}ON {on}"
