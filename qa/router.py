"""Routing a question to the evidence that can answer it, one plan at a time:

  by-year table cell  ->  graph lists (regulations by status, projects, districts, issuers)
  ->  graph targets (value questions)  ->  table rows of a named district  ->  extractive
  passage answer; every route's evidence is checked before it is shown (abstain.py).

A comparison (or a question naming no city) collects one position per plan and composes them.
"""
from __future__ import annotations

import logging
from typing import Any, Optional

from core.errors import QuestionError
from core.types import Answer
from qa import abstain, compare, extractive, lists, tables, values
from qa.analysis import Analysis, analyze
from qa.context import QAContext
from qa.graphview import GraphView
from qa.position import CONF_ABSTAIN, CONF_EXTRACT_MAX, Position
from qa.text import has_cjk

log = logging.getLogger(__name__)
RELATED_K = 3
SECOND_SENTENCE_GAP = 0.06


class QAState:
    """Per-workspace state: the context (lexicon, embeddings of labels), the graph view and
    the reader (decision model with its fitted parameters)."""

    def __init__(self, ws: Any, fitting: bool = False):
        from qa.candidates import Env
        from qa.lexicon import load_lexicon
        from qa.reader import Reader
        from qa.scorer import Scorer, load_params
        self.ws = ws
        self.gv = GraphView(ws)
        self.ctx = QAContext.from_workspace(ws)
        self.env = Env(ws, self.ctx, self.gv, load_lexicon())
        self.reader = Reader(self.env, None if fitting else Scorer(load_params()))


def state_for(ws: Any, fitting: bool = False) -> QAState:
    st = getattr(ws, "_qa_state", None)
    if st is None or st.ws is not ws or (st.reader.scorer is None and not fitting):
        st = QAState(ws, fitting)
        try:
            setattr(ws, "_qa_state", st)
        except AttributeError:
            pass
        _load_rest(ws, st)
    return st


def _load_rest(ws: Any, st: QAState) -> None:
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
    q = question.strip()
    if not q:
        raise QuestionError("question is empty")
    if len(q) > max_chars:
        raise QuestionError(f"question is too long ({len(q)} characters; the limit is {max_chars})")
    return q


def _related(ws: Any, a: Analysis, doc_ids: list[str]) -> list:
    out = []
    try:
        hits = ws.retriever.search(a.query or a.text, k=RELATED_K, doc_ids=doc_ids or None)
    except Exception:  # noqa: BLE001 - related reading is optional
        return out
    for h in hits[:RELATED_K]:
        try:
            out.append(ws.corpus.citation(ws.corpus.passage(h.passage_id)))
        except KeyError:
            continue
    return out


def _extract(ws: Any, ctx: QAContext, a: Analysis, doc_id: str,
             strong: Optional[abstain.Strong]) -> Position:
    doc = ctx.docs[doc_id]
    passages = extractive.retrieve(ws, a, doc_id, k=ws.cfg.top_k)
    scored = extractive.score_sentences(ctx, a, passages, doc_id)
    related = [ws.corpus.citation(p) for p in passages[:RELATED_K]]
    if not scored:
        return Position(doc_id, doc.city, False, "", kind="none", confidence=CONF_ABSTAIN,
                        reason=f"{doc.city}规划未提及{a.topic or '相关内容'}", related=related)
    best = scored[0]
    picks = [best]
    if a.compare or a.wants_list:
        for sc in scored[1:4]:
            overlaps = sc.passage.doc_id == best.passage.doc_id and sc.start < best.end and best.start < sc.end
            if not overlaps and sc.score >= best.score - SECOND_SENTENCE_GAP \
                    and sc.support >= best.support * 0.8:
                picks.append(sc)
                break
        picks.sort(key=lambda x: x.start)
    spans = [extractive.trim(ctx, a, sc, doc_id) for sc in picks]
    raw = ws.corpus.raw(doc_id)
    texts = [raw[s:e] for s, e in spans]
    reason = abstain.check(ctx, a, best, doc, strong, texts)
    if reason:
        return Position(doc_id, doc.city, False, "", kind="none", confidence=CONF_ABSTAIN,
                        reason=reason, related=related)
    support = best.support
    conf = min(CONF_EXTRACT_MAX, 0.35 + 0.45 * support)
    cites = [ws.corpus.citation(sc.passage, s, e) for sc, (s, e) in zip(picks, spans)]
    text = "……".join(extractive.lead_in(t) for t in texts)
    return Position(doc_id, doc.city, True, text, kind="passage", confidence=conf,
                    citations=cites, has_value=any(ch.isdigit() for ch in text))


