"""Spam: injected SEO strings are found generically, recorded, and never inside passages."""
from __future__ import annotations

import re

from ingest.spam import find_spam, mask

ROOT_SPAM_LATIN = re.compile(r"[a-z]")


def test_spam_headed_plan_has_exactly_three_spans(real_corpus, headed_doc_id):
    spans = [s for s in real_corpus.spam if s.doc_id == headed_doc_id]
    assert len(spans) == 3
    raw = real_corpus.raw(headed_doc_id)
    for s in spans:
        assert raw[s.start:s.end] == s.text
        assert ROOT_SPAM_LATIN.search(s.text) and s.reason
        # the span is bounded by prose on both sides, not by punctuation it swallowed
        assert re.match(r"[\u4e00-\u9fff]", raw[s.start - 1])
        assert re.match(r"[\u4e00-\u9fff]", raw[s.end])
    assert all(not ROOT_SPAM_LATIN.search(raw[max(0, s.start - 3):s.start]) for s in spans)


def test_spam_no_other_lowercase_latin_left_in_passages(real_corpus):
    for p in real_corpus.passages:
        assert not re.search(r"[a-z]{3,}", p.text), p.text


def test_spam_never_inside_a_passage(real_corpus):
    for s in real_corpus.spam:
        for p in real_corpus.passages:
            if p.doc_id == s.doc_id:
                assert p.end <= s.start or p.start >= s.end, (p.id, s.text)


def test_spam_split_passages_keep_the_prose_around(real_corpus, headed_doc_id):
    for s in (x for x in real_corpus.spam if x.doc_id == headed_doc_id):
        before = [p for p in real_corpus.passages if p.doc_id == headed_doc_id and p.end == s.start]
        after = [p for p in real_corpus.passages if p.doc_id == headed_doc_id and p.start == s.end]
        assert before and after
        assert before[0].meta.get("spam_split") and after[0].meta.get("spam_split")


def test_spam_none_in_headless_plan(real_corpus, headless_doc_id):
    assert not [s for s in real_corpus.spam if s.doc_id == headless_doc_id]


def test_spam_legit_latin_survives(ingest_data):
    raw = (ingest_data / "legit_latin.txt").read_text(encoding="utf-8")
    assert find_spam(raw, "legit") == []
    for tok in ("G20", "LNG", "5G", "APP", "PM2.5", "PPP", "CIM", "BBC"):
        assert tok in raw


def test_spam_generic_unseen_strings_are_found():
    samples = {
        "加强公共自行车管理,推进888真人娱乐城_www.xyz888.com_注册送38元系统建设。":
            "加强公共自行车管理,推进系统建设。",
        "完善城市照明设施,全力打造bet365真人百家乐官网导航体系,提升亮化品质。":
            "完善城市照明设施,全力打造导航体系,提升亮化品质。",
        "深化垃圾分类,推动彩票开户网址abc8899.cc平台登录工作落地。":
            "深化垃圾分类,推动工作落地。",
    }
    for text, clean in samples.items():
        spans = find_spam(text, "x")
        assert len(spans) == 1, text
        assert text[:spans[0].start] + text[spans[0].end:] == clean


def test_spam_law_enforcement_prose_is_not_spam():
    text = "依法打击非法彩票和网络赌博活动,规范网络直播平台管理,加强对娱乐场所的执法检查。"
    assert find_spam(text, "x") == []


def test_spam_mask_keeps_length_and_offsets():
    text = "推进贴心式365bet娱乐场官网修复工作。"
    spans = find_spam(text, "x")
    masked = mask(text, spans)
    assert len(masked) == len(text)
    assert "bet" not in masked and masked.endswith("修复工作。")


def test_spam_table_cells_with_gambling_words_are_not_spam():
    text = "指标｜单位｜2025年｜\n体育彩票销售额｜亿元｜12｜\n"
    assert find_spam(text, "x") == []


def test_spam_inside_table_cell_and_heading_is_kept_out_of_structure(ingest_text):
    raw = ("一、总体要求\n（一）指标\n主要指标表\n指标｜单位｜目标｜\n"
           "生活垃圾分类覆盖率abc365bet娱乐场官网｜%｜100｜\n"
           "（二）任务\n推进贴心式365bet娱乐场官网修复工作。\n二、保障措施\n加强组织领导。\n")
    c = ingest_text(raw)
    assert len(c.spam) == 2
    row = next(p for p in c.passages if p.kind == "table_row")
    assert row.meta["cells"][0] == "生活垃圾分类覆盖率"
    assert all("bet" not in p.text for p in c.passages)
    assert all("bet" not in s.path for s in c.sections)
