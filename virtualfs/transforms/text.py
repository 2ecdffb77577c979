"""A program as the compact JSON text the catalog stores (no SQL parser needed to read it back).

>>> loads(dumps(["+", ["col", "a"], ["lit", 1]]))
['+', ['col', 'a'], ['lit', 1]]
"""

from __future__ import annotations

import json


def dumps(program: list) -> str:
    return json.dumps(program, separators=(",", ":"))


def loads(text: str) -> list:
    return json.loads(text)
