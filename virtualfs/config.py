"""virtualfs.yaml -> a frozen RepoConfig. ${ENV} is substituted; unknown keys are errors."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from virtualfs.errors import ConfigError
from virtualfs.policy import AccessPolicy, parse_access
from virtualfs.served_log_config import ServedLogConfig, parse_logging

CONFIG_FILE = "virtualfs.yaml"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
SECRET_KEYS = ("password", "token", "private_key")
_SCHEMA_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")

# Keys each backend understands; a key outside its set is a typo, and typos are errors.
WAREHOUSE_KEYS = {
    "duckdb": {"path", "feature_schema", "memory_limit", "temp_directory", "threads"},
    "postgres": {"url", "host", "port", "user", "password", "database", "schema", "feature_schema"},
    "snowflake": {
        "account", "user", "password", "private_key_path", "role", "warehouse",
        "database", "schema", "feature_schema", "host", "port", "protocol",
    },
    "spark": {"master", "remote", "catalog", "database", "conf", "feature_schema"},
    # ibis: ``backend`` and that backend's connection arguments, checked when it connects
    "ibis": None,
}
# The ibis backends whose SQL dialect virtualfs compiles for: ibis's name -> sqlglot's.
IBIS_DIALECTS = {"duckdb": "duckdb", "postgres": "postgres", "snowflake": "snowflake", "bigquery": "bigquery",
                 "trino": "trino", "databricks": "databricks"}
# Connection arguments of an ibis backend that are paths, resolved against the repository.
IBIS_PATH_KEYS = {"duckdb": "database"}
ONLINE_KEYS = {
    "memory": {"fallback"},
    "sqlite": {"path", "fallback"},
    "redis": {"url", "password", "fallback", "key_prefix", "cluster", "nodes"},
}
TOP_LEVEL_KEYS = {"project", "warehouse", "online", "catalog", "server", "access", "logging"}
PATH_KEYS = {"path", "private_key_path", "temp_directory"}
# DuckDB's own memory units: 1000^i (KB, MB, GB, TB) or 1024^i (KiB, MiB, GiB, TiB)
_MEMORY_SIZE = re.compile(r"\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*")


@dataclass(frozen=True)
class BackendConfig:
    """One backend's section: its type and its options (paths already absolute)."""

    type: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)

    @property
    def identity(self) -> str:
        """A digest of the settings that say which backend this is (never its secrets): the same
        table name in another database, or another Redis, is another copy of a view's rows."""
        shown = {k: v for k, v in self.options.items() if not k.startswith(SECRET_KEYS)}
        text = json.dumps([self.type, shown], sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def __repr__(self) -> str:  # never print a secret
        shown = {k: ("***" if k.startswith(SECRET_KEYS) else v) for k, v in self.options.items()}
        return f"BackendConfig(type={self.type!r}, options={shown!r})"


@dataclass(frozen=True)
class RepoConfig:
    """The repository's settings. A ``${VAR}`` that is not set is an error only when a command
    reads its section (warehouse, online, catalog, server): ``get`` never needs the server's
    token, nor ``plan`` the online store's password.
    """

    project: str
    root: Path
    # "warehouse", "online" (BackendConfig), "catalog" (its URL), "server" (the raw mapping),
    # "access" (an AccessPolicy, None without an access: section), "logging" (a ServedLogConfig or None)
    sections: Mapping[str, Any] = field(repr=False)
    # where an unset variable is used ("server.auth.tokens.ops.token") -> its name
    unset: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    source: str = CONFIG_FILE

    @property
    def warehouse(self) -> BackendConfig:
        return self.section("warehouse")

    @property
    def online(self) -> BackendConfig:
        return self.section("online")

    @property
    def dialect(self) -> str:
        """The warehouse's SQL dialect (its type, or its ibis backend's): known without its
        settings, so without secrets."""
        warehouse = self.sections["warehouse"]
        return IBIS_DIALECTS[warehouse.options["backend"]] if warehouse.type == "ibis" else warehouse.type

    @property
    def catalog_url(self) -> str:
        return self.section("catalog")

    @property
    def server(self) -> Mapping[str, Any]:
        return self.section("server")

    @property
    def access(self) -> AccessPolicy | None:
        """The ``access:`` policy (``virtualfs.policy``); None without one: everyone may do anything."""
        return self.section("access")

    @property
    def logging(self) -> ServedLogConfig | None:
        """The ``logging:`` section (``served_log_config``): which online requests are logged, and
        where; None without one: nothing is logged."""
        return self.section("logging")

    def section(self, name: str) -> Any:
        """Section ``name``; ConfigError naming the variable if one it uses is not set."""
        for where, variable in self.unset.items():
            if where.partition(".")[0] == name:
                raise _unset_error(self.source, where, variable)
        return self.sections[name]


def load_config(repo_path: str | os.PathLike[str]) -> RepoConfig:
    """Read ``<repo>/virtualfs.yaml``."""
    import yaml

    root = Path(repo_path).resolve()
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(f"{path}: not found; is {root} a virtualfs repository? (virtualfs init)")
    text = path.read_text()
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise _yaml_error(path, text, error) from None
    return parse_config(raw, root, source=str(path))


def _yaml_error(path: Path, text: str, error: Exception) -> ConfigError:
    """The parse error, or — when it is an unquoted ``${NAME}`` inside a ``{...}`` mapping, which
    YAML reads as the start of a nested mapping — what to write instead."""
    mark = getattr(error, "problem_mark", None)
    line = text.splitlines()[mark.line] if mark is not None and mark.line < len(text.splitlines()) else ""
    found = _ENV_REF.search(line[max(mark.column - 1, 0):] if mark is not None else "")
    if found is None:
        first = " ".join(str(error).split())
        return ConfigError(f"{path}: not valid YAML: {first}")
    name = found.group(1)
    unset = "" if name in os.environ else f"environment variable {name} is not set, and "
    return ConfigError(f"{path}: line {mark.line + 1}: {unset}${{{name}}} inside a {{...}} mapping must be "
                       f"quoted: write \"${{{name}}}\"")


def parse_config(raw: object, root: Path, source: str = CONFIG_FILE) -> RepoConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level")
    # Unset variables are left as written and are an error only when their section is read,
    # except in the values checked here, at load (the project, the backends' types, the schema).
    unset: dict[str, str] = {}
    raw = substitute_env(raw, source, unset=unset)
    checked = ("project", "warehouse.type", "warehouse.backend", "online.type", "warehouse.feature_schema")
    for where in checked:
        if where in unset:
            raise _unset_error(source, where, unset[where])
    _reject_unknown(raw, TOP_LEVEL_KEYS, source)
    project = raw.get("project")
    if not isinstance(project, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", project):
        raise ConfigError(f"{source}: project must be an identifier, got {project!r}")
    warehouse = _backend(raw.get("warehouse", {"type": "duckdb"}), "warehouse", WAREHOUSE_KEYS,
                         root, source, default_path="data/warehouse.duckdb")
    online = _backend(raw.get("online", {"type": "sqlite"}), "online", ONLINE_KEYS,
                      root, source, default_path=".virtualfs/online.db")
    if online.type == "redis":
        _check_redis_cluster(online.options, unset, f"{source}: online")
    catalog = raw.get("catalog", {}) or {}
    if not isinstance(catalog, dict):
        raise ConfigError(f"{source}: catalog must be a mapping like {{url: ...}}")
    _reject_unknown(catalog, {"url"}, f"{source}: catalog")
    url = _resolve_sqlite_url(str(catalog.get("url", "sqlite:///.virtualfs/catalog.db")), root)
    server = raw.get("server", {}) or {}
    if not isinstance(server, dict):
        raise ConfigError(f"{source}: server must be a mapping")
    access = parse_access(raw.get("access"), source)
    logging = parse_logging(raw.get("logging"), root, source)
    sections = {"warehouse": warehouse, "online": online, "catalog": url, "server": MappingProxyType(server),
                "access": access, "logging": logging}
    return RepoConfig(project, root, MappingProxyType(sections), MappingProxyType(unset), source)


def substitute_env(value: Any, source: str, where: str = "", unset: dict[str, str] | None = None) -> Any:
    """Replace ``${NAME}`` in every string from the environment. A NAME that is not set is an
    error; given ``unset``, it is left as written and recorded there (key path -> NAME) instead."""
    if isinstance(value, dict):
        return {k: substitute_env(v, source, f"{where}.{k}" if where else str(k), unset)
                for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_env(v, source, f"{where}[{i}]", unset) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def lookup(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in os.environ:
            return os.environ[name]
        if unset is None:
            raise _unset_error(source, where, name)
        unset.setdefault(where, name)
        return match.group(0)

    return _ENV_REF.sub(lookup, value)


def _unset_error(source: str, where: str, name: str) -> ConfigError:
    return ConfigError(f"{source}: {where}: environment variable {name} is not set (used as ${{{name}}})")


def _backend(section: object, what: str, known: dict[str, set[str]], root: Path, source: str,
             default_path: str) -> BackendConfig:
    if not isinstance(section, dict) or "type" not in section:
        raise ConfigError(f"{source}: {what} must be a mapping with a type, e.g. {{type: duckdb}}")
    kind = section["type"]
    if kind not in known:
        raise ConfigError(f"{source}: {what}.type {kind!r} is not one of {', '.join(sorted(known))}")
    options = {k: v for k, v in section.items() if k != "type"}
    if kind == "ibis":
        _check_ibis(options, root, source)
    else:
        _reject_unknown(options, known[kind], f"{source}: {what} ({kind})")
    if "feature_schema" in options:
        _check_feature_schema(options["feature_schema"], f"{source}: {what}.feature_schema")
        if kind == "postgres" and "." in str(options["feature_schema"]):
            raise ConfigError(f"{source}: {what}.feature_schema: PostgreSQL schemas take one name (the "
                              f"database is the connection's), got {options['feature_schema']!r}")
    if kind == "spark" and what == "warehouse":
        _check_spark(options, f"{source}: {what} (spark)")
    _check_resources(options, f"{source}: {what}")
    if "path" in (known[kind] or ()) and "path" not in options:
        options["path"] = default_path
    for key in PATH_KEYS & options.keys():
        if options[key] != ":memory:":
            options[key] = str((root / str(options[key])).resolve())
    return BackendConfig(kind, MappingProxyType(options))


def _check_redis_cluster(options: Mapping[str, Any], unset: Mapping[str, str], where: str) -> None:
    """``cluster: true`` takes ``nodes`` (and no ``url``); ``nodes`` without it is a mistake."""
    cluster = options.get("cluster", False)
    if not isinstance(cluster, bool):
        raise ConfigError(f"{where}.cluster must be true or false, got {cluster!r}")
    if not cluster:
        if "nodes" in options:
            raise ConfigError(f"{where}.nodes is for a Redis Cluster: add cluster: true, or give one url")
        return
    if "url" in options:
        raise ConfigError(f"{where}.url is for one Redis; a cluster (cluster: true) is reached through nodes")
    nodes = options.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        raise ConfigError(f"{where}.nodes: cluster: true needs a list of host:port, e.g. "
                          f"nodes: [\"10.0.0.1:7001\", \"10.0.0.2:7001\"], got {nodes!r}")
    for index, node in enumerate(nodes):
        if f"online.nodes[{index}]" not in unset:  # an unset ${VAR} fails when the section is read
            parse_redis_node(node, f"{where}.nodes[{index}]")


def parse_redis_node(text: object, where: str = "node") -> tuple[str, int]:
    """``host:port`` (``[v6 address]:port`` too) as (host, port); ConfigError says what is wrong.

    >>> parse_redis_node("10.0.0.1:7001"), parse_redis_node("[::1]:7002")
    (('10.0.0.1', 7001), ('::1', 7002))
    """
    if not isinstance(text, str):
        raise ConfigError(f"{where}: expected a string host:port, got {text!r}")
    host, colon, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{where}: expected host:port with a port from 1 to 65535, got {text!r}")
    return host, int(port)


def _check_resources(options: dict[str, Any], where: str) -> None:
    """An embedded engine's memory limit (``3GB``, ``512MiB``) and thread count (a positive integer)."""
    limit = options.get("memory_limit")
    if limit is not None and not (isinstance(limit, str) and _MEMORY_SIZE.fullmatch(limit)):
        raise ConfigError(f"{where}.memory_limit: expected a size like 3GB or 512MiB "
                          f"(units B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), got {limit!r}")
    threads = options.get("threads")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ConfigError(f"{where}.threads: expected a positive integer, got {threads!r}")


def _check_ibis(options: dict[str, Any], root: Path, source: str) -> None:
    """An ibis warehouse names a backend whose dialect virtualfs knows; its path argument (DuckDB's
    ``database``) is relative to the repository like every other path."""
    backend = options.get("backend")
    if backend not in IBIS_DIALECTS:
        raise ConfigError(f"{source}: warehouse (ibis): backend {backend!r} is not one of "
                          f"{', '.join(IBIS_DIALECTS)} (the ibis backends virtualfs has a SQL dialect for)")
    key = IBIS_PATH_KEYS.get(backend)
    if key in options and not str(options[key]).startswith(":memory:"):
        options[key] = str((root / str(options[key])).resolve())


def parse_schema_name(text: object) -> tuple[str, ...]:
    """``schema`` or ``database.schema`` as its parts; ValueError says what is wrong.

    >>> parse_schema_name("analytics.features")
    ('analytics', 'features')
    """
    parts = tuple(text.split(".")) if isinstance(text, str) else ()
    if not 1 <= len(parts) <= 2 or not all(_SCHEMA_PART.fullmatch(part) for part in parts):
        raise ValueError(f"expected a schema name like virtualfs_features or database.schema "
                         f"(letters, digits and _, not starting with a digit), got {text!r}")
    return parts


def _check_feature_schema(value: object, where: str) -> None:
    try:
        parse_schema_name(value)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None


def _check_spark(options: dict, where: str) -> None:
    """One way to reach Spark (``master`` or ``remote``), and ``conf`` a flat mapping of settings."""
    if "master" in options and "remote" in options:
        raise ConfigError(f"{where}: give master (a local session, e.g. local[2]) or remote "
                          f"(Spark Connect, e.g. sc://host:15002), not both")
    remote = options.get("remote")
    if remote is not None and not (isinstance(remote, str) and remote.startswith("sc://")):
        raise ConfigError(f"{where}: remote must be a Spark Connect URL like sc://host:15002, got {remote!r}")
    for key in ("master", "catalog", "database"):
        if key in options and not (isinstance(options[key], str) and options[key]):
            raise ConfigError(f"{where}: {key} must be a non-empty string, got {options[key]!r}")
    conf = options.get("conf", {})
    if not isinstance(conf, dict) or not all(
            isinstance(k, str) and isinstance(v, (str, int, float, bool)) for k, v in conf.items()):
        raise ConfigError(f"{where}: conf must be a mapping of Spark settings to values, "
                          f"e.g. {{spark.sql.shuffle.partitions: 8}}")


def _reject_unknown(mapping: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}; expected one of {', '.join(sorted(allowed))}"
        )


def _resolve_sqlite_url(url: str, root: Path) -> str:
    """Relative SQLite catalog paths are relative to the repository, like every other path."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str((root / url[len(prefix):]).resolve())
    return url