def position_for(st: QAState, a: Analysis, doc_id: str,
                 strong: Optional[abstain.Strong]) -> Position:
    ws, ctx, gv = st.ws, st.ctx, st.gv
    pos = tables.year_cell(ws, ctx, a, doc_id, strong.core if strong else "")
    if pos is not None:
        return pos
    for fn in (lists.regulations, lists.issuers, lists.districts, lists.projects):
        pos = fn(ws, ctx, gv, a, doc_id)
        if pos is not None:
            return lists.with_context(ws, a, pos)
    if a.wants_value or a.wants_target or a.wants_baseline or a.years:
        pos = values.value_position(ws, ctx, gv, a, doc_id, strong)
        if pos is not None:
            return pos
    pos = tables.district_rows(ws, ctx, a, doc_id)
    if pos is not None:
        return pos
    return _extract(ws, ctx, a, doc_id, strong)


def _prefetch(st: QAState, a: Analysis) -> None:
    """Encode the texts this question will embed (its term windows for indicator matching,
    its retrieval queries) in one batched call: every forward pass of the model has a fixed
    cost, so one call is cheaper than three. The vectors are remembered by the workspace's
    embedder; what is not used later costs a few tokens."""
    if st.ctx.embed is None:
        return
    enc = getattr(getattr(st.ws, "embedder", None), "encode", None)
    if enc is None:
        return
    texts = st.ctx.window_texts(a.terms)
    for d in a.doc_ids:
        texts += extractive.queries(a, d)
    if texts:
        enc(list(dict.fromkeys(t for t in texts if t)))


def _abstain(a: Analysis, text: str, related: list, qid) -> Answer:
    return Answer(question=a.question, found=False, answer=text, kind="none",
                  confidence=CONF_ABSTAIN, id=qid, related=related)


def route(st: QAState, question: str, qid=None) -> Answer:
    a = analyze(st.ctx, question)
    ans = _route(st, a, question, qid)
    if ans.found and a.foreign:    # 苏州和杭州…: answer what the plans hold, say what they do not
        ans.answer += f"(注:现有规划不含{'、'.join(a.foreign)}的规划)"
    return ans


def _route(st: QAState, a: Analysis, question: str, qid=None) -> Answer:
    ctx = st.ctx
    cities = "、".join(d.city for d in ctx.docs.values())
    if not has_cjk(a.text):
        return _abstain(a, f"文件未提及:问题中没有可检索的中文内容(现有规划:{cities})。请用中文提问。",
                        [], qid)
    if a.foreign and not a.cities and not a.districts:
        return _abstain(a, f"文件未提及{'、'.join(a.foreign)}:现有规划只覆盖{cities},"
                           f"不含{'、'.join(a.foreign)}的规划。", _related(st.ws, a, []), qid)
    if a.empty_topic:
        return _abstain(a, f"文件未提及:问题没有具体内容,无法在规划中查找(现有规划:{cities})。",
                        [], qid)
    _prefetch(st, a)
    strong = abstain.strong_indicator(ctx, a)
    positions = [position_for(st, a, d, strong) for d in a.doc_ids]
    if a.compare:
        positions = [values.with_related_targets(st.ws, ctx, st.gv, a, p) for p in positions]
        return compare.compose(a, positions, qid)
    found = [p for p in positions if p.found]
    if len(positions) == 1 or len(found) == 0:
        p = positions[0] if len(positions) == 1 else None
        if p is not None and p.found:
            return Answer(question=question, found=True, answer=p.text, kind=p.kind,
                          confidence=p.confidence, citations=p.citations, id=qid)
        reasons = [q.reason for q in positions]
        related = [c for q in positions for c in q.related][:RELATED_K]
        return Answer(question=question, found=False,
                      answer=abstain.not_found_text(reasons, a.topic), kind="none",
                      confidence=min(CONF_ABSTAIN, *(q.confidence for q in positions)),
                      id=qid, related=related)
    if len(found) == 1:
        p = found[0]
        return Answer(question=question, found=True, answer=f"{p.city}:{p.text}", kind=p.kind,
                      confidence=p.confidence, citations=p.citations, id=qid)
    return compare.compose(a, found, qid)


def answer(ws: Any, question: Any, qid=None) -> Answer:
    q = validate(question, ws.cfg.max_question_chars)
    return state_for(ws).reader.answer(q, qid)
