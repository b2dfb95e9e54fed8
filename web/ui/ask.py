"""The 问答 tab: a question box, example questions, the cited answer and its JSON; answers
come from qa.answer, the function /api/ask and the command line call."""
from __future__ import annotations

from typing import Any

import gradio as gr

import qa
from web.ui.common import safely
from web.ui.data import UIData
from web.ui.errors import report_error
from web.ui.examples import example_questions
from web.ui.render import answer_html, question_echo

QA_CONCURRENCY = 2


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
