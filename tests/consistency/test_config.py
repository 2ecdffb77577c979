"""The ``logging:`` section: defaults, paths relative to the repository, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from virtualfs.config import parse_config
from virtualfs.errors import ConfigError

BASE = {"project": "shop"}


def logging_of(section: object):
    return parse_config({**BASE, "logging": section}, Path("/repo")).logging


def test_no_logging_section_logs_nothing():
    assert parse_config(BASE, Path("/repo")).logging is None


def test_a_warehouse_sink_by_default_and_file_sinks_under_the_repository():
    assert logging_of({"sample": 0.01}).sink == "warehouse"
    parquet = logging_of({"sample": 1, "sink": {"type": "parquet", "path": "logs/served"}, "seed": 3})
    assert (parquet.sink, parquet.path, parquet.sample, parquet.seed) == ("parquet", "/repo/logs/served", 1, 3)
    assert logging_of({"sample": 0.5, "sink": {"type": "sqlite"}}).path == "/repo/.virtualfs/served_log.db"


@pytest.mark.parametrize(("section", "message"), [
    ({"sample": 0.1, "sampel": 1}, "logging: unknown key 'sampel'"),
    ({"sink": "warehouse"}, "logging.sample is required"),
    ({"sample": 1.5}, "logging.sample: expected a fraction from 0 to 1, got 1.5"),
    ({"sample": True}, "logging.sample: expected a fraction"),
    ({"sample": 0.1, "sink": "kafka"}, "logging.sink.type: expected one of warehouse, parquet, sqlite, got 'kafka'"),
    ({"sample": 0.1, "sink": {"type": "parquet", "folder": "x"}}, "logging.sink: unknown key 'folder'"),
    ({"sample": 0.1, "sink": {"type": "warehouse", "path": "x"}}, "it takes no path"),
    ({"sample": 0.1, "queue": 0}, "logging.queue: expected a positive number of requests, got 0"),
    ({"sample": 0.1, "flush_seconds": -1}, "logging.flush_seconds: expected a positive number"),
    ([1], "logging must be a mapping"),
])
def test_a_bad_logging_section_is_an_error_naming_the_key(section, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
        logging_of(section)


def test_a_report_without_a_logging_section_says_what_to_add(tmp_path):
    from tests.repo_factory import write_repo
    from virtualfs import FeatureStore

    with FeatureStore(write_repo(tmp_path / "repo")) as store:
        store.apply()
        with pytest.raises(ConfigError, match="no logging: section"):
            store.consistency_report()
