"""What governance answers with: a feature's ``Lineage``, and a ``SearchHit``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

# Graphviz shapes by what a node is: a warehouse column, a source, a feature, a carrier.
_SHAPES = {"column": "box", "source": "cylinder", "feature": "ellipse", "service": "note",
           "online": "box3d", "dataset": "folder"}


@dataclass(frozen=True)
class Lineage:
    """Where ``ref`` comes from and where it goes.

    ``upstream_columns``: the warehouse columns (``"table.column"``, named as the warehouse
    resolves them) it is computed from; ``downstream``: the features computed from it (when
    ``ref`` is a column) and what carries them (``service/<name>``, ``online/<store>``,
    ``dataset/<name>``); ``unresolved``: column names a source query reads without saying from
    which table, and ``possible_columns`` what they may be; ``edges``: the graph, for
    :meth:`to_dot`.
    """

    ref: str
    direction: str
    upstream_columns: frozenset[str] = frozenset()
    downstream: frozenset[str] = frozenset()
    unresolved: frozenset[str] = frozenset()
    possible_columns: frozenset[str] = frozenset()
    edges: frozenset[tuple[str, str]] = frozenset()
    # node -> kind (column, source, feature, service, online, dataset)
    kinds: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able, every set sorted.

        >>> Lineage("v:f", "up", frozenset({"t.b", "t.a"})).to_dict()["upstream_columns"]
        ['t.a', 't.b']
        """
        return {"ref": self.ref, "direction": self.direction,
                "upstream_columns": sorted(self.upstream_columns), "downstream": sorted(self.downstream),
                "unresolved": sorted(self.unresolved), "possible_columns": sorted(self.possible_columns),
                "edges": [list(edge) for edge in sorted(self.edges)]}

    def to_dot(self) -> str:
        """The graph in Graphviz's DOT language, left to right (``dot -Tsvg``).

        >>> print(Lineage("v:f", "up", edges=frozenset({("t.a", "v:f")}),
        ...               kinds={"t.a": "column", "v:f": "feature"}).to_dot())
        digraph lineage {
          rankdir=LR;
          "t.a" [shape=box];
          "v:f" [shape=ellipse, style=bold];
          "t.a" -> "v:f";
        }
        """
        nodes = sorted({node for edge in self.edges for node in edge} | {self.ref})
        lines = ["digraph lineage {", "  rankdir=LR;"]
        for node in nodes:
            shape = _SHAPES.get(self.kinds.get(node, "feature"), "ellipse")
            bold = ", style=bold" if node == self.ref else ""
            lines.append(f"  {_dot_id(node)} [shape={shape}{bold}];")
        lines += [f"  {_dot_id(a)} -> {_dot_id(b)};" for a, b in sorted(self.edges)]
        return "\n".join([*lines, "}"])

    def lines(self) -> list[str]:
        """As a person reads it (``virtualfs lineage``)."""
        out = [f"lineage of {self.ref}"]
        if self.direction in ("up", "both"):
            out += ["  upstream columns", *(f"    {c}" for c in sorted(self.upstream_columns) or ["none"])]
            for name in sorted(self.unresolved):
                maybe = sorted(c for c in self.possible_columns if c.rsplit(".", 1)[-1] == name)
                out.append(f"    ? {name}: the query does not say from which table (one of "
                           f"{', '.join(maybe) or 'its tables'})")
        if self.direction in ("down", "both"):
            out += ["  downstream", *(f"    {d}" for d in sorted(self.downstream) or ["none"])]
        return out


@dataclass(frozen=True)
class SearchHit:
    """One definition found by ``FeatureStore.search``: its ``kind`` (entity, source, view,
    feature, service), ``name`` (``view:feature`` for a feature), ``score`` (higher is better),
    and what describes it; ``pii`` says whether it holds personal data (a view or service: one
    of its features does; a source: it classifies a column as PII)."""

    kind: str
    name: str
    score: float
    description: str = ""
    owner: str = ""
    tags: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    pii: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "score": round(self.score, 4),
                "description": self.description, "owner": self.owner, "tags": dict(self.tags),
                "pii": self.pii}


def _dot_id(text: str) -> str:
    return json.dumps(text)
