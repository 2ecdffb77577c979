"""Listing and deleting keys by part prefix, on every store: what garbage collection relies on to
remove one shape of one view, and never another view's, another project's or anything else."""

from __future__ import annotations

import dataclasses
import os

import pytest

from tests.online.conftest import REDIS_DB
from tests.online.helpers import at, orders_view, write_rows
from tests.services import REDIS_HOST, REDIS_PORT, require_service
from virtualfs import Feature
from virtualfs.online.base import WriteBatch
from virtualfs.online.keys import part_prefix
from virtualfs.online.rows import ViewRows

VALUE = b"\x01" + bytes(16) + b"value"  # a header (event, created) and a body: any store takes it


def two_shapes():
    old = orders_view()
    new = dataclasses.replace(old, features=(*old.features, Feature("discount", "float64")))
    return old, new


def rows(count: int) -> list[dict]:
    return [{"customer_id": key, "event": at(key), "amount": 1.0} for key in range(count)]


def test_key_prefixes_count_each_shape_of_each_view_of_the_project(store):
    old, new = two_shapes()
    write_rows(store, old, rows(3))
    write_rows(store, new, rows(2))
    ViewRows(new, store.project).write_marker(store, 5)  # a marker is one of its shape's keys
    other_view = dataclasses.replace(old, name="customer_orders_v2")
    write_rows(store, other_view, rows(1))
    store.write(WriteBatch([f"{store.project}x:customer_orders#00000000:{{1}}",  # another project
                            f"{store.project}:no_tag:{{1}}"],  # no shape of key this code makes
                           [VALUE, VALUE]))
    assert store.key_prefixes(store.project) == {
        part_prefix(store.project, old): 3, part_prefix(store.project, new): 3,
        part_prefix(store.project, other_view): 1}


def test_delete_prefix_removes_one_shape_only(store):
    old, new = two_shapes()
    write_rows(store, old, rows(700))  # more than a Redis batch
    write_rows(store, new, rows(2))
    lookalike = f"{part_prefix(store.project, old)[:-1]}x"  # the same text but its last character
    store.write(WriteBatch([lookalike], [VALUE]))
    assert store.delete_prefix(part_prefix(store.project, old)) == 700
    assert store.key_prefixes(store.project) == {part_prefix(store.project, new): 2}
    assert store.read([lookalike]) == {lookalike: VALUE}
    assert store.delete_prefix(part_prefix(store.project, old)) == 0


@pytest.mark.parametrize("prefix", ["", "test:", "test:customer_orders", "test:customer_orders#", "test:*"])
def test_delete_prefix_refuses_anything_but_one_whole_part_prefix(store, prefix):
    write_rows(store, orders_view(), rows(1))
    with pytest.raises(ValueError, match="expected <project>:<view>#<8 hex>:"):
        store.delete_prefix(prefix)
    assert sum(store.key_prefixes(store.project).values()) == 1


def test_redis_escapes_glob_characters_of_its_key_prefix(tmp_path):
    """Key prefix ``a?[*]:`` as an unescaped glob matches ``aX*:`` too: another store's keys."""
    from virtualfs.online.redis import RedisOnlineStore

    require_service("Redis", REDIS_HOST, REDIS_PORT)
    url, tag = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}", f"vfs_test_{os.getpid()}_glob"
    mine = RedisOnlineStore(url, key_prefix=f"{tag}?[*]:", project="test")
    theirs = RedisOnlineStore(url, key_prefix=f"{tag}X*:", project="test")
    try:
        view = orders_view()
        write_rows(mine, view, rows(2))
        write_rows(theirs, view, rows(3))
        assert mine.key_prefixes("test") == {part_prefix("test", view): 2}
        assert mine.delete_prefix(part_prefix("test", view)) == 2
        assert theirs.key_prefixes("test") == {part_prefix("test", view): 3}
    finally:
        for store in (mine, theirs):
            for prefix in store.key_prefixes("test"):
                store.delete_prefix(prefix)
            store.close()
