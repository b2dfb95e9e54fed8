"""Sections: heading hierarchy of a headed plan, inferred topics of a headless one."""
from __future__ import annotations

import re

from ingest.headings import match_heading
from ingest.sections import INFERRED_PREFIX

CN_ORDER = "一二三四五六"


def _top(corpus, doc_id):
    return [s for s in corpus.sections if s.doc_id == doc_id and s.level == 1 and not s.inferred]


def test_sections_headed_plan_has_six_top_level_sections(real_corpus, headed_doc_id):
    top = _top(real_corpus, headed_doc_id)
    assert [s.number for s in top] == [f"{c}、" for c in CN_ORDER]
    titles = [s.title for s in top]
    assert "十三五" in titles[0] and "成就" in titles[0]
    assert "十四五" in titles[-1] and "保障" in titles[-1]
    assert all(re.search(r"十[三四]五", t) for t in titles)


def test_sections_top_level_sections_tile_the_text(real_corpus, headed_doc_id):
    top = _top(real_corpus, headed_doc_id)
    for a, b in zip(top, top[1:]):
        assert a.end <= b.start
        assert real_corpus.raw(headed_doc_id)[a.end:b.start].strip() == ""


def test_sections_paths_nest_three_levels(real_corpus, headed_doc_id):
    by_id = {s.id: s for s in real_corpus.sections}
    deep = [s for s in real_corpus.sections if s.doc_id == headed_doc_id and s.level >= 3]
    assert deep
    for s in deep:
        parent = by_id[s.parent]
        assert parent.level < s.level
        assert parent.start <= s.start and s.end <= parent.end
        assert s.path.startswith(parent.path + " > ")


def test_sections_half_and_full_width_parentheses(real_corpus, headed_doc_id):
    assert match_heading("(二)城市管理体系不断精细", 0).number == "(二)"
    assert match_heading("（二）城市管理体系不断精细", 0).number == "（二）"
    second = [s for s in real_corpus.sections if s.doc_id == headed_doc_id and s.level == 2]
    assert len(second) >= 10 and all(s.number.startswith(("(", "（")) for s in second)


def test_sections_inline_heading_takes_lead_sentence_as_title():
    h = match_heading("1、提高垃圾综合治理绩效。推进“无废城市”建设,构建产业协同。", 100)
    assert h.inline and h.title == "提高垃圾综合治理绩效" and h.start == 100
    assert match_heading("一是设施布局不均衡；二是管理手段传统。", 0) is None
    assert match_heading("1.5公里的道路完成改造。", 0) is None
    assert match_heading("1、推进垃圾分类；", 0) is None
    short = match_heading("（一）加强组织领导。", 0)
    assert not short.inline and short.title == "加强组织领导"


def test_sections_chapter_headings_rank_above_cn_numbers(ingest_text, ingest_data):
    raw = (ingest_data / "chapter_plan.txt").read_text(encoding="utf-8")
    c = ingest_text(raw)
    by_number = {s.number: s for s in c.sections if not s.inferred}
    assert by_number["第一章"].level == 1
    assert by_number["第二节"].level == 2
    assert by_number["（一）"].level == 3
    sub = by_number["（二）"]
    assert sub.path == "第二章 主要任务 > 第二节 市政设施 > （二）地下管网"
    assert [s.title for s in c.sections if s.level == 1 and not s.inferred] == \
        ["发展基础", "主要任务", "保障措施"]


def test_sections_headless_plan_gets_inferred_contiguous_sections(real_corpus, headless_doc_id):
    secs = [s for s in real_corpus.sections if s.doc_id == headless_doc_id]
    assert len(secs) >= 5
    assert all(s.inferred and s.title.startswith(INFERRED_PREFIX) and s.number == "" for s in secs)
    top = [s for s in secs if s.level == 1]
    for a, b in zip(top, top[1:]):
        assert a.end < b.start
    paras = [p for p in real_corpus.passages if p.doc_id == headless_doc_id]
    assert all(p.section_id for p in paras)


def _share_in(corpus, doc_id, keyword, topic_word):
    """Share of the paragraphs dense in `keyword` that sit in a section titled with topic_word."""
    dense = [p for p in corpus.passages if p.doc_id == doc_id and p.text.count(keyword) >= 3]
    hits = [p for p in dense if topic_word in p.section_path]
    return len(dense), len(hits)


def test_sections_inferred_topics_follow_content(real_corpus, headless_doc_id):
    for keyword, topic in (("燃气", "燃气"), ("执法", "执法"), ("垃圾", "垃圾"),
                           ("停车", "停车")):
        n, hits = _share_in(real_corpus, headless_doc_id, keyword, topic)
        assert n and hits / n >= 0.5, (keyword, n, hits)


def test_sections_inferred_parts_keep_plan_order(real_corpus, headless_doc_id):
    top = [s.title for s in real_corpus.sections
           if s.doc_id == headless_doc_id and s.level == 1]
    assert top[0].endswith("总述")
    assert top[-1].endswith("保障措施")
    assert any(t.endswith("主要任务") for t in top)
