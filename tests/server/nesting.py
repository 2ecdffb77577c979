"""Request bodies with a value nested ``depth`` levels deep in one field, as raw bytes.

Built as text, not with ``json.dumps``: Python's own recursion limit stops near 1,000 levels.
orjson reads up to 1,024 levels and writes at most 254, which is where the server once broke.
"""

from __future__ import annotations

ONE = b'{"customer_id": [1]}'
# (where the nested value goes, the field a 400 must name): %s is the nested value, which sits at
# most two levels inside the body, so a value up to 1,022 levels deep keeps the body readable.
PLACES = [
    (b'{"features": %s, "entities": ' + ONE + b"}", "features"),
    (b'{"features": ["customer_orders:amount", %s], "entities": ' + ONE + b"}", "features[1]"),
    (b'{"feature_service": %s, "entities": ' + ONE + b"}", "feature_service"),
    (b'{"feature_service": "churn", "entities": %s}', "entities"),
    (b'{"feature_service": "churn", "entities": {"customer_id": %s}}', "entities.customer_id"),
    (b'{"feature_service": "churn", "entities": {"customer_id": [1, %s]}}', "entities.customer_id[1]"),
    (b'{"feature_service": "churn", "entities": ' + ONE + b', "full_feature_names": %s}',
     "full_feature_names"),
    (b"%s", "body"),
]
KINDS = ("array", "object")
MAX_DEPTH = 1024  # orjson's limit for a whole document


def nested(depth: int, kind: str) -> bytes:
    """A JSON value ``depth`` levels deep: ``[[[1]]]`` or ``{"a": {"a": {"a": 1}}}``."""
    if kind == "array":
        return b"[" * depth + b"1" + b"]" * depth
    return b'{"a": ' * depth + b"1" + b"}" * depth


def nested_body(template: bytes, depth: int, kind: str) -> bytes:
    return template.replace(b"%s", nested(depth, kind))


def document_depth(template: bytes, depth: int) -> int:
    """How deep the whole body is: the value's depth plus the levels around its place."""
    before = template.split(b"%s")[0]
    return depth + before.count(b"{") + before.count(b"[") - before.count(b"]") - before.count(b"}")


def names_the_field(named: str, place: str, kind: str) -> bool:
    """Whether a 400's field names the place of the nested value (or a part inside it)."""
    if place == "body" and kind == "object":
        place = "a"  # a nested object as the body: its one key is an unknown field
    return named == place or named.startswith((place + "[", place + "."))
