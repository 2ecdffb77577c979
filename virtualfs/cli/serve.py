"""``virtualfs serve``: the HTTP feature server on uvicorn, on loopback unless told otherwise."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Annotated

import typer

from virtualfs.cli.common import RepoOption

HostOption = Annotated[str, typer.Option("--host", help="Address to bind (default: loopback only).")]
PortOption = Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)]
WorkersOption = Annotated[
    int, typer.Option("--workers", help="Worker processes (about one per core).", min=1)
]
InsecureOption = Annotated[
    bool, typer.Option("--insecure", help="Allow a non-loopback address without auth tokens configured.")
]
AccessLogOption = Annotated[bool, typer.Option("--access-log", help="Log every request (slower).")]


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``virtualfs`` app."""
    app.command("serve")(serve_command)


def serve_command(host: HostOption = "127.0.0.1", port: PortOption = 6566, workers: WorkersOption = 1,
                  insecure: InsecureOption = False, access_log: AccessLogOption = False,
                  repo: RepoOption = ".") -> None:
    """Serve online features over HTTP (POST /v1/online-features; docs at /openapi.json)."""
    import uvicorn

    from virtualfs.config import load_config
    from virtualfs.server.config import parse_server_config

    config = parse_server_config(load_config(repo).server)  # fail on a bad server: section now
    check_bind(host, config.auth_enabled, insecure)
    root = str(Path(repo).resolve())
    # No proxy-header rewriting: the server never looks at client addresses, so skip the work.
    options = {"host": host, "port": port, "access_log": access_log, "server_header": False,
               "proxy_headers": False, "log_level": "info"}
    if workers == 1:
        from virtualfs.server.app import build_app
        from virtualfs.store import FeatureStore

        uvicorn.run(build_app(FeatureStore(root), config), **options)
        return
    # Several processes: each worker imports the app factory and opens the repository itself.
    os.environ["VIRTUALFS_SERVER_REPO"] = root
    uvicorn.run("virtualfs.server.app:app_from_env", factory=True, workers=workers, **options)


def check_bind(host: str, auth_enabled: bool, insecure: bool) -> None:
    """Refuse to expose a server without tokens beyond this machine unless ``--insecure``."""
    if auth_enabled or insecure or is_loopback(host):
        return
    raise typer.BadParameter(
        f"--host {host} is reachable from other machines but server.auth has no tokens; "
        "configure server.auth.tokens in virtualfs.yaml, or pass --insecure to serve anyway",
        param_hint="--host",
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name may resolve anywhere: treat it as exposed
