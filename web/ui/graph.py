"""The 图谱 tab: entity search -> neighbourhood drawing (web/ui/drawing.py), click or pick to
expand, provenance passages."""
from __future__ import annotations

import logging
from functools import cached_property
from typing import Any, Optional

import gradio as gr

from core.types import Citation
from web.ui.data import UIData, citation_of
from web.ui.drawing import (
    CLICK_JS,
    HIDDEN_PREDICATES,
    PROV_DERIVED,
    RDF_TYPE,
    SKIP_PREDICATES,
    TYPE_COLOURS,
    TYPE_LABELS,
    VALUE_LABELS,
    Edge,
    local_name,
    node_types,
    normalise,
    pred_label,
    svg,
)
from web.ui.errors import report_error
from web.ui.render import citation_list, esc, message, table_html

log = logging.getLogger(__name__)

MAX_EXPANDED = 5
NEIGHBOURHOOD_LIMIT = 5000
LABEL_PREDICATES = ("label", "prefLabel", "title")
TYPE_HINTS = {t.lower(): t for t in TYPE_COLOURS} | {"org": "Organization",
                                                    "organisation": "Organization"}


def guess_type(iri: str, given: str = "") -> str:
    """A node's type from what the search said, else from its IRI path (…/target/…)."""
    name = local_name(given) if given else ""
    if name in TYPE_COLOURS:
        return name
    for part in str(iri).lower().replace("#", "/").split("/")[3:-1]:
        if part in TYPE_HINTS:
            return TYPE_HINTS[part]
    return "Other"


