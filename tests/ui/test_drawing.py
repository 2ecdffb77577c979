"""The pure parts: SQL highlighting (the text survives exactly; words get the right class) and
the lineage drawing (one clickable box per node, edges between the right boxes)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from virtualfs.ui.graph import NODE_WIDTH, layout, lineage_svg, node_href
from virtualfs.ui.highlight import highlight_sql

SQL = """SELECT c.customer_id, 'a''b' AS quoted, 3.5 * amount -- money
FROM "Orders" AS c /* all of them */ WHERE lower(channel) = 'web'"""


def spans(markup: str) -> list[tuple[str, str]]:
    return [(kind, unescape(text)) for kind, text in re.findall(r'<span class="sql-(\w+)">([^<]*)</span>', markup)]


def test_highlighting_keeps_the_text_exactly():
    assert unescape(re.sub(r"<[^>]+>", "", str(highlight_sql(SQL)))) == SQL


def test_highlighting_classes_each_token_by_what_it_is():
    found = spans(str(highlight_sql(SQL)))
    assert ("keyword", "SELECT") in found and ("keyword", "FROM") in found and ("keyword", "WHERE") in found
    assert ("string", "'a''b'") in found and ("string", "'web'") in found
    assert ("number", "3.5") in found
    assert ("function", "lower") in found
    assert ("identifier", '"Orders"') in found
    assert ("comment", " -- money\n") in found and ("comment", " /* all of them */ ") in found


def test_highlighting_escapes_markup_in_the_sql():
    markup = str(highlight_sql("SELECT '<script>alert(1)</script>' AS x"))
    assert "<script>" not in markup and "&lt;script&gt;" in markup


def test_text_that_does_not_tokenize_comes_back_escaped():
    assert str(highlight_sql("SELECT 'unclosed <b>")) == "SELECT &#x27;unclosed &lt;b&gt;"


@given(st.text(alphabet="SELECT FROMWHERabc0123'\"()*,.;<>&-/\n ", max_size=60))
def test_any_text_survives_highlighting(text):
    assert unescape(re.sub(r"<[^>]+>", "", str(highlight_sql(text)))) == text


EDGES = frozenset({("orders.amount", "source/orders"), ("source/orders", "v:amount"), ("v:amount", "service/churn"),
                   ("v:amount", "online/sqlite")})
KINDS = {"orders.amount": "column", "source/orders": "source", "v:amount": "feature", "service/churn": "service",
         "online/sqlite": "online"}


def test_nodes_go_left_to_right_by_kind():
    placed = {node.name: node for node in layout(EDGES, KINDS, "v:amount")}
    xs = [placed[name].x for name in ("orders.amount", "source/orders", "v:amount", "service/churn")]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert placed["online/sqlite"].x == placed["service/churn"].x
    assert placed["online/sqlite"].y != placed["service/churn"].y


def test_every_linked_node_is_a_link_to_its_page_and_every_edge_is_drawn():
    svg = str(lineage_svg(EDGES, KINDS, "v:amount"))
    links = re.findall(r'<a href="([^"]+)"><g class="node node-(\w+)', svg)
    assert sorted(links) == sorted([("/ui/lineage/orders.amount", "column"), ("/ui/sources/orders", "source"),
                                    ("/ui/features/v:amount", "feature"), ("/ui/services/churn", "service")])
    assert 'data-node="online/sqlite"' in svg  # drawn, with no page of its own
    assert svg.count('<path class="edge"') == len(EDGES)
    assert re.search(r'class="node node-feature focus" data-node="v:amount"', svg)


def test_an_edge_joins_the_right_side_of_one_box_to_the_left_side_of_the_next():
    placed = {node.name: node for node in layout(EDGES, KINDS, "v:amount")}
    svg = str(lineage_svg(EDGES, KINDS, "v:amount"))
    column, source = placed["orders.amount"], placed["source/orders"]
    start = f"M{column.x + NODE_WIDTH:.1f},"
    end = f" {source.x:.1f},"
    assert any(path.startswith(start) and end in path for path in re.findall(r'd="([^"]+)"', svg))


def test_names_are_escaped_in_the_drawing():
    svg = str(lineage_svg(frozenset({("t.<b>", "source/s")}), {"t.<b>": "column", "source/s": "source"}, "t.<b>"))
    assert "<b>" not in svg.replace("<b>", "", 0) or "&lt;b&gt;" in svg
    assert "t.<b>" not in re.sub(r"<[^>]+>", "", svg)


@pytest.mark.parametrize(("name", "kind", "href"), [
    ("v:f", "feature", "/ui/features/v:f"), ("dataset/train", "dataset", "/ui/datasets/train"),
    ("online/redis", "online", ""), ("a b.c", "column", "/ui/lineage/a%20b.c")])
def test_node_pages(name, kind, href):
    assert node_href(name, kind) == href
