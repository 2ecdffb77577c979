"""Discovery commands: search (definitions by a few words) and lineage (a feature's columns)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from virtualfs.cli.common import JsonOption, RepoOption, open_store, print_json, print_table
from virtualfs.errors import RequestError


class SearchKind(str, Enum):
    view = "view"
    feature = "feature"
    service = "service"
    source = "source"
    entity = "entity"


class Direction(str, Enum):
    up = "up"
    down = "down"
    both = "both"


class Format(str, Enum):
    text = "text"
    json = "json"
    dot = "dot"


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(lineage)


OwnerOption = Annotated[Optional[str], typer.Option(
    metavar="OWNER", help="Only definitions of this owner (growth finds growth@...).")]
TagOption = Annotated[Optional[list[str]], typer.Option(
    metavar="KEY=VALUE", help="Only definitions with this tag (KEY alone: any value); repeat for more.")]
KindOption = Annotated[Optional[SearchKind], typer.Option(
    metavar="KIND", help="view, feature, service, source or entity.")]
DirectionOption = Annotated[Direction, typer.Option(
    metavar="up|down|both", help="Upstream columns, downstream carriers, or both.")]
FormatOption = Annotated[Format, typer.Option(
    "--format", metavar="text|json|dot",
    help="dot: a Graphviz graph (virtualfs lineage REF --format dot | dot -Tsvg).")]


def search(
    text: Annotated[str, typer.Argument(metavar="TEXT", help="Words to look for (empty: everything).")] = "",
    owner: OwnerOption = None,
    tag: TagOption = None,
    kind: KindOption = None,
    repo: RepoOption = ".",
    json: JsonOption = False,
) -> None:
    """Find applied definitions by words of their names, descriptions, owners and tags (typos
    forgiven), best first; PII marks those holding personal data."""
    store = open_store(repo)
    hits = store.search(text, owner=owner, tags=parse_tags(tag or []), kind=kind.value if kind else None)
    if json:
        print_json([hit.to_dict() for hit in hits])
        return
    rows = [{"kind": hit.kind, "name": hit.name, "pii": "PII" if hit.pii else "",
             "description": hit.description} for hit in hits]
    if not rows:
        typer.echo("nothing found")
        return
    print_table(rows, ["kind", "name", "pii", "description"], whole=["kind", "name", "pii"])


def lineage(
    ref: Annotated[str, typer.Argument(metavar="REF", help=(
        "view:feature, view:*, a view or a service; or a warehouse column table.column (its "
        "features, going down)."))],
    direction: DirectionOption = Direction.both,
    format: FormatOption = Format.text,
    repo: RepoOption = ".",
) -> None:
    """Where a feature comes from (the warehouse columns it is computed from, through its
    source's SQL) and what carries it (services, the online store)."""
    found = open_store(repo).lineage(ref, direction.value)
    if format is Format.json:
        print_json(found.to_dict())
    elif format is Format.dot:
        typer.echo(found.to_dot())
    else:
        typer.echo("\n".join(found.lines()))


def parse_tags(pairs: list[str]) -> dict[str, str | None]:
    """``["team=growth", "pii"]`` -> ``{"team": "growth", "pii": None}``.

    >>> parse_tags(["team=growth", "tier"])
    {'team': 'growth', 'tier': None}
    """
    tags: dict[str, str | None] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not key.strip():
            raise RequestError(f"--tag {pair!r}: expected KEY=VALUE or KEY")
        tags[key.strip()] = value.strip() if equals else None
    return tags
