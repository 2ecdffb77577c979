"""A plain-Python reference of a dataset's content hash, written from the encoding that
``virtualfs/dialects/canonical.py`` documents (its table), not from the SQL that computes it.

Each row is the texts of its values in column order joined by ``|``; the hash is the sum of the
first 64 bits of each row's MD5, modulo 2^64, as 16 hex digits.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def value_text(value, kind: str) -> str:
    """The canonical text of one value of a column of ``kind``."""
    if value is None:
        return "N"
    if kind == "int":
        return str(int(value))
    if kind == "float":
        return _float_text(float(value))
    if kind == "string":
        return f"{len(value)}:{value}"
    if kind == "bool":
        return "1" if value else "0"
    if kind == "date":
        value = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if kind in ("timestamp", "date"):
        instant = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return str((instant - EPOCH) // timedelta(microseconds=1))
    raise ValueError(f"no reference encoding for {kind}")


def content_hash(rows: Iterable[Sequence], kinds: Sequence[str]) -> str:
    total = 0
    for row in rows:
        text = "|".join(value_text(value, kind) for value, kind in zip(row, kinds, strict=True))
        total += int(hashlib.md5(text.encode()).hexdigest()[:16], 16)
    return f"{total % 2 ** 64:016x}"


def _float_text(value: float) -> str:
    if value == 0:
        return "0"
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    _, exponent = math.frexp(value)  # value = m * 2^exponent, 0.5 <= |m| < 1
    exponent -= 1                    # so 2^exponent <= |value| < 2^(exponent + 1)
    shift = 52 - exponent            # value * 2^shift: a 53-bit integer (two factors: no overflow)
    mantissa = int(value * 2.0 ** (shift // 2) * 2.0 ** (shift - shift // 2))
    return f"{mantissa}p{exponent}"
