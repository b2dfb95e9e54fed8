"""Evidence checks as features of the decision model (qa/evidence.py, qa/candidates.py), on
the invented plans: each conflict between a question and a piece of evidence sets its
feature, and its absence leaves it clear."""
from __future__ import annotations

from qa import evidence
from qa.analysis import analyze
from qa.candidates import Candidate, featurize
from qa.intent import parse
from qa.router import state_for


def _features(ws, question: str, doc_id: str, needle: str, kind: str = "statement") -> dict:
    """The features of the sentence `needle` of plan `doc_id` as a candidate for `question`."""
    st = state_for(ws)
    q = parse(st.ctx, st.env.lex, question)
    p = next(p for p in ws.corpus.passages if p.doc_id == doc_id and needle in p.text)
    s = p.start + p.text.index(needle)
    c = Candidate("sentence", doc_id, needle, [ws.corpus.citation(p, s, s + len(needle))],
                  kind=kind, label=needle, evidence=needle, context=p.section_path)
    featurize(st.env, q, doc_id, [c])
    return c.features


def test_evidence_strong_indicator_found_for_verbatim_label(mini_ws):
    st = state_for(mini_ws)
    a = analyze(st.ctx, "石湖生活垃圾回收利用率目标是多少?")
    strong = evidence.strong_indicator(st.ctx, a)
    assert strong is not None and "回收利用率" in strong.core


def test_evidence_other_plan_indicator_not_in_evidence(mini_ws):
    f = _features(mini_ws, "石湖生活垃圾回收利用率目标是多少?", "shihu", "全市可回收物回收利用率达40%")
    assert f["strong_missing"] == 1.0
    f = _features(mini_ws, "云溪生活垃圾回收利用率目标是多少?", "yunxi", "生活垃圾回收利用率达到60%")
    assert f["strong_missing"] == 0.0


def test_evidence_year_not_written_in_evidence(mini_ws):
    f = _features(mini_ws, "云溪2027年城市居民天然气普及率是多少?", "yunxi", "城市居民天然气普及率达到55%")
    assert f["year_missing"] == 1.0


def test_evidence_plan_end_year_is_met_by_a_target(mini_ws):
    f = _features(mini_ws, "云溪到2025年城市居民天然气普及率要达到多少?", "yunxi",
                  "城市居民天然气普及率达到55%", kind="target")
    assert f["year_missing"] == 0.0 and f["period_agree"] == 1.0


def test_evidence_number_asked_but_not_given(mini_ws):
    f = _features(mini_ws, "云溪推进老旧燃气设施改造的比例是多少?", "yunxi", "推进老旧燃气设施改造")
    assert f["number_missing"] == 1.0


def test_evidence_indicator_phrase_coverage(mini_ws):
    off = _features(mini_ws, "石湖燃气普及率是多少?", "shihu", "城区公共厕所数量达到3座/平方公里以上")
    on = _features(mini_ws, "云溪城市居民天然气普及率是多少?", "yunxi", "城市居民天然气普及率达到55%")
    assert off["phrase_cover"] < on["phrase_cover"]


def test_evidence_near_reads_abbreviations():
    assert evidence.near("公厕", "新建公共厕所10座")
    assert not evidence.near("地铁线网", "深入推进公厕革命")
