"""Offsets and similarity helpers of qa/text.py."""
from __future__ import annotations

from core.zh import norm
from ingest.sentences import clause_spans, sentence_spans
from qa.text import lcs_cover, numbers, substring_cover

RAW = "前言。一是推进改造,完成“A、B。C”的建设;二是提高效率!最后一句"


def test_text_sentence_spans_are_exact_slices():
    spans = sentence_spans(RAW, 0, len(RAW))
    texts = [RAW[s:e] for s, e in spans]
    assert texts == ["前言", "一是推进改造,完成“A、B。C”的建设", "二是提高效率", "最后一句"]


def test_text_sentence_spans_respect_offset_window():
    s0 = RAW.index("一是")
    spans = sentence_spans(RAW, s0, len(RAW))
    assert all(s >= s0 for s, _ in spans) and RAW[spans[0][0]:spans[0][1]].startswith("一是")


def test_text_clause_spans_split_at_commas_outside_quotes():
    s, e = sentence_spans(RAW, 0, len(RAW))[1]
    assert [RAW[a:b] for a, b in clause_spans(RAW, s, e)] == ["一是推进改造", "完成“A、B。C”的建设"]


def test_text_norm_unifies_width_space_and_comparators():
    assert norm("Ｆｕｌｌ ４５％ <= 8%") == "full45%≤8%"


def test_text_numbers_keep_comparator_and_unit():
    assert numbers("漏损率≤8%,公厕4座/平方公里以上,规模44亿立方米") == ["≤8%", "4座/平方公里", "44亿立方米"]


def test_text_lcs_cover_is_order_aware_and_bounded():
    assert lcs_cover("建成区绿地率", "杭州建成区绿地率目标") == 1.0
    assert lcs_cover("率地绿", "绿地率") < 1.0
    assert 0.0 <= lcs_cover("生活垃圾回收利用率", "可回收物回收利用率") < 0.8


def test_text_substring_cover_needs_contiguity():
    assert substring_cover("天然气普及率", "天然气在能源中的普及率") == 0.5