class Explorer:
    """Neighbourhood views of the graph for the 图谱 tab (state is passed in, not kept)."""

    def __init__(self, data: UIData):
        self.data = data

    @property
    def graph(self) -> Any:
        return self.data.ws.graph

    @cached_property
    def records(self) -> dict[str, Any]:
        """iri -> extracted record (target, regulation, project, district, organisation):
        these know their exact evidence span, finer than the passage they came from."""
        out: dict[str, Any] = {t.iri: t for t in self.data.targets if getattr(t, "iri", None)}
        for name in ("regulations", "projects", "districts", "organizations"):
            fn = getattr(self.graph, name, None)
            try:
                out.update({r.iri: r for r in (fn() if fn else []) if getattr(r, "iri", None)})
            except Exception:   # noqa: BLE001 - a missing accessor only loses precision
                log.warning("graph accessor %s unavailable for provenance", name)
        return out

    def record_citation(self, iri: str) -> Optional[Citation]:
        rec = self.records.get(iri)
        if rec is None:
            return None
        return citation_of(self.data.corpus, rec)

    def search(self, text: str, limit: int = 30) -> list[tuple[str, str, str]]:
        text = (text or "").strip()
        if not text:
            return []
        return [(str(i), str(lab), str(typ)) for i, lab, typ in self.graph.entity_search(text, limit)]

    def edges(self, iri: str) -> list[Edge]:
        # hubs (a plan) have thousands of edges, mostly passages: ask for enough
        return normalise(self.graph.neighbourhood(iri, depth=1, limit=NEIGHBOURHOOD_LIMIT))

    def labels_types(self, edges: list[Edge], state: dict) -> tuple[dict, dict]:
        labels = dict(state.get("labels", {}))
        for e in edges:
            if e.s_label:
                labels.setdefault(e.s, e.s_label)
            if e.o_is_iri and e.o_label:
                labels.setdefault(e.o, e.o_label)
            if not e.o_is_iri and local_name(e.p) in LABEL_PREDICATES and e.o:
                labels[e.s] = e.o          # a stated label beats a fallback local name
        types = node_types(edges, state.get("types", {}))
        for e in edges:
            for v in ((e.s, e.o) if e.o_is_iri else (e.s,)):
                if types.get(v, "Other") == "Other":
                    types[v] = guess_type(v)
        return labels, types

    def citation_of_passage(self, iri: str) -> Optional[Citation]:
        corpus = self.data.corpus
        try:
            return corpus.citation(corpus.passage(local_name(iri)))
        except KeyError:
            pass
        vals = {local_name(e.p): e.o for e in self.edges(iri) if e.s == iri and not e.o_is_iri}
        plan = next((local_name(e.o) for e in self.edges(iri)
                     if e.s == iri and local_name(e.p) == "plan"), None)
        try:
            start, end = int(vals["start"]), int(vals["end"])
        except (KeyError, ValueError):
            return None
        if plan not in corpus.documents:
            return None
        doc = corpus.documents[plan]
        return Citation(doc=plan, city=doc.city, section="", passage_id=local_name(iri),
                        start=start, end=end, quote=doc.raw_text[start:end])

    def provenance(self, focus: str, edges: list[Edge], types: dict, limit: int = 6) -> list[Citation]:
        own = self.record_citation(focus)
        if own is not None:
            return [own]
        near = [e.s if e.o == focus else e.o for e in edges
                if e.o_is_iri and focus in (e.s, e.o) and e.p != RDF_TYPE]
        cites = [c for c in (self.record_citation(v) for v in near
                             if types.get(v) == "Target") if c is not None]
        if cites:       # e.g. a shared indicator: where each of its values was stated
            return cites[:limit]
        sources = [e.o for e in edges if e.s == focus and e.p == PROV_DERIVED]
        if not sources:   # e.g. a shared indicator: show where its targets were stated
            near = [e.s if e.o == focus else e.o for e in edges
                    if e.o_is_iri and focus in (e.s, e.o) and e.p != RDF_TYPE]
            for v in near:
                if types.get(v) == "Target" and len(sources) < limit:
                    sources += [e.o for e in self.edges(v) if e.s == v and e.p == PROV_DERIVED]
        out, seen = [], set()
        for src in sources:
            c = self.citation_of_passage(src)
            if c is not None and (c.doc, c.start, c.end) not in seen:
                seen.add((c.doc, c.start, c.end))
                out.append(c)
            if len(out) >= limit:
                break
        return out

    def view(self, state: dict) -> tuple[str, str, str, list[tuple[str, str]], dict]:
        expanded = list(state.get("expanded", []))
        if not expanded:
            return (message("搜索一个实体(指标、区县、项目、法规、机构…)开始浏览。"), "", "", [], state)
        focus = expanded[-1]
        edges: list[Edge] = []
        for iri in expanded:
            edges += self.edges(iri)
        labels, types = self.labels_types(edges, state)
        state = {"expanded": expanded, "labels": labels, "types": types}
        drawing = svg(edges, labels, types, focus, expanded)
        focus_edges = [e for e in edges if focus in (e.s, e.o)]
        props: list[tuple[str, str]] = []
        for e in focus_edges:
            row = (pred_label(e), VALUE_LABELS.get(e.o, e.o))
            if (e.s == focus and not e.o_is_iri and e.p != RDF_TYPE
                    and local_name(e.p) not in HIDDEN_PREDICATES and row not in props):
                props.append(row)
        t = types.get(focus, "Other")
        info = (f'<div class="pg-cite"><div class="pg-cite-head"><b>{esc(labels.get(focus, local_name(focus)))}</b>'
                f'<span class="pg-tag">{esc(TYPE_LABELS.get(t, t))}</span>'
                f'<span class="pg-path">{esc(focus)}</span></div>'
                + (table_html(["属性", "值"], props) if props else "") + "</div>")
        choices, seen = [], set()
        for e in focus_edges:
            if not e.o_is_iri or e.p in SKIP_PREDICATES:
                continue
            other, arrow = (e.o, "→") if e.s == focus else (e.s, "←")
            if other in seen or types.get(other) == "Passage" or other == focus:
                continue
            seen.add(other)
            choices.append((f"{arrow} {pred_label(e)}:{labels.get(other, local_name(other))}", other))
        cites = self.provenance(focus, edges, types)
        prov = (citation_list(self.data.corpus, cites, "出处段落", context=120) if cites
                else message("该实体没有直接记录出处段落。"))
        return drawing, info, prov, choices, state


