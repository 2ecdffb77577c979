"""Loading repositories: files import one another, and loads in several threads stay apart."""

from __future__ import annotations

import sys
import threading

from virtualfs.repository import load_repository

VIEW = '''
from virtualfs import Entity, Feature, FeatureView, Source

customer = Entity("customer", ["customer_id"])
orders = Source("orders", table="orders", timestamp="ordered_at")
{name} = FeatureView("{name}", [customer], orders, [Feature("amount", "float64")])
'''


def write(root, name: str):
    root.mkdir(parents=True)
    (root / "features.py").write_text(VIEW.format(name=name))
    return root


def test_loads_in_threads_leave_no_module_behind(tmp_path):
    """Every repository names its file features.py: a load must never see another's module."""
    roots = [write(tmp_path / f"repo{i}", f"view_{i}") for i in range(4)]
    barrier, seen, failures = threading.Barrier(len(roots)), {}, []

    def load(index: int) -> None:
        barrier.wait()
        try:
            for _ in range(20):
                views = sorted(load_repository(roots[index]).views)
                seen.setdefault(index, set()).add(tuple(views))
        except Exception as error:  # collected: a thread's exception would be lost
            failures.append(error)

    threads = [threading.Thread(target=load, args=(i,)) for i in range(len(roots))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert seen == {i: {(f"view_{i}",)} for i in range(len(roots))}
    assert "features" not in sys.modules
    assert sorted(load_repository(write(tmp_path / "later", "later_view")).views) == ["later_view"]
