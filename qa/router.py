"""Per-workspace question-answering state and the entry of `qa.answer`: the QA context
(places, indicator labels, term weights), the graph view, and the reader (qa/reader.py: the
decision model with its fitted parameters). Questions are validated here, then read.
"""
from __future__ import annotations

import logging
import re
import threading
from typing import Any

from core.errors import QuestionError
from core.protocols import Workspace
from core.types import Answer
from qa import extractive
from qa.candidates import Env
from qa.context import QAContext
from qa.graphview import GraphView
from qa.lexicon import load_lexicon
from qa.reader import Reader
from qa.scorer import Scorer, load_params

log = logging.getLogger(__name__)
SURROGATE = re.compile("[\ud800-\udfff]")


class QAState:
    """Per-workspace state: the context (lexicon, embeddings of labels), the graph view and
    the reader (decision model with its fitted parameters)."""

    def __init__(self, ws: Workspace, fitting: bool = False):
        self.ws = ws
        self.gv = GraphView(ws.graph)
        self.ctx = QAContext.from_workspace(ws, self.gv)
        self.env = Env(ws, self.ctx, self.gv, load_lexicon())
        self.reader = Reader(self.env, None if fitting else Scorer(load_params()))


_LOCK = threading.Lock()


def state_for(ws: Workspace, fitting: bool = False) -> QAState:
    """The QA state of a workspace, made on first use and kept in the workspace's `derived`
    slot (it lives as long as the workspace). The parameters' fitting uses a state without a
    scorer, replaced by the first ordinary use."""
    with _LOCK:
        st = ws.derived.get("qa")
        if isinstance(st, QAState) and (st.reader.scorer is not None or fitting):
            return st
        st = QAState(ws, fitting)
        ws.derived["qa"] = st
    _load_rest(ws, st)
    return st


def _load_rest(ws: Workspace, st: QAState) -> None:
    """Load what the first question would (retriever, embedder) and the per-plan lookups a
    comparison over every plan would otherwise build on its first run (each plan's rows,
    targets by indicator, the sentence tables of passages). Settling the heap afterwards is
    the entry point's decision (core/runtime.py), not this stage's."""
    for part in ("retriever", "embedder"):
        try:
            getattr(ws, part)
        except Exception:  # noqa: BLE001 - a missing part is reported where it is used
            pass
    try:
        prepare = getattr(ws.retriever, "prepare_plans", None)
        if prepare is not None:
            prepare(list(st.ctx.docs))
        for d in st.ctx.docs:
            st.gv.targets_by_indicator(d)
        for p in ws.corpus.passages:
            if p.kind != "heading":
                extractive.passage_table(p)
    except Exception as e:  # noqa: BLE001 - warming is an optimisation only
        log.debug("per-plan warm-up skipped: %s", e)


def validate(question: Any, max_chars: int) -> str:
    if not isinstance(question, str):
        raise QuestionError(f"question must be text, got {type(question).__name__}")
    # lone surrogates (broken UTF-16 from a client) cannot be encoded: shown as U+FFFD
    q = SURROGATE.sub("\ufffd", question).strip()
    if not q:
        raise QuestionError("问题为空 (question is empty)")
    if len(q) > max_chars:
        raise QuestionError(f"问题过长:{len(q)} 字,上限 {max_chars} 字 (question is too long)")
    return q


def answer(ws: Workspace, question: Any, qid=None) -> Answer:
    q = validate(question, ws.cfg.max_question_chars)
    return state_for(ws).reader.answer(q, qid)
