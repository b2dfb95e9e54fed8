"""Question analysis on a small invented catalog (温州, 湖州 and their districts)."""
from __future__ import annotations

import dataclasses

from index.query import QueryAnalyzer
from qa.analysis import analyze
from tests.qa.conftest import make_ctx


def test_analysis_city_named_selects_its_plan(small_ctx):
    a = analyze(small_ctx, "温州到2025年生活垃圾回收利用率要达到多少?")
    assert a.cities == ["温州"] and a.doc_ids == ["wz"]


def test_analysis_city_with_suffix_is_recognised(small_ctx):
    assert analyze(small_ctx, "湖州市的绿地率目标").doc_ids == ["hz"]


def test_analysis_two_cities_is_comparison(small_ctx):
    a = analyze(small_ctx, "湖州和温州的漏损率目标有何不同?")
    assert a.compare and a.cities == ["湖州", "温州"] and set(a.doc_ids) == {"wz", "hz"}


def test_analysis_both_cities_word_means_every_plan(small_ctx):
    for q in ("两市的公厕建设目标比一比", "两地分别怎么要求的?", "两个城市的绿地率对比"):
        a = analyze(small_ctx, q)
        assert a.compare and a.all_plans and set(a.doc_ids) == {"wz", "hz"}, q


def test_analysis_district_points_to_its_plan(small_ctx):
    a = analyze(small_ctx, "瑞安的智慧城管中心归哪个部门主管?")
    assert a.districts == [("瑞安市", "wz")] and a.doc_ids == ["wz"] and not a.cities


def test_analysis_foreign_city_is_flagged(small_ctx):
    a = analyze(small_ctx, "宁波市的垃圾分类覆盖率目标是多少?")
    assert a.foreign and a.foreign[0].startswith("宁波") and not a.cities


def test_analysis_landmark_is_not_a_foreign_city(small_ctx):
    assert analyze(small_ctx, "钱塘江景观带建设有什么安排?").foreign == []


def test_analysis_years_and_period_end(small_ctx):
    assert analyze(small_ctx, "温州2023年改造多少个表箱?").years == [2023]
    a = analyze(small_ctx, "温州十四五末绿地率要达到多少?")
    assert a.years == [2025] and a.wants_target
    assert analyze(small_ctx, "二〇二四年温州的目标").years == [2024]


def test_analysis_baseline_cue(small_ctx):
    a = analyze(small_ctx, "温州绿地率现在是多少?")
    assert a.wants_baseline and a.wants_value


def test_analysis_list_and_value_intents(small_ctx):
    assert analyze(small_ctx, "温州要建哪些项目?").wants_list
    assert analyze(small_ctx, "温州漏损率控制在多少?").wants_value
    assert not analyze(small_ctx, "温州规划的指导思想").wants_list


def test_analysis_regulation_status(small_ctx):
    assert analyze(small_ctx, "温州要修编哪几部法规?").reg_status == "to_revise"
    assert analyze(small_ctx, "湖州十四五要修订的条例有哪些?").reg_kind == "条例"
    assert analyze(small_ctx, "湖州力争出台哪些办法?").reg_status == "to_issue"


def test_analysis_topic_drops_question_words_and_places(small_ctx):
    a = analyze(small_ctx, "温州的绿地率目标是多少呢?")
    assert a.terms == ["绿地率"]
    assert "温州" not in a.query


def test_analysis_single_characters_join_their_neighbour(small_ctx):
    a = analyze(small_ctx, "湖州再生水利用率目标")
    assert "再生水" in a.terms


def test_analysis_non_chinese_has_no_topic(small_ctx):
    for q in ("What is the target?", "'; DROP TABLE passages; --", "😀😀"):
        assert analyze(small_ctx, q).empty_topic


def test_analysis_html_tags_are_ignored(small_ctx):
    a = analyze(small_ctx, "<b>温州</b>的<script>x</script>绿地率")
    assert a.doc_ids == ["wz"] and "绿地率" in a.terms


def test_analysis_indicator_paraphrase_matches_by_characters(small_ctx):
    a = analyze(small_ctx, "温州管网漏损率控制在多少")
    ranked = small_ctx.match_indicators(a.terms)
    assert ranked[0][0].key == "i1"


def test_analysis_names_the_plans_retrieval_names(small_ctx):
    """Retrieval and the reader name the same plans for a question (core.question)."""
    ret = QueryAnalyzer({d.id: d.city for d in small_ctx.docs.values()},
                       districts=[(p.name, p.doc_id, p.aliases) for p in small_ctx.places
                                  if p.kind != "city"])
    for q in ("温州和湖州的绿地率", "三市的公厕目标", "瑞安的智慧城管中心", "湖州市的绿地率目标"):
        assert ret.analyze(q).doc_ids == analyze(small_ctx, q).doc_ids, q



def test_a_unit_a_plan_writes_but_its_places_lack_belongs_to_that_plan():
    """平阳县 is no district of the context's places, but one plan writes it: the question is
    about that plan (not foreign, not every plan)."""
    ctx = dataclasses.replace(make_ctx(), texts={"wz": "推进平阳县污水处理厂建设。", "hz": "推进吴兴区建设。"})
    a = analyze(ctx, "平阳县污水处理厂规模是多少?")
    assert ("平阳县", "wz") in a.districts and a.doc_ids == ["wz"] and not a.foreign
