"""A lineage drawn as inline SVG on the server: warehouse columns, then sources, features and
what carries them (services, the online store, saved datasets), left to right. Each node is a
link to its page, so the graph is clicked through without any script.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

from markupsafe import Markup

# Columns of the drawing, left to right, by what a node is.
RANKS = {"column": 0, "source": 1, "feature": 2, "service": 3, "online": 3, "dataset": 3}
NODE_WIDTH, NODE_HEIGHT, GAP_X, GAP_Y, MARGIN = 230, 30, 60, 12, 10
LABEL_CHARS = 30


@dataclass(frozen=True)
class Node:
    """One box of the drawing: its name, kind, place and the page it links to ('' for none)."""

    name: str
    kind: str
    x: float
    y: float
    href: str


def node_href(name: str, kind: str) -> str:
    """The page of a lineage node (``view:feature``, ``source/NAME``, ``table.column`` ...).

    >>> node_href("orders:amount", "feature"), node_href("service/churn", "service")
    ('/ui/features/orders:amount', '/ui/services/churn')
    """
    if kind == "feature":
        return f"/ui/features/{quote(name, safe=':*')}"
    if kind == "column":
        return f"/ui/lineage/{quote(name, safe='.')}"
    prefix = {"source": "/ui/sources/", "service": "/ui/services/", "dataset": "/ui/datasets/"}.get(kind)
    return f"{prefix}{quote(name.partition('/')[2], safe='')}" if prefix else ""


def layout(edges: frozenset[tuple[str, str]], kinds: Mapping[str, str], focus: str) -> list[Node]:
    """Nodes placed in one column per rank, each column sorted by name; empty ranks close up.
    ``focus`` ('' for none) is drawn even when no edge reaches it."""
    names = sorted({node for edge in edges for node in edge} | ({focus} if focus else set()))
    by_rank: dict[int, list[str]] = {}
    for name in names:
        by_rank.setdefault(RANKS.get(kinds.get(name, "feature"), 2), []).append(name)
    tallest = max((len(names) for names in by_rank.values()), default=0)
    nodes = []
    for column, rank in enumerate(sorted(by_rank)):
        shift = (tallest - len(by_rank[rank])) * (NODE_HEIGHT + GAP_Y) / 2  # centred: shorter edges
        for row, name in enumerate(by_rank[rank]):
            kind = kinds.get(name, "feature")
            nodes.append(Node(name, kind, MARGIN + column * (NODE_WIDTH + GAP_X),
                              MARGIN + shift + row * (NODE_HEIGHT + GAP_Y), node_href(name, kind)))
    return nodes


def lineage_svg(edges: frozenset[tuple[str, str]], kinds: Mapping[str, str], focus: str,
                href: Callable[[Node], str] | None = None) -> Markup:
    """The drawing as ``<svg>`` markup; ``focus`` (the node asked about, '' for none) is outlined.

    >>> svg = lineage_svg(frozenset({("t.a", "source/s"), ("source/s", "v:f")}),
    ...                   {"t.a": "column", "source/s": "source", "v:f": "feature"}, "v:f")
    >>> svg.count("<a "), 'href="/ui/lineage/t.a"' in svg
    (3, True)
    """
    nodes = layout(edges, kinds, focus)
    if not nodes:
        return Markup('<p class="muted">nothing to draw</p>')
    placed = {node.name: node for node in nodes}
    width = max(node.x for node in nodes) + NODE_WIDTH + MARGIN
    height = max(node.y for node in nodes) + NODE_HEIGHT + MARGIN
    parts = [f'<svg class="lineage" width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} '
             f'{height:.0f}" role="img" aria-label="lineage of {escape(focus)}">']
    parts += [_edge(placed[a], placed[b]) for a, b in sorted(edges)]
    parts += [_node(node, node.name == focus, href(node) if href else node.href) for node in nodes]
    return Markup("".join([*parts, "</svg>"]))


def _edge(a: Node, b: Node) -> str:
    x1, y1 = a.x + NODE_WIDTH, a.y + NODE_HEIGHT / 2
    x2, y2 = b.x, b.y + NODE_HEIGHT / 2
    middle = (x1 + x2) / 2
    return (f'<path class="edge" d="M{x1:.1f},{y1:.1f} C{middle:.1f},{y1:.1f} {middle:.1f},{y2:.1f} '
            f'{x2:.1f},{y2:.1f}"/>')


def _node(node: Node, focused: bool, href: str) -> str:
    label = node.name if len(node.name) <= LABEL_CHARS else node.name[:LABEL_CHARS - 1] + "…"
    classes = f"node node-{node.kind}" + (" focus" if focused else "")
    box = (f'<g class="{classes}" data-node="{escape(node.name)}"><title>{escape(node.kind)}: '
           f'{escape(node.name)}</title><rect x="{node.x:.1f}" y="{node.y:.1f}" width="{NODE_WIDTH}" '
           f'height="{NODE_HEIGHT}" rx="6"/><text x="{node.x + 10:.1f}" y="{node.y + 19:.1f}">'
           f'{escape(label)}</text></g>')
    return f'<a href="{escape(href)}">{box}</a>' if href else box
