"""The 指标 tab: the filterable list of every stated target and current value, with a CSV
download."""
from __future__ import annotations

import logging
from typing import Any

import gradio as gr
import pandas as pd

from web.ui.common import safely
from web.ui.data import (
    ALL,
    KIND_ACHIEVED,
    KIND_TARGET,
    TARGET_COLUMNS,
    TARGET_CSV_COLUMNS,
    UIData,
    to_csv,
)
from web.ui.errors import report_error
from web.ui.render import message

log = logging.getLogger(__name__)


def _frame(rows: list[list[str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def targets_tab(data: UIData, files: Any) -> None:
    shown, count0, path0 = [], "", None
    try:
        shown, full = data.target_rows()
        count0 = _count(len(shown), len(shown))
        path0 = files.write("指标", "csv", to_csv(TARGET_CSV_COLUMNS, full), bom=True)
    except Exception as e:   # noqa: BLE001 - the page must still load
        log.exception("UI: targets unavailable")
        count0 = message(f"指标表暂不可用:{type(e).__name__}: {e}", "error")
    with gr.Row(equal_height=True):
        plan = gr.Dropdown(choices=[(ALL, ALL)] + [(p.column, p.doc_id) for p in data.plans],
                           value=ALL, label="规划")
        categories = safely("categories", [])(lambda: data.categories)()
        bindings = safely("bindingness values", [])(lambda: data.bindingness_values)()
        category = gr.Dropdown(choices=[ALL] + categories, value=ALL, label="类别")
        binding = gr.Dropdown(choices=[ALL] + bindings, value=ALL, label="属性(约束性/预期性)")
        kind = gr.Dropdown(choices=[ALL, KIND_TARGET, KIND_ACHIEVED], value=ALL, label="值类型")
        text = gr.Textbox(label="名称包含", placeholder="如:垃圾、燃气")
    with gr.Row(equal_height=True):
        count = gr.HTML(count0, js_on_load=None)
        download = gr.DownloadButton("下载 CSV", value=path0, size="sm", elem_id="pg-targets-csv",
                                     scale=0, min_width=140)
    table = gr.Dataframe(_frame(shown), headers=TARGET_COLUMNS, interactive=False, wrap=True, max_height=620,
                         elem_id="pg-targets", column_widths=["6%", "8%", "14%", "13%", "7%", "8%",
                                                              "8%", "6%", "8%", "7%", "15%"])

    def filt(doc_id: str, cat: str, b: str, t: str, k: str) -> tuple[Any, str, Any]:
        try:
            shown, full = data.target_rows(doc_id or ALL, cat or ALL, b or ALL, t or "", k or ALL)
            path = files.write("指标", "csv", to_csv(TARGET_CSV_COLUMNS, full), bom=True)
            return _frame(shown), _count(len(shown), len(data.targets)), gr.DownloadButton(value=path)
        except Exception as e:   # noqa: BLE001
            return _frame([]), report_error(e, "筛选指标"), gr.DownloadButton(value=None)

    gr.on([plan.change, category.change, binding.change, kind.change, text.submit], filt,
          inputs=[plan, category, binding, text, kind], outputs=[table, count, download],
          api_name="targets")


def _count(n: int, total: int) -> str:
    return f'<div class="pg-note">显示 {n} / {total} 条指标值(目标值与现状值)</div>'
