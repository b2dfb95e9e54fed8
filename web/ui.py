"""The Gradio UI (问答 · 对比 · 指标 · 图谱 · SPARQL). Entry point: build_ui(ws) -> gr.Blocks.

web/http/server.py mounts the returned Blocks at / with gradio.mount_gradio_app. The page's
stylesheet travels with the Blocks (injected into <head> by the header component), so the
server need not pass css. Handlers never show a traceback: PlanGraphError becomes a warning
toast plus an inline message, anything else an inline "internal error" note (logged).
"""
from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any, Callable

import gradio as gr

from core.protocols import Workspace
from web.ui_data import UIData
from web.ui_errors import report_error
from web.ui_examples import example_questions
from web.ui_explore import graph_tab, sparql_tab
from web.ui_render import answer_html, esc, question_echo
from web.ui_style import EDITOR_JS, HEAD
from web.ui_tables import compare_tab, targets_tab

log = logging.getLogger(__name__)
__all__ = ["build_ui", "report_error", "safely", "Files"]

QA_CONCURRENCY = 2
CACHE_LIFETIME = (600, 1800)   # gradio's copies of downloads: swept every 10 min, kept 30 min


class Files:
    """Per-UI folder (under the system temp dir, which gradio may serve) for CSV/JSON downloads.
    File names are content hashes, so repeated downloads of the same table reuse one file.
    Only the newest `keep` files of each kind (stem + suffix) stay; the folder is removed
    when the UI goes away or the process exits. Gradio's own copies are dropped by the
    Blocks' delete_cache."""

    def __init__(self, keep: int = 4) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="plangraph-ui-"))
        self.keep = keep
        self._final = weakref.finalize(self, shutil.rmtree, str(self.dir), True)

    def _prune(self, stem: str, suffix: str) -> None:
        files = sorted(self.dir.glob(f"{stem}-*.{suffix}"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-self.keep]:
            old.unlink(missing_ok=True)

    def write(self, stem: str, suffix: str, text: str, bom: bool = False) -> str:
        h = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        path = self.dir / f"{stem}-{h}.{suffix}"
        if not path.exists():
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(text, encoding="utf-8-sig" if bom else "utf-8")
            tmp.replace(path)
        else:
            path.touch()
        self._prune(stem, suffix)
        return str(path)


def safely(what: str, fallback: Any = None) -> Callable:
    """Decorator for build-time computations: log and return fallback instead of raising."""
    def deco(fn: Callable) -> Callable:
        def wrapper(*a: Any, **kw: Any) -> Any:
            try:
                return fn(*a, **kw)
            except Exception:   # a broken part must not take the whole page down
                log.exception("UI: %s unavailable", what)
                return fallback
        return wrapper
    return deco


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
    import kg
    return kg.triple_count(ws.graph)


def qa_tab(data: UIData) -> None:
    ws, corpus = data.ws, data.corpus
    with gr.Row(equal_height=True):
        question = gr.Textbox(label="问题", placeholder="例如:某市到2025年某指标的目标是多少?",
                              lines=2, max_lines=6, scale=5, elem_id="pg-question",
                              max_length=ws.cfg.max_question_chars * 2)
        ask_btn = gr.Button("提问", variant="primary", scale=0, min_width=120, elem_id="pg-ask")
    answer = gr.HTML(elem_id="pg-answer", js_on_load=None, min_height=40, render=False)
    raw = gr.JSON(label="Answer", show_label=False, render=False)
    examples = safely("example questions", [])(example_questions)(data)

    def ask(q: str, progress: gr.Progress = gr.Progress()) -> tuple[str, Any]:
        import qa
        q = q or ""
        try:
            progress(0.1, desc="分析问题、检索图谱与原文…")
            ans = qa.answer(ws, q)
            progress(0.95, desc="整理引文…")
            return question_echo(q.strip()) + answer_html(corpus, ans), ans.to_dict()
        except Exception as e:   # noqa: BLE001 - shown as a message, never a traceback
            return question_echo(q.strip()) + report_error(e, "回答问题"), None

    if examples:   # clicking an example fills the box and asks it
        gr.Examples(examples=[[q] for q in examples], inputs=[question], outputs=[answer, raw],
                    fn=ask, run_on_click=True, cache_examples=False, label="示例问题",
                    examples_per_page=len(examples))
    answer.render()
    with gr.Accordion("答案 JSON", open=False):
        raw.render()
    gr.on([ask_btn.click, question.submit], ask, inputs=[question], outputs=[answer, raw],
          concurrency_limit=QA_CONCURRENCY, concurrency_id="qa", api_name="ask")


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
