"""The 对比 tab: a comparison table with one column per plan in the catalog (cells keyed to a
citation list by [n] markers, gaps marked 未提出), with a CSV download."""
from __future__ import annotations

import logging
from typing import Any

import gradio as gr

from web.ui.data import (
    ALL,
    GAP,
    Comparison,
    UIData,
)
from web.ui.errors import report_error
from web.ui.render import citation_list, esc, message

log = logging.getLogger(__name__)
BINDING_CLASS = {"约束性": "pg-tag-hard", "预期性": "pg-tag-soft"}


def _cell_html(cells: list[dict]) -> str:
    if not cells:
        return f'<span class="pg-gap">{GAP}</span>'
    parts = []
    for c in cells:
        tag = ""
        if c["bindingness"]:
            cls = BINDING_CLASS.get(c["bindingness"], "")
            tag = f'<span class="pg-tag {cls}">{esc(c["bindingness"])}</span>'
        meta = [f"基数 {c['baseline']}" if c["baseline"] else "", c["when"]]
        meta_html = " · ".join(esc(m) for m in meta if m)
        sup = f'<span class="pg-sup">[{c["n"]}]</span>' if c["n"] else ""
        cls = "pg-achieved" if c.get("achieved") else "pg-val"
        parts.append(f'<div><span class="{cls}">{esc(c["value"]) or "(有提及)"}</span>{tag}{sup}'
                     + (f'<div class="pg-note">{meta_html}</div>' if meta_html else "") + "</div>")
    return "".join(parts)


def comparison_html(data: UIData, result: Comparison, topic: str = "") -> str:
    if not result.plans:
        return message("请至少选择一份规划。", "warn")
    headers = ["指标"] + [p.column for p in result.plans]
    rows, last_cat = [], None
    span = len(headers)
    for r in result.rows:
        if r["category"] != last_cat:
            last_cat = r["category"]
            rows.append(f'<tr class="pg-cat"><th colspan="{span}">{esc(last_cat or "其他")}</th></tr>')
        tds = "".join(f"<td>{_cell_html(r['cells'].get(p.doc_id, []))}</td>" for p in result.plans)
        rows.append(f"<tr><td>{esc(r['indicator'])}</td>{tds}</tr>")
    if result.passages:
        tds = ""
        for p in result.plans:
            ns = result.passages.get(p.doc_id, [])
            snippets = "".join(
                f'<div>{esc(_clip(result.citations[n - 1].quote, topic=topic))}'
                f'<span class="pg-sup">[{n}]</span></div>'
                for n in ns)
            tds += f"<td>{snippets or f'<span class=pg-gap>{GAP}</span>'}</td>"
        head, first = ("同一主题的举措(原文)", "举措") if result.topic_iri else ("相关原文", "原文")
        rows.append(f'<tr class="pg-cat"><th colspan="{span}">{head}</th></tr>'
                    f"<tr><td>{first}</td>{tds}</tr>")
    th = "".join(f"<th>{esc(h)}</th>" for h in headers)
    table = (f'<div class="pg-table-wrap pg-scroll"><table class="pg-table pg-compare"><thead><tr>{th}</tr>'
             f'</thead><tbody>{"".join(rows)}</tbody></table></div>')
    note = message(result.note, "info") if result.note else ""
    if not result.rows and not result.passages:
        return note + message("没有找到可对比的指标。", "info")
    summary = f'<div class="pg-note">{len(result.rows)} 个指标 · {len(result.plans)} 份规划</div>'
    cites = citation_list(data.corpus, result.citations, "", with_section=False,
                          context=80)
    if cites:
        cites = (f'<details class="pg-cmp-cites"{" open" if len(result.citations) <= 30 else ""}>'
                 f'<summary>引文 {len(result.citations)} 条(表中 [n] 对应下列原文)</summary>'
                 f'{cites}</details>')
    return note + summary + table + cites


