"""Find and load the definitions in a repository folder."""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from virtualfs.definitions import DEFINITION_TYPES
from virtualfs.errors import DefinitionError, RepositoryError, VirtualfsError
from virtualfs.registry import Registry

# Folders that never hold definitions: generated data, environments, caches.
SKIPPED_FOLDERS = {"data", "__pycache__", "node_modules", "venv", "site-packages"}
# sys.path and sys.modules are process-wide: two loads at once (threads) would see each other's
# modules, and one could leave its files imported for every later load to find stale.
_LOADING = threading.Lock()


def definition_files(root: Path) -> list[Path]:
    """Every ``*.py`` under ``root``, except in hidden folders and ``data/``, in a stable order."""
    return sorted(_walk(root), key=lambda p: p.relative_to(root).as_posix())


def _walk(folder: Path) -> Iterator[Path]:
    for entry in folder.iterdir():
        if entry.name.startswith((".", "_")) and entry.name != "__init__.py":
            continue
        if entry.is_dir():
            if entry.name not in SKIPPED_FOLDERS:
                yield from _walk(entry)
        elif entry.suffix == ".py":
            yield entry


def load_repository(repo_path: str | Path) -> Registry:
    """Import the repository's definition files; every module-level definition is registered.

    The folder is put on ``sys.path`` while loading so files can import one another
    (``from entities import customer``); the modules are dropped again afterwards so a
    second load sees edited files.
    """
    root = Path(repo_path).resolve()
    if not root.is_dir():
        raise RepositoryError(f"{root}: not a folder")
    with _LOADING:
        before = set(sys.modules)
        sys.path.insert(0, str(root))
        try:
            objects = []
            for path in definition_files(root):
                module = _import(root, path)
                objects.extend(v for v in vars(module).values() if isinstance(v, DEFINITION_TYPES))
            registry = Registry.from_objects(objects)
        finally:
            sys.path.remove(str(root))
            for name in set(sys.modules) - before:
                del sys.modules[name]
    registry.check_services()
    return registry


def _import(root: Path, path: Path):
    relative = path.relative_to(root).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    module_name = ".".join(parts)
    try:
        return importlib.import_module(module_name)
    except (DefinitionError, RepositoryError):
        raise
    except VirtualfsError as error:
        raise RepositoryError(f"{path}: {error}") from None
    except Exception as error:  # a user's file failed to import: say which file and why
        raise RepositoryError(f"{path}: cannot be loaded: {type(error).__name__}: {error}") from None
