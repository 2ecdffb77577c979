"""``virtualfs ui``: the catalog web UI on uvicorn, on loopback unless told otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from virtualfs.cli.common import RepoOption
from virtualfs.cli.serve import HostOption, InsecureOption, check_bind

UiPortOption = Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)]


def register(app: typer.Typer) -> None:
    """Add ``ui`` to the ``virtualfs`` app."""
    app.command("ui")(ui_command)


def ui_command(host: HostOption = "127.0.0.1", port: UiPortOption = 6567, insecure: InsecureOption = False,
               repo: RepoOption = ".") -> None:
    """Browse the catalog in a web browser (http://HOST:PORT/ui): features, lineage, freshness,
    statistics, datasets and versions; read-only, with the feature server's tokens and policy."""
    import uvicorn

    from virtualfs.config import load_config
    from virtualfs.server.config import parse_server_config
    from virtualfs.store import FeatureStore
    from virtualfs.ui import build_ui_app

    loaded = load_config(repo)
    config = parse_server_config(loaded.server, loaded.access)  # a bad server: section fails now
    check_bind(host, config.auth_enabled, insecure)
    typer.echo(f"catalog UI on http://{host}:{port}/ui")
    uvicorn.run(build_ui_app(FeatureStore(str(Path(repo).resolve())), config), host=host, port=port,
                access_log=False, server_header=False, proxy_headers=False, log_level="info")
