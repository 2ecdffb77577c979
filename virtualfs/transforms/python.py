"""Python bodies of on-demand views: kept as source text (what the catalog stores and ``plan``
compares, with its hash), rebuilt from that text where it runs.

The function takes columns and returns columns: ``fn({"a": [..], "b": [..]}) -> {"out": [..]}``,
every list as long as the input's. Offline it runs once per Arrow batch of the frame, online once
per request. It is rebuilt by executing its source alone, so it must be self-contained: a
``def`` at module level whose imports are inside its body.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import textwrap
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

Columns = Mapping[str, list]


class FunctionError(ValueError):
    """A function that cannot be kept as source text, or that returned the wrong columns."""


def function_source(function: Callable) -> tuple[str, str]:
    """``(name, source text)`` of ``function``, checked to rebuild on its own."""
    if not inspect.isfunction(function) or function.__name__ == "<lambda>":
        raise FunctionError(f"function must be a def (not a lambda or a {type(function).__name__})")
    try:
        text = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError) as error:
        raise FunctionError(f"the source of {function.__name__} cannot be read: {error}") from None
    module = ast.parse(text)
    if len(module.body) != 1 or not isinstance(module.body[0], ast.FunctionDef):
        raise FunctionError(f"{function.__name__}: expected one plain def")
    if module.body[0].decorator_list:
        raise FunctionError(f"{function.__name__}: a decorated function cannot be rebuilt from its source")
    return function.__name__, text


def source_hash(text: str) -> str:
    """The SHA-256 of the source text, shortened: what ``plan`` shows when a body changes."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@lru_cache(maxsize=256)
def rebuilt(name: str, text: str) -> Callable[[Columns], Columns]:
    """The function defined by ``text`` (executed once per process, then cached)."""
    namespace: dict[str, Any] = {}
    exec(compile(text, f"<on-demand {name}>", "exec"), namespace)  # noqa: S102 - the catalog's own code
    return namespace[name]


def run_function(function: Callable[[Columns], Columns], columns: Columns, rows: int,
                 outputs: tuple[str, ...], owner: str) -> dict[str, list]:
    """``function(columns)``, checked: a list of ``rows`` values for each of ``outputs``."""
    result = function(dict(columns))
    if not isinstance(result, Mapping):
        raise FunctionError(f"on demand view {owner!r}: its function returned {type(result).__name__}, "
                            "expected a dict of columns")
    out = {}
    for name in outputs:
        if name not in result:
            raise FunctionError(f"on demand view {owner!r}: its function returned no column {name!r}")
        values = list(result[name])
        if len(values) != rows:
            raise FunctionError(f"on demand view {owner!r}: column {name!r} has {len(values)} values "
                                f"for {rows} rows")
        out[name] = values
    return out
