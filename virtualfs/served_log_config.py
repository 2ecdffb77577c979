"""The ``logging:`` section of virtualfs.yaml: which fraction of online requests is logged, and where.

Example::

    logging: {sample: 0.01, sink: warehouse}       # table <project>__served_log in the feature schema
    logging: {sample: 1.0, sink: {type: parquet, path: logs/served}}  # a folder of Parquet files
    logging: {sample: 0.1, sink: {type: sqlite, path: .virtualfs/served.db}}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from virtualfs.errors import ConfigError

SINKS = {"warehouse": None, "parquet": ".virtualfs/served_log", "sqlite": ".virtualfs/served_log.db"}
LOGGING_KEYS = {"sample", "sink", "queue", "flush_seconds", "seed"}


@dataclass(frozen=True)
class ServedLogConfig:
    """Log ``sample`` (0 to 1) of online requests, decided per request, to ``sink`` (``warehouse``,
    ``parquet`` or ``sqlite``; ``path`` for the last two). At most ``queue`` requests wait to be
    written; more are dropped and counted. Batches are written every ``flush_seconds``. ``seed``
    makes the sampling repeatable (tests, benchmarks)."""

    sample: float
    sink: str = "warehouse"
    path: str | None = None
    queue: int = 10_000
    flush_seconds: float = 2.0
    seed: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.sample, bool) or not isinstance(self.sample, (int, float)) \
                or not 0.0 <= self.sample <= 1.0:
            raise ConfigError(f"logging.sample: expected a fraction from 0 to 1, got {self.sample!r}")
        if self.sink not in SINKS:
            raise ConfigError(f"logging.sink.type: expected one of {', '.join(SINKS)}, got {self.sink!r}")
        if isinstance(self.queue, bool) or not isinstance(self.queue, int) or self.queue < 1:
            raise ConfigError(f"logging.queue: expected a positive number of requests, got {self.queue!r}")
        seconds = self.flush_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
            raise ConfigError(f"logging.flush_seconds: expected a positive number, got {seconds!r}")
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)):
            raise ConfigError(f"logging.seed: expected an integer, got {self.seed!r}")


def parse_logging(section: object, root: Path, source: str) -> ServedLogConfig | None:
    """``logging:`` as a ServedLogConfig (None without one); relative paths are against ``root``.

    >>> parse_logging({"sample": 0.5, "sink": {"type": "sqlite"}}, Path("/repo"), "x").path
    '/repo/.virtualfs/served_log.db'
    """
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigError(f"{source}: logging must be a mapping like {{sample: 0.01, sink: warehouse}}")
    unknown = sorted(set(section) - LOGGING_KEYS)
    if unknown:
        raise ConfigError(f"{source}: logging: unknown key {unknown[0]!r}; "
                          f"expected one of {', '.join(sorted(LOGGING_KEYS))}")
    if "sample" not in section:
        raise ConfigError(f"{source}: logging.sample is required (the fraction of requests to log, "
                          "e.g. 0.01)")
    kind, path = _sink(section.get("sink", "warehouse"), source)
    if path is None and SINKS.get(kind) is not None:
        path = SINKS[kind]
    if path is not None:
        path = str((root / path).resolve())
    try:
        return ServedLogConfig(section["sample"], kind, path, section.get("queue", 10_000),
                               section.get("flush_seconds", 2.0), section.get("seed"))
    except ConfigError as error:
        raise ConfigError(f"{source}: {error}") from None


def _sink(sink: object, source: str) -> tuple[str, str | None]:
    """``warehouse`` | ``{type: parquet|sqlite|warehouse, path: ...}`` as (type, path)."""
    if isinstance(sink, str):
        return sink, None
    if not isinstance(sink, dict) or "type" not in sink:
        raise ConfigError(f"{source}: logging.sink must be warehouse or a mapping like "
                          f"{{type: parquet, path: logs/served}}, got {sink!r}")
    unknown = sorted(set(sink) - {"type", "path"})
    if unknown:
        raise ConfigError(f"{source}: logging.sink: unknown key {unknown[0]!r}; expected type, path")
    path = sink.get("path")
    if path is not None and (not isinstance(path, str) or not path):
        raise ConfigError(f"{source}: logging.sink.path must be a non-empty string, got {path!r}")
    if path is not None and sink["type"] == "warehouse":
        raise ConfigError(f"{source}: logging.sink.path: a warehouse sink writes <project>__served_log "
                          "in the feature schema; it takes no path")
    return str(sink["type"]), path