def expand(state: Optional[dict], iri: str) -> dict:
    state = dict(state or {})
    exp = [x for x in state.get("expanded", []) if x != iri] + [iri]
    state["expanded"] = exp[-MAX_EXPANDED:]
    return state


def graph_tab(data: UIData) -> None:
    ex = Explorer(data)
    state = gr.State({})
    with gr.Row(equal_height=True):
        query = gr.Textbox(label="搜索实体", placeholder="如:生活垃圾、燃气、条例、某区", scale=3,
                           elem_id="pg-graph-search")
        find = gr.Button("搜索", variant="primary", scale=0, min_width=110)
        reset = gr.Button("清空", scale=0, min_width=110)
    with gr.Row(equal_height=True):
        results = gr.Dropdown(label="匹配的实体", choices=[], interactive=True, scale=1)
        neighbours = gr.Dropdown(label="展开邻居(也可直接点击图中节点)", choices=[],
                                 interactive=True, scale=1)
    with gr.Row():
        with gr.Column(scale=3):
            drawing = gr.HTML(message("搜索一个实体开始浏览。"), js_on_load=CLICK_JS,
                              elem_id="pg-graph")
        with gr.Column(scale=2):
            info = gr.HTML(js_on_load=None)
            prov = gr.HTML(js_on_load=None, max_height=700)
    outs = [drawing, info, prov, neighbours, state]

    def render(st: dict) -> tuple:
        try:
            d, i, p, choices, st = ex.view(st)
            return d, i, p, gr.Dropdown(choices=choices, value=None), st
        except Exception as e:   # noqa: BLE001
            return report_error(e, "绘制图谱"), "", "", gr.Dropdown(choices=[]), st

    def do_search(text: str, st: dict) -> tuple:
        try:
            hits = ex.search(text)
        except Exception as e:   # noqa: BLE001
            return (gr.Dropdown(choices=[]), report_error(e, "搜索实体"), "", "",
                    gr.Dropdown(choices=[]), st)
        if not hits:
            return (gr.Dropdown(choices=[], value=None),
                    message(f"没有找到与“{(text or '').strip()}”匹配的实体。", "warn"), "", "",
                    gr.Dropdown(choices=[]), st)
        st = dict(st or {})
        st["types"] = {**st.get("types", {}), **{i: guess_type(i, t) for i, _, t in hits}}
        st["labels"] = {**st.get("labels", {}), **{i: lab for i, lab, _ in hits}}
        choices = [(f"{lab}({TYPE_LABELS.get(guess_type(i, t), t)})", i) for i, lab, t in hits]
        return (gr.Dropdown(choices=choices, value=hits[0][0]),) + render(expand(st, hits[0][0]))

    def pick(iri: Optional[str], st: dict) -> tuple:
        if not iri:
            return (gr.update(),) * 4 + (st,)
        return render(expand(st, iri))

    def clicked(st: dict, evt: gr.EventData) -> tuple:
        iri = getattr(evt, "_data", {}) or {}
        return pick(iri.get("iri") if isinstance(iri, dict) else None, st)

    gr.on([find.click, query.submit], do_search, inputs=[query, state],
          outputs=[results] + outs, api_visibility="undocumented")
    results.input(pick, inputs=[results, state], outputs=outs, api_visibility="undocumented")
    neighbours.input(pick, inputs=[neighbours, state], outputs=outs, api_visibility="undocumented")
    drawing.click(clicked, inputs=[state], outputs=outs, api_visibility="undocumented")
    reset.click(lambda: render({}), outputs=outs, api_visibility="undocumented")
