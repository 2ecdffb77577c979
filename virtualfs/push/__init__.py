"""Push ingestion: rows sent by an application reach the online store at once and training
frames from their push time on (``FeatureStore.push``, ``POST /v1/push``).

- ``tables``: the pushed table of a ``push=True`` view, made when the view is applied, and the
  opened registry whose sources read their pushed rows with them;
- ``rows``: what a caller sends, checked and typed;
- ``flow``: one push, all-or-nothing, offline then online.
"""

from virtualfs.push.flow import TARGETS, PushResult, PushTargets, push_rows
from virtualfs.push.tables import create_pushed_tables, pushed_table_name, with_pushed_tables

__all__ = ["TARGETS", "PushResult", "PushTargets", "create_pushed_tables", "push_rows", "pushed_table_name",
           "with_pushed_tables"]
