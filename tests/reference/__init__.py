"""Independent oracles, written in plain pandas from DESIGN.md — never from the compiler.

- ``pit``: point-in-time joins (``reference_frame``), both rules, TTL, ties, order;
- ``aggregate``: windowed aggregations (``reference_aggregates``);
- ``online``: the latest row per key and the known-time answer online reads must equal.

They share one reading of the rules (``rules``): when a source row is a candidate for an entity
row at ``t``, how candidates order, and how values compare (UTC, naive = UTC).
"""
