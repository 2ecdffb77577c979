"""Definitions -> sqlglot trees -> SQL text for a dialect (text only in ``render.to_sql``)."""
