"""SQL syntax highlighting done on the server: sqlglot's tokenizer splits the text, each token
becomes a ``<span class="sql-...">`` (keyword, string, number, identifier, function, operator),
and what lies between tokens (spaces, comments) is kept as written. No JavaScript library.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from markupsafe import Markup
from sqlglot.dialects import Dialect
from sqlglot.errors import TokenError
from sqlglot.tokens import Token, TokenType

_LITERALS = {TokenType.STRING: "string", TokenType.NATIONAL_STRING: "string", TokenType.NUMBER: "number",
             TokenType.IDENTIFIER: "identifier", TokenType.VAR: "name"}


def highlight_sql(sql: str, dialect: str = "duckdb") -> Markup:
    """``sql`` as HTML: every token in a span classed by what it is; text that does not tokenize
    comes back escaped, unhighlighted.

    >>> print(highlight_sql("SELECT x FROM t"))
    <span class="sql-keyword">SELECT</span> <span class="sql-name">x</span> \
<span class="sql-keyword">FROM</span> <span class="sql-name">t</span>
    """
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(sql)
    except TokenError:
        return Markup(escape(sql))
    out, at = [], 0
    for index, token in enumerate(tokens):
        out.append(_between(sql[at:token.start]))
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        kind = _kind(token, following, _keywords(dialect))
        out.append(f'<span class="sql-{kind}">{escape(sql[token.start:token.end + 1])}</span>')
        at = token.end + 1
    out.append(_between(sql[at:]))
    return Markup("".join(out))


def _kind(token: Token, following: Token | None, keywords: frozenset[TokenType]) -> str:
    called = following is not None and following.token_type == TokenType.L_PAREN
    if token.token_type == TokenType.VAR and called:
        return "function"
    if token.token_type in _LITERALS:
        return _LITERALS[token.token_type]
    return "keyword" if token.token_type in keywords else "operator"


def _between(text: str) -> str:
    """Spaces and comments between two tokens; a comment gets its own class."""
    if "--" in text or "/*" in text:
        return f'<span class="sql-comment">{escape(text)}</span>'
    return escape(text)


@lru_cache(maxsize=16)
def _keywords(dialect: str) -> frozenset[TokenType]:
    tokenizer = Dialect.get_or_raise(dialect).tokenizer_class
    return frozenset(kind for kind in tokenizer.KEYWORDS.values() if kind not in _LITERALS)
