"""The layering of docs/architecture.md, read off the imports: a module that reaches up, or across
into a sibling it must not know, fails the suite."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "virtualfs"

# Each unit (a top-level module or package of virtualfs) and its layer; see docs/architecture.md.
LAYERS = {
    "errors": 0, "instants": 0, "config": 0, "policy": 0, "definitions": 0, "sqltext": 0, "registry": 0, "repository": 0,
    "transforms": 0, "served_log_config": 0,
    "dialects": 1,
    "compile": 2, "warehouses": 2, "online": 2, "catalog": 2,
    "copies": 3, "context": 3, "checks": 3, "retrieval": 3, "serving": 3, "refresh": 3, "apply": 3, "gc": 3,
    "profiles": 3, "governance": 3, "datasets": 3, "access": 3, "servedlog": 3, "consistency": 3, "push": 3,
    "store": 4,
    "server": 5, "cli": 5, "demo": 5, "scaffold": 5, "ui": 5,
}
# Layer 2 units stand side by side, each on the layers below only: the compiler never opens a
# connection, adapters never compile, online stores know neither, the catalog knows none of them.
INDEPENDENT = 2


def unit_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every virtualfs module ``path`` imports, anywhere in the file (functions and type-only
    blocks included: a type-only import is still knowledge of the other layer)."""
    tree = ast.parse(path.read_text())
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("virtualfs")]
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = node.module
            if node.level:
                base = package.split(".")[:-node.level] if path.name != "__init__.py" else \
                    package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module])
            if module.startswith("virtualfs"):
                found.append((module, node.lineno))
    return found


def violations() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        unit = unit_of(module)
        if unit in ("", "__init__"):
            continue  # the package's public face re-exports what users need
        if unit not in LAYERS:
            found.append(f"{module}: unit {unit!r} has no layer in tests/test_architecture.py")
            continue
        for target, line in imports_of(path):
            other = unit_of(target)
            if other in ("", unit):
                continue
            if other not in LAYERS:
                found.append(f"{module}:{line} imports {target}, which has no layer")
            elif LAYERS[other] > LAYERS[unit]:
                found.append(f"{module}:{line} reaches up into {target} (layer {LAYERS[other]} > {LAYERS[unit]})")
            elif LAYERS[other] == LAYERS[unit] == INDEPENDENT:
                found.append(f"{module}:{line} imports its sibling {target}")
    return found


def test_no_module_imports_against_the_layers():
    assert violations() == []


@pytest.mark.parametrize(("unit", "target"), [("compile", "virtualfs.warehouses.base"),
                                              ("warehouses", "virtualfs.compile.request"),
                                              ("dialects", "virtualfs.compile.names"),
                                              ("online", "virtualfs.compile.scan")])
def test_a_wrong_import_direction_is_caught(tmp_path, monkeypatch, unit, target):
    """The check itself can fail: plant one wrong import and it is named."""
    planted = PACKAGE / unit / "_vfs_planted_for_test.py"
    planted.write_text(f"from {target} import *  # noqa\n")
    try:
        assert any("_vfs_planted_for_test" in v for v in violations())
    finally:
        planted.unlink()


def test_every_unit_has_a_layer_and_the_table_names_only_real_units():
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and any(p.glob("*.py")))}
    assert units == set(LAYERS)


def test_the_dialect_layer_stands_on_layer_zero_only():
    for path in (PACKAGE / "dialects").rglob("*.py"):
        for target, line in imports_of(path):
            assert unit_of(target) == "dialects" or LAYERS[unit_of(target)] == 0, f"{path.name}:{line} {target}"


def test_importing_the_online_read_path_loads_no_compiler_and_no_sqlglot():
    code = ("import sys, virtualfs.serving, virtualfs.online.sqlite, virtualfs.online.redis; "
            "print(sorted(m for m in sys.modules if m.startswith(('sqlglot', 'virtualfs.compile', "
            "'virtualfs.dialects', 'pandas'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_importing_virtualfs_and_the_store_loads_no_ibis():
    """ibis is an optional extra: only a source written with it, ``to_ibis`` or an ibis warehouse load it."""
    code = ("import sys, virtualfs, virtualfs.store, virtualfs.warehouses, virtualfs.compile.scan; "
            "from virtualfs import table; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'ibis'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
