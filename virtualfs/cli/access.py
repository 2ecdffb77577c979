"""Access commands: ``grants`` (the warehouse's own controls for the policy) and ``audit``."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from virtualfs.cli.common import JsonOption, RepoOption, open_store, print_json, time_text
from virtualfs.cli.refresh import parse_time


class GrantDialect(str, Enum):
    postgres = "postgres"
    snowflake = "snowflake"


def register(app: typer.Typer) -> None:
    app.command()(grants)
    app.command()(audit)


def grants(
    dialect: Annotated[Optional[GrantDialect], typer.Option(
        metavar="postgres|snowflake", help="The warehouse's dialect (default: the repository's).")] = None,
    role_prefix: Annotated[str, typer.Option(
        metavar="TEXT", help="Warehouse role names are this prefix and the access: role's name.")] = "",
    repo: RepoOption = ".",
) -> None:
    """Print the GRANT statements (PostgreSQL: and masked views; Snowflake: and masking
    policies) that make the warehouse itself enforce the access: policy on the feature schema's
    tables. Run them as the tables' owner, again after a refresh rebuilds a table."""
    with open_store(repo) as store:
        typer.echo(store.grants(dialect.value if dialect else None, role_prefix), nl=False)


def audit(
    since: Annotated[Optional[str], typer.Option(
        metavar="TIME", help="Entries at or after this ISO time.")] = None,
    principal: Annotated[Optional[str], typer.Option(metavar="NAME", help="Only this principal's.")] = None,
    action: Annotated[Optional[str], typer.Option(
        metavar="ACTION", help="apply, refresh, materialize, gc, check, read (every read.*), read.offline, "
                               "read.online, read.profile, auth ...")] = None,
    repo: RepoOption = ".",
    json: JsonOption = False,
) -> None:
    """The audit log, oldest first: who did what, to what, when, and how it ended (ok, denied,
    failed). Online reads and failed server logins are counted, one line per span of time."""
    with open_store(repo) as store:
        entries = store.audit(parse_time(since, "--since"), principal, action)
    if json:
        print_json([entry.to_dict() for entry in entries])
        return
    if not entries:
        typer.echo("no audit entries")
        return
    # one line per entry, as logs read: the short fields aligned, the target (often long) last
    rows = [(time_text(e.at), e.principal or "-", e.action,
             e.outcome if e.count == 1 else f"{e.outcome} x{e.count}", e.target) for e in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for *fields, target in rows:
        aligned = [field.ljust(width) for field, width in zip(fields, widths, strict=True)]
        typer.echo("  ".join([*aligned, target]))
