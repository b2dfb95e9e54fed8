"""Abstention decided from the evidence (qa/abstain.py), on the invented plans."""
from __future__ import annotations

from typing import Optional

from qa import abstain
from qa.analysis import analyze
from qa.extractive import Scored
from qa.router import state_for


def _scored(ws, doc_id: str, needle: str, cover: float = 1.0) -> Scored:
    p = next(p for p in ws.corpus.passages if p.doc_id == doc_id and needle in p.text)
    s = p.start + p.text.index(needle)
    return Scored(p, s, s + len(needle), 1.0, cover, cover, 0)


def _verdict(ws, question: str, doc_id: str, needle: str, cover: float = 1.0,
             strong: bool = False) -> Optional[str]:
    """abstain.check's reason (None: answer) for `question` with the sentence `needle` of
    plan `doc_id` as the best evidence; `strong` also passes the question's strong indicator."""
    st = state_for(ws)
    a = analyze(st.ctx, question)
    best = _scored(ws, doc_id, needle, cover)
    ind = abstain.strong_indicator(st.ctx, a) if strong else None
    return abstain.check(st.ctx, a, best, st.ctx.docs[doc_id], ind, [best.text])


def test_abstain_strong_indicator_found_for_verbatim_label(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "石湖生活垃圾回收利用率目标是多少?")
    strong = abstain.strong_indicator(st.ctx, a)
    assert strong is not None and "回收利用率" in strong.core


def test_abstain_other_plan_indicator_not_in_evidence(mini_ws):
    reason = _verdict(mini_ws, "石湖生活垃圾回收利用率目标是多少?", "shihu",
                      "全市可回收物回收利用率达40%", strong=True)
    assert reason and "石湖" in reason


def test_abstain_low_coverage_is_not_an_answer(mini_ws):
    assert _verdict(mini_ws, "石湖的地铁线网规划是什么?", "shihu", "深入推进公厕革命", cover=0.1)


def test_abstain_year_not_written_in_evidence(mini_ws):
    reason = _verdict(mini_ws, "云溪2027年城市居民天然气普及率是多少?", "yunxi",
                      "城市居民天然气普及率达到55%")
    assert reason and "2027" in reason


def test_abstain_plan_end_year_needs_no_mention(mini_ws):
    assert _verdict(mini_ws, "云溪到2025年城市居民天然气普及率要达到多少?", "yunxi",
                    "城市居民天然气普及率达到55%") is None


def test_abstain_number_asked_but_not_given(mini_ws):
    reason = _verdict(mini_ws, "云溪推进老旧燃气设施改造的比例是多少?", "yunxi", "推进老旧燃气设施改造")
    assert reason and "数值" in reason


def test_abstain_indicator_phrase_must_be_in_evidence(mini_ws):
    assert _verdict(mini_ws, "石湖燃气普及率是多少?", "shihu", "城区公共厕所数量达到3座/平方公里以上")
