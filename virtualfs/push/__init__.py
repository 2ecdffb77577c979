"""Push ingestion: rows sent by an application reach the online store at once and training
frames from their push time on (``FeatureStore.push``, ``POST /v1/push``).

- ``tables``: the pushed table of a ``push=True`` view, made when the view is applied, and the
  opened registry whose sources read their pushed rows with them;
- ``rows``: what a caller sends, checked and typed;
- ``flow``: one push, all-or-nothing, offline then online.

The names below load on first use: a server that only reads never loads the compiler.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

TARGETS = ("online", "offline", "both")  # where a push may go
_EXPORTS = {"PushResult": "flow", "PushTargets": "flow", "push_rows": "flow", "needs_warehouse": "flow",
            "prepare_online_push": "flow", "OnlinePush": "flow",
            "create_pushed_tables": "tables", "pushed_table_name": "tables", "with_pushed_tables": "tables"}

__all__ = ["TARGETS", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'virtualfs.push' has no attribute {name!r}")
    return getattr(import_module(f"virtualfs.push.{_EXPORTS[name]}"), name)
