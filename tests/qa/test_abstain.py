"""Abstention decided from the evidence (qa/abstain.py), on the invented plans."""
from __future__ import annotations

from qa import abstain
from qa.analysis import analyze
from qa.extractive import Scored
from qa.router import state_for


def _scored(ws, doc_id: str, needle: str, cover: float = 1.0) -> Scored:
    p = next(p for p in ws.corpus.passages if p.doc_id == doc_id and needle in p.text)
    s = p.start + p.text.index(needle)
    return Scored(p, s, s + len(needle), 1.0, cover, cover, 0)


def test_abstain_strong_indicator_found_for_verbatim_label(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "石湖生活垃圾回收利用率目标是多少?")
    strong = abstain.strong_indicator(st.ctx, a)
    assert strong is not None and "回收利用率" in strong.core


def test_abstain_other_plan_indicator_not_in_evidence(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "石湖生活垃圾回收利用率目标是多少?")
    strong = abstain.strong_indicator(st.ctx, a)
    best = _scored(mini_ws, "shihu", "全市可回收物回收利用率达40%")
    reason = abstain.check(st.ctx, a, best, st.ctx.docs["shihu"], strong, [best.text])
    assert reason and "石湖" in reason


def test_abstain_low_coverage_is_not_an_answer(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "石湖的地铁线网规划是什么?")
    best = _scored(mini_ws, "shihu", "深入推进公厕革命", cover=0.1)
    assert abstain.check(st.ctx, a, best, st.ctx.docs["shihu"], None, [best.text])


def test_abstain_year_not_written_in_evidence(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "云溪2027年城市居民天然气普及率是多少?")
    best = _scored(mini_ws, "yunxi", "城市居民天然气普及率达到55%")
    reason = abstain.check(st.ctx, a, best, st.ctx.docs["yunxi"], None, [best.text])
    assert reason and "2027" in reason


def test_abstain_plan_end_year_needs_no_mention(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "云溪到2025年城市居民天然气普及率要达到多少?")
    best = _scored(mini_ws, "yunxi", "城市居民天然气普及率达到55%")
    assert abstain.check(st.ctx, a, best, st.ctx.docs["yunxi"], None, [best.text]) is None


def test_abstain_number_asked_but_not_given(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "云溪推进老旧燃气设施改造的比例是多少?")
    best = _scored(mini_ws, "yunxi", "推进老旧燃气设施改造")
    reason = abstain.check(st.ctx, a, best, st.ctx.docs["yunxi"], None, [best.text])
    assert reason and "数值" in reason


def test_abstain_indicator_phrase_must_be_in_evidence(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "石湖燃气普及率是多少?")
    best = _scored(mini_ws, "shihu", "城区公共厕所数量达到3座/平方公里以上")
    assert abstain.check(st.ctx, a, best, st.ctx.docs["shihu"], None, [best.text])
