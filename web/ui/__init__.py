"""The Gradio UI (问答 · 对比 · 指标 · 图谱 · SPARQL), one module per tab (ask, compare, targets,
graph, sparql) over shared data (data.py), rendering (render.py, drawing.py, style.py) and
helpers (common.py, errors.py, examples.py). Entry point: build_ui(ws) -> gr.Blocks.

web/http/server.py mounts the returned Blocks at / with gradio.mount_gradio_app. The page's
stylesheet travels with the Blocks (injected into <head> by the header component), so the
server need not pass css. Handlers never show a traceback: PlanGraphError becomes a warning
toast plus an inline message, anything else an inline "internal error" note (logged).
"""
from __future__ import annotations

import gradio as gr

import kg
from core.protocols import Workspace
from web.ui.ask import qa_tab
from web.ui.common import Files, safely
from web.ui.compare import compare_tab
from web.ui.data import UIData
from web.ui.errors import report_error
from web.ui.graph import graph_tab
from web.ui.render import esc
from web.ui.sparql import sparql_tab
from web.ui.style import EDITOR_JS, HEAD
from web.ui.targets import targets_tab

__all__ = ["build_ui", "report_error", "safely", "Files"]

CACHE_LIFETIME = (600, 1800)   # gradio's copies of downloads: swept every 10 min, kept 30 min


def header_html(data: UIData) -> str:
    corpus = data.corpus
    plans = "".join(f"<li>{esc(p.city)}《{esc(p.title)}》</li>" for p in data.plans)
    n_targets = safely("targets", None)(lambda: len(data.targets))()
    n_ind = safely("indicators", None)(lambda: len(data.indicators))()
    triples = safely("triple count", None)(_triples)(data.ws)
    stats = [f"{len(corpus.documents)} 份规划", f"{len(corpus.passages)} 个段落"]
    if n_ind is not None:
        stats.append(f"{n_ind} 个指标")
    if n_targets is not None:
        stats.append(f"{n_targets} 个目标值")
    if triples is not None:
        stats.append(f"{triples} 条三元组")
    return (f'<div class="pg-header"><h1>规划图谱 PlanGraph</h1><div class="pg-sub">'
            f'规划文件知识图谱与带引文问答 · {esc(" · ".join(stats))}</div>'
            f'<ul class="pg-plans">{plans}</ul></div>')


def _triples(ws: Workspace) -> int:
    return kg.triple_count(ws.graph)


def build_ui(ws: Workspace) -> gr.Blocks:
    """The whole UI for one loaded Workspace. Queue enabled; heavy work runs in workers."""
    data = UIData(ws)
    files = Files()
    with gr.Blocks(title="规划图谱 PlanGraph", analytics_enabled=False,
                   delete_cache=CACHE_LIFETIME) as demo:
        gr.HTML(header_html(data), head=HEAD, js_on_load=None, elem_id="pg-header")
        with gr.Tabs():
            with gr.Tab("问答", id="qa"):
                qa_tab(data)
            with gr.Tab("对比", id="compare"):
                compare_tab(data, files)
            with gr.Tab("指标", id="targets"):
                targets_tab(data, files)
            with gr.Tab("图谱", id="graph"):
                graph_tab(data)
            with gr.Tab("SPARQL", id="sparql"):
                sparql_tab(data, files)
        demo.load(None, js=EDITOR_JS, api_visibility="undocumented")   # SPARQL editor typing
    demo.queue(default_concurrency_limit=2)
    return demo