def _clip(text: str, n: int = 90, topic: str = "") -> str:
    """At most n characters, centred on the topic when the text mentions it."""
    text = " ".join(text.split())
    if len(text) <= n:
        return text
    at = text.find(topic.strip()) if topic.strip() else -1
    start = max(0, min(at - n // 3, len(text) - n)) if at > 0 else 0
    return ("…" if start else "") + text[start:start + n - 1] + "…"


def compare_tab(data: UIData, files: Any) -> None:
    plan_choices = [(p.column, p.doc_id) for p in data.plans]
    with gr.Row():
        plans = gr.CheckboxGroup(choices=plan_choices, value=[p.doc_id for p in data.plans],
                                 label="参与对比的规划", elem_id="pg-cmp-plans", scale=3)
        shared = gr.Checkbox(value=True, label="仅显示两份以上规划共有的指标", scale=1,
                             elem_id="pg-cmp-shared")
    with gr.Row(equal_height=True):
        category = gr.Dropdown(choices=[ALL] + data.categories, value=ALL, label="类别", scale=1)
        indicator = gr.Dropdown(choices=[("(该类别全部指标)", "")] + data.indicator_choices(),
                                value="", label="指标", scale=2)
        scheme = gr.Dropdown(choices=[("(不按主题)", "")] + data.topic_choices(), value="",
                             label="主题", scale=2, elem_id="pg-cmp-topic")
        topic = gr.Textbox(label="或输入主题", placeholder="如:再生水、公厕、智慧灯杆", scale=2)
        go = gr.Button("对比", variant="primary", scale=0, min_width=120, elem_id="pg-cmp-go")
    initial, path = _initial(data, files)
    with gr.Row():
        download = gr.DownloadButton("下载 CSV", value=path, size="sm", elem_id="pg-cmp-csv",
                                     visible=path is not None, scale=0, min_width=140)
    out = gr.HTML(initial, elem_id="pg-compare", js_on_load=None, min_height=60)

    def run(doc_ids: list[str], cat: str, iri: str, text: str, shared_only: bool,
            topic_iri: str = "", progress: gr.Progress = gr.Progress()) -> tuple[str, Any]:
        try:
            progress(0.1, desc="逐份规划判断指标与原文…")
            result = data.compare(doc_ids or [], cat or ALL, iri or "", text or "",
                                  shared_only=bool(shared_only), topic_iri=topic_iri or "")
            if result.topic_iri and result.plans:
                data.topic_measures(result, result.topic_iri)
            path = files.write("对比", "csv", data.comparison_csv(result), bom=True)
            return (comparison_html(data, result, text or ""),
                    gr.DownloadButton(value=path, visible=True))
        except Exception as e:   # noqa: BLE001
            return report_error(e, "对比"), gr.DownloadButton(visible=False)

    def pick_category(cat: str) -> tuple[Any, str]:
        """A new category resets the indicator list and the free-text topic."""
        return (gr.Dropdown(choices=[("(该类别全部指标)", "")]
                            + data.indicator_choices(cat or ALL), value=""), "")

    def topic_first(text: str, cat: str, iri: str) -> tuple[Any, Any]:
        """A typed topic replaces the category/indicator choice (they are reset)."""
        if (text or "").strip():
            return ALL, ""
        return cat, iri

    inputs = [plans, category, indicator, topic, shared, scheme]
    category.input(pick_category, inputs=[category], outputs=[indicator, topic], queue=False) \
        .then(lambda: "", outputs=[scheme], queue=False) \
        .then(run, inputs=inputs, outputs=[out, download], api_visibility="undocumented")
    indicator.input(lambda: ("", ""), outputs=[topic, scheme], queue=False) \
        .then(run, inputs=inputs, outputs=[out, download], api_visibility="undocumented")
    scheme.input(lambda: (ALL, "", ""), outputs=[category, indicator, topic], queue=False) \
        .then(run, inputs=inputs, outputs=[out, download], api_visibility="undocumented")
    gr.on([plans.input, shared.input], run, inputs=inputs, outputs=[out, download],
          api_visibility="undocumented")
    gr.on([go.click, topic.submit], topic_first, inputs=[topic, category, indicator],
          outputs=[category, indicator], queue=False) \
        .then(lambda text, t: "" if (text or "").strip() else t, inputs=[topic, scheme],
              outputs=[scheme], queue=False) \
        .then(run, inputs=inputs, outputs=[out, download], api_name="compare")


def _initial(data: UIData, files: Any) -> tuple[str, Any]:
    try:
        result = data.compare([p.doc_id for p in data.plans], shared_only=True)
        path = files.write("对比", "csv", data.comparison_csv(result), bom=True)
        return comparison_html(data, result), path
    except Exception as e:   # noqa: BLE001 - the page must still load
        log.exception("UI: comparison unavailable")
        return message(f"对比表暂不可用:{type(e).__name__}: {e}", "error"), None
