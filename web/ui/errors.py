"""How the UI reports a failure: an inline message (plus a toast for a user's error), never a
traceback; internal errors are logged. Used by every tab."""
from __future__ import annotations

import logging

import gradio as gr

from core.errors import PlanGraphError
from web.ui.render import esc, message

log = logging.getLogger("web.ui")


def report_error(e: BaseException, what: str) -> str:
    """Turn an exception into an inline message (and a toast for user errors). No traceback."""
    if isinstance(e, PlanGraphError):
        gr.Warning(esc(str(e)), title="提示")
        return message(str(e), "warn")
    log.exception("UI %s failed", what)
    return message(f"{what}时发生内部错误({type(e).__name__}),详情见服务器日志。", "error")
