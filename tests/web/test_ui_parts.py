"""SPARQL-tab helpers (example loading, result parsing) and the graph drawing."""
from __future__ import annotations

import json

from web.ui.drawing import CLICK_JS, MAX_PER_NODE, Edge, normalise, svg
from web.ui.sparql import load_examples, parse_json_results


def test_ui_sparql_examples_read_title_and_description(tmp_path):
    (tmp_path / "b.rq").write_text("# title: 各规划的指标\n# description: 列出指标\nSELECT * {}",
                                   encoding="utf-8")
    (tmp_path / "a.rq").write_text("SELECT ?s {}", encoding="utf-8")
    ex = load_examples(tmp_path)
    assert [e.name for e in ex] == ["a", "b"]
    assert ex[0].title == "a" and ex[1].title == "各规划的指标" and ex[1].description == "列出指标"


def test_ui_sparql_parse_results_compacts_iris_for_display_only():
    body = json.dumps({"head": {"vars": ["s", "n"]}, "results": {"bindings": [
        {"s": {"type": "uri", "value": "https://w3id.org/plangraph/ns#Target"},
         "n": {"type": "literal", "value": "65%"}}, {"n": {"type": "literal", "value": "x"}}]}})
    res = parse_json_results(body)
    assert res.headers == ["s", "n"]
    assert res.rows[0] == ["https://w3id.org/plangraph/ns#Target", "65%"]
    assert res.display[0] == ["pg:Target", "65%"]
    assert res.rows[1] == ["", "x"]


def test_ui_graph_normalise_accepts_tuples_dicts_and_objects():
    class T:
        subject, predicate, object, object_label = "http://a", "http://p", "http://b", "乙"
    edges = normalise([("http://a", "http://p", "lit"), {"s": "http://a", "p": "http://p",
                                                         "o": "http://c"}, T()])
    assert edges[0].o_is_iri is False and edges[1].o_is_iri and edges[2].o_label == "乙"


def test_ui_graph_svg_escapes_labels_and_marks_nodes_clickable():
    edges = [Edge("http://x/a", "http://x/p", "http://x/b"),
             Edge("http://x/a", "http://x/q", "http://x/c")]
    labels = {"http://x/a": "<b>甲</b>", "http://x/b": "乙", "http://x/c": "丙"}
    out = svg(edges, labels, {}, "http://x/a")
    assert "<b>甲" not in out and "&lt;b&gt;甲" in out
    assert out.count('class="pg-node"') == 3 and 'data-iri="http://x/b"' in out
    assert "data-iri" in CLICK_JS and "trigger('click'" in CLICK_JS


def test_ui_graph_layout_spreads_many_nodes_inside_the_box():
    edges = [Edge("http://x/hub", "http://x/p", f"http://x/n{i}") for i in range(30)]
    edges += [Edge(f"http://x/n{i}", "http://x/p", f"http://x/n{i + 1}") for i in range(29)]
    out = svg(edges, {}, {}, "http://x/hub")
    import re
    xs = [float(v) for v in re.findall(r'<circle cx="([\d.]+)"', out)]
    ys = [float(v) for v in re.findall(r'cy="([\d.]+)"', out)]
    n = 1 + MAX_PER_NODE
    assert len(xs) == n and min(xs) > 0 and max(xs) < 960 and min(ys) > 0 and max(ys) < 620
    assert len({(round(x), round(y)) for x, y in zip(xs, ys)}) == n    # no two nodes overlap
    assert f"另有 {30 - MAX_PER_NODE} 个" in out                       # the rest are announced
