"""The 图谱 tab's drawing: an entity neighbourhood laid out server-side (a small deterministic
force layout with numpy) and rendered as an SVG whose nodes carry data-iri attributes, so a
click can expand them. No JavaScript library and nothing fetched from a CDN."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from web.ui.render import esc

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"

# local name of a type or predicate -> Chinese label
TYPE_LABELS = {"Plan": "规划", "City": "城市", "District": "区县", "Indicator": "指标",
               "Target": "指标值", "Project": "项目", "Regulation": "法规", "Organization": "机构",
               "Passage": "原文段落", "Concept": "概念", "Category": "类别", "Other": "其他"}
TYPE_COLOURS = {"Plan": "#5f3dc4", "City": "#c2255c", "District": "#e8590c",
                "Indicator": "#2b8a3e", "Target": "#1c7ed6", "Project": "#f08c00",
                "Regulation": "#862e9c", "Organization": "#0b7285", "Passage": "#868e96",
                "Category": "#5c940d", "Other": "#495057"}
PRED_LABELS = {"plan": "规划", "indicator": "指标", "city": "城市", "district": "区县",
               "category": "类别", "wasDerivedFrom": "出处", "broader": "上位", "related": "相关",
               "publisher": "发布", "organization": "机构", "responsible": "责任单位",
               "type": "类型", "label": "名称", "prefLabel": "名称", "altLabel": "别名",
               "target": "目标值", "baseline": "基数", "targetValue": "数值", "unit": "单位",
               "comparator": "比较", "year": "年份", "period": "期间", "bindingness": "属性",
               "text": "原文", "start": "起始", "end": "结束", "kind": "种类", "status": "状态",
               "level": "级别", "title": "标题", "issued": "发布日期", "lengthKm": "长度(公里)",
               "investment": "投资", "role": "角色", "nameAsWritten": "原文名称",
               "valueKind": "值类型", "source": "来源", "districtName": "所在区县",
               "identifier": "编号", "targetValueMax": "数值上限", "approximate": "约数",
               "startPoint": "起点", "endPoint": "终点", "road": "道路", "length": "长度",
               "capacity": "规模", "note": "备注", "inScheme": "所属体系"}
# internal bookkeeping predicates not shown in the property table (provenance is shown instead)
HIDDEN_PREDICATES = {"evidenceStart", "evidenceEnd", "start", "end"}
# coded literal values -> Chinese
VALUE_LABELS = {"key_area": "重点区域", "in_scope": "规划范围", "guided": "引导", "mentioned": "提及",
                "to_issue": "拟制定", "to_revise": "拟修订", "existing": "现行", "issuer": "发布机关",
                "status": "现状值", "baseline": "基准值", "target": "目标值",
                "milestone": "阶段目标", "planned": "规划", "completed": "已完成", "ongoing": "在建", "table": "表格", "text": "正文",
                "true": "是", "false": "否"}

MAX_NODES = 60
MAX_PER_NODE = 24        # neighbours drawn around one expanded node (the rest are listed)
EDGE_LABELS_UP_TO = 18   # beyond this many edges, predicates go into tooltips only
SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
# structural edges that would turn a drawing into a hairball (scheme membership, typing)
SKIP_PREDICATES = {RDF_TYPE, PROV_DERIVED, SKOS_IN_SCHEME}
WIDTH, HEIGHT = 960, 620


def local_name(iri: str) -> str:
    iri = str(iri).strip("<>")
    for sep in ("#", "/"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[1] or iri
    return iri


@dataclass(frozen=True)
class Edge:
    s: str
    p: str
    o: str
    s_label: str = ""
    p_label: str = ""
    o_label: str = ""
    o_is_iri: bool = True


def _term(x: Any) -> tuple[str, bool]:
    """(text, is_iri) of an RDF term given as a pyoxigraph/rdflib node or a string."""
    cls = type(x).__name__
    if cls in ("NamedNode", "URIRef"):
        return str(getattr(x, "value", x)), True
    if cls == "Literal":
        return str(getattr(x, "value", x)), False
    if cls in ("BlankNode", "BNode"):
        return "_:" + str(getattr(x, "value", x)), True
    s = str(x)
    if s.startswith("<") and s.endswith(">"):
        return s[1:-1], True
    return s, s.startswith(("http://", "https://", "urn:"))


def normalise(triples: Iterable[Any]) -> list[Edge]:
    """Accept the graph's neighbourhood triples in any of the usual shapes: objects with
    subject/predicate/object (+ *_label), dicts with s/p/o or subject/... keys, or tuples
    (s, p, o) / (s, p, o, s_label, p_label, o_label)."""
    out: list[Edge] = []
    for t in triples:
        if isinstance(t, dict):
            g = t.get
        elif isinstance(t, (tuple, list)):
            vals = list(t)
            if len(vals) >= 6:
                keys = ["s", "p", "o", "s_label", "p_label", "o_label"]
            else:
                keys = ["s", "p", "o"]
            d = dict(zip(keys, vals))
            g = d.get
        else:
            g = lambda k, _t=t: getattr(_t, k, None)   # noqa: E731
        s = g("s") or g("subject")
        p = g("p") or g("predicate")
        o = g("o") if g("o") is not None else g("object")
        if s is None or p is None or o is None:
            continue
        s_txt, _ = _term(s)
        p_txt, _ = _term(p)
        o_txt, o_iri = _term(o)
        flag = g("o_is_iri") if g("o_is_iri") is not None else g("object_is_iri")
        if flag is not None:
            o_iri = bool(flag)
        out.append(Edge(s_txt, p_txt, o_txt,
                        str(g("s_label") or g("subject_label") or ""),
                        str(g("p_label") or g("predicate_label") or ""),
                        str(g("o_label") or g("object_label") or ""), o_iri))
    return out


def node_types(edges: list[Edge], known: Optional[dict[str, str]] = None) -> dict[str, str]:
    types = dict(known or {})
    for e in edges:
        if e.p == RDF_TYPE and e.o_is_iri:
            name = local_name(e.o)
            if e.s not in types or types[e.s] in ("Other", "Concept"):
                types[e.s] = name if name in TYPE_COLOURS else types.get(e.s, name)
    return types


def pred_label(e: Edge) -> str:
    return PRED_LABELS.get(local_name(e.p)) or e.p_label or local_name(e.p)


def radial(nodes: list[str], center: str) -> dict[str, tuple[float, float]]:
    """Centre in the middle, the others on one ring (two alternating rings when crowded)."""
    others = [v for v in nodes if v != center]
    pos = {center: (0.5, 0.5)}
    n = len(others)
    two = n > 14
    for i, v in enumerate(others):
        a = 2 * math.pi * i / max(n, 1) - math.pi / 2
        r = 0.40 if not two or i % 2 == 0 else 0.27
        pos[v] = (0.5 + r * math.cos(a), 0.5 + r * math.sin(a))
    return pos


def ego(nodes: list[str], links: list[tuple[str, str]],
        centres: list[str]) -> dict[str, tuple[float, float]]:
    """Deterministic layout around several expanded nodes: the focus (centres[0]) in the
    middle, the other expanded nodes on a ring around it, each node's own neighbours fanned
    out around it (away from the focus), shared neighbours between their expanded nodes.
    Returned in [0,1]^2."""
    adj: dict[str, set[str]] = {v: set() for v in nodes}
    for a, b in links:
        if a in adj and b in adj:
            adj[a].add(b)
            adj[b].add(a)
    cs = [c for c in centres if c in adj]
    if not cs:
        return radial(nodes, nodes[0])
    pos: dict[str, tuple[float, float]] = {cs[0]: (0.0, 0.0)}
    for i, c in enumerate(cs[1:]):
        a = 2 * math.pi * i / max(len(cs) - 1, 1) - math.pi / 2
        pos[c] = (math.cos(a), math.sin(a))
    owners = {v: [c for c in cs if v in adj[c]] for v in nodes if v not in pos}
    for c in cs:
        leaves = [v for v, o in owners.items() if o == [c]]
        if not leaves:
            continue
        cx, cy = pos[c]
        if c == cs[0]:          # all round, but never on the line to the next expanded node
            step = 2 * math.pi / len(leaves)
            toward = math.atan2(pos[cs[1]][1], pos[cs[1]][0]) if len(cs) > 1 else -math.pi / 2
            start, r = toward + step / 2 + (math.pi / 2 if len(leaves) == 1 else 0), 0.5
        else:
            spread = min(2 * math.pi * 0.75, 0.35 * len(leaves))
            start = math.atan2(cy, cx) - spread / 2
            r = 0.55 + 0.01 * len(leaves)
            step = spread / max(len(leaves) - 1, 1)
        for i, v in enumerate(leaves):
            a = start + step * i
            rr = r * (1.0 if i % 2 == 0 or len(leaves) < 12 else 0.75)
            pos[v] = (cx + rr * math.cos(a), cy + rr * math.sin(a))
    rest = [v for v in nodes if v not in pos]
    for i, v in enumerate(rest):
        o = owners.get(v) or cs[:1]
        mx = sum(pos[c][0] for c in o) / len(o)
        my = sum(pos[c][1] for c in o) / len(o)
        a = 2 * math.pi * i / max(len(rest), 1)
        pos[v] = (mx + 0.18 * math.cos(a), my + 0.18 * math.sin(a))
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    scale = 1.0 / max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)   # same scale both ways
    return {v: (0.5 + (x - cx) * scale, 0.5 + (y - cy) * scale) for v, (x, y) in pos.items()}


def _short(text: str, n: int = 14) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def svg(edges: list[Edge], labels: dict[str, str], types: dict[str, str],
        focus: Optional[str], expanded: Iterable[str] = ()) -> str:
    """The drawing of the IRI-to-IRI edges around the expanded nodes (focus first). Literals,
    passages and structural edges are left out; at most MAX_PER_NODE neighbours per node."""
    drawable = [e for e in edges if e.o_is_iri and e.p not in SKIP_PREDICATES
                and types.get(e.o) != "Passage" and types.get(e.s) != "Passage" and e.s != e.o]
    centres = [focus] if focus else []
    centres += [v for v in reversed(list(expanded)) if v not in centres]
    nodes: list[str] = [focus] if focus else []
    seen, hidden = set(nodes), 0
    for c in centres:
        if c not in seen and len(nodes) < MAX_NODES:    # an expanded node is always drawn
            seen.add(c)
            nodes.append(c)
        around = 0
        for e in drawable:
            if c not in (e.s, e.o):
                continue
            other = e.o if e.s == c else e.s
            if other in seen:
                continue
            if around >= MAX_PER_NODE or len(nodes) >= MAX_NODES:
                hidden += 1
                continue
            seen.add(other)
            nodes.append(other)
            around += 1
    links: list[tuple[str, str, str]] = []
    for e in drawable:
        if e.s in seen and e.o in seen and (e.s, e.o, pred_label(e)) not in links:
            links.append((e.s, e.o, pred_label(e)))
    if not nodes:
        return '<div class="pg-msg pg-msg-info">没有可绘制的关系。</div>'
    drawn_centres = [c for c in centres if c in seen]
    pos = (radial(nodes, nodes[0]) if len(drawn_centres) <= 1
           else ego(nodes, [(a, b) for a, b, _ in links], drawn_centres))
    W, H = WIDTH, HEIGHT
    mx, my = 0.11, 0.06     # margins leave room for labels
    xy = {v: ((mx + (1 - 2 * mx) * p[0]) * W, (my + (1 - 2 * my) * p[1]) * H)
          for v, p in pos.items()}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
             f'aria-label="实体关系图">',
             '<defs><marker id="pg-arrow" viewBox="0 0 10 10" refX="22" refY="5" '
             'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M 0 0 L 10 5 L 0 10 z" fill="#adb5bd"/></marker></defs>']
    for a, b, lab in links:
        (x1, y1), (x2, y2) = xy[a], xy[b]
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     f'stroke="#adb5bd" stroke-width="1.3" marker-end="url(#pg-arrow)">'
                     f'<title>{esc(lab)}</title></line>')
        if len(links) > EDGE_LABELS_UP_TO:
            continue
        parts.append(f'<text x="{(x1 + x2) / 2:.1f}" y="{(y1 + y2) / 2 - 3:.1f}" font-size="11" '
                     f'text-anchor="middle" paint-order="stroke" stroke-width="3" style="fill: #868e96; '
                     f'stroke: var(--background-fill-secondary, #fff)">{esc(_short(lab, 8))}</text>')
    exp = set(expanded)
    for v in nodes:
        x, y = xy[v]
        t = types.get(v, "Other")
        colour = TYPE_COLOURS.get(t, TYPE_COLOURS["Other"])
        label = labels.get(v) or local_name(v)
        r = 17 if v == focus else 12 if v in exp else 9
        ring = ' stroke="#212529" stroke-width="3"' if v == focus else ' stroke="#fff" stroke-width="1.5"'
        parts.append(f'<g class="pg-node" data-iri="{esc(v)}" tabindex="0"><title>{esc(label)}'
                     f'({esc(TYPE_LABELS.get(t, t))})\n{esc(v)}</title>'
                     f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}"{ring}/>'
                     f'<text x="{x:.1f}" y="{y + r + 13:.1f}" font-size="{13 if v == focus else 12}" '
                     f'text-anchor="middle" paint-order="stroke" stroke-width="3" style="fill: '
                     f'var(--body-text-color, #222); stroke: var(--background-fill-secondary, #fff)">'
                     f'{esc(_short(label))}</text></g>')
    parts.append("</svg>")
    used = sorted({types.get(v, "Other") for v in nodes})
    legend = "".join(f'<span><i style="background:{TYPE_COLOURS.get(t, TYPE_COLOURS["Other"])}">'
                     f'</i>{esc(TYPE_LABELS.get(t, t))}</span>' for t in used)
    more = (f"另有 {hidden} 个关联实体未画出,可在“展开邻居”中选择;" if hidden else "")
    return (f'<div class="pg-graph"><div class="pg-legend">{legend}'
            f'<span class="pg-note">{more}点击节点可展开其邻居</span></div>{"".join(parts)}</div>')


CLICK_JS = """
element.addEventListener('click', function (ev) {
  const node = ev.target.closest('[data-iri]');
  if (node) {
    if (ev.detail > 0 && node.blur) { node.blur(); }   // mouse click: no lingering focus ring
    trigger('click', {iri: node.getAttribute('data-iri')});
  }
});
element.addEventListener('keydown', function (ev) {
  const node = ev.target.closest('[data-iri]');
  if (node && (ev.key === 'Enter' || ev.key === ' ')) {
    ev.preventDefault();
    trigger('click', {iri: node.getAttribute('data-iri')});
  }
});
"""
