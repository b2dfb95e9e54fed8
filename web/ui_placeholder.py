"""A minimal page mounted at / when web.ui (the real Gradio UI) is not installed."""
from __future__ import annotations

from typing import Any, Optional

from core.protocols import Workspace

TITLE = "PlanGraph 规划图谱"


def build_placeholder(ws: Optional[Workspace] = None) -> Any:
    import gradio as gr
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        gr.Markdown(f"# {TITLE}\n\n界面尚未安装。SPARQL 端点: `/sparql`;问答 API: `/api/ask?q=…`。\n\n"
                    "The user interface is not installed yet. SPARQL endpoint: `/sparql`; "
                    "question answering: `/api/ask?q=…`.")
    return demo
