"""``--help`` and ``--version`` as a user reads them in an 80-column terminal."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version

import pytest
import typer
from typer.testing import CliRunner

from virtualfs.cli.main import app

COMMANDS = typer.main.get_command(app).commands
TYPE_LABEL = re.compile(r"<(str|bool|int|float|path|list\[[a-z]+\]|[a-z|]+)>")


def help_text(*args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_names_every_option_in_full_and_shows_no_type_labels(name):
    text = help_text(name)
    assert not TYPE_LABEL.search(text), TYPE_LABEL.search(text)
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 80
    for param in COMMANDS[name].params:
        for option in [*param.opts, *param.secondary_opts]:
            if option.startswith("-"):
                assert re.search(rf"(^|[\s,/]){re.escape(option)}($|[\s,])", text, re.M), option


def test_top_level_help_lists_every_command_with_its_whole_summary():
    text = help_text()
    assert "..." not in text.split("Commands:")[1]
    for name in COMMANDS:
        assert re.search(rf"^  {re.escape(name)}\s", text, re.M), name
    assert "--version" in text


def test_refresh_help_at_80_columns_in_a_real_terminal_size():
    """What the issue ran: ``COLUMNS=80 virtualfs refresh --help``."""
    result = subprocess.run([sys.executable, "-m", "virtualfs.cli", "refresh", "--help"], capture_output=True,
                            text=True, timeout=60, env={"COLUMNS": "80", "PATH": ""})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  -r, --repo DIR" in "\n".join(lines)
    assert any(line.startswith("  --online / --no-online ") for line in lines)
    assert any(line.startswith("  --full ") for line in lines) and "<bool>" not in result.stdout
    assert "<str>" not in result.stdout and max(len(line) for line in lines) <= 80


def test_version_prints_the_installed_package_version():
    result = subprocess.run([sys.executable, "-m", "virtualfs.cli", "--version"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"virtualfs {version('virtualfs')}\n"
