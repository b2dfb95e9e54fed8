"""Query analysis: cities from the documents, every-plan words, place names, synonyms."""
from __future__ import annotations

import pytest

from index.query import QueryAnalyzer


def _qa(**kw):
    return QueryAnalyzer({"sx": "绍兴", "hz": "杭州市"}, **kw)


def test_query_one_city_restricts():
    plan = _qa().analyze("绍兴市的公厕目标")
    assert plan.doc_ids == ["sx"] and not plan.per_doc


def test_query_two_cities_compare_per_doc():
    plan = _qa().analyze("杭州和绍兴的公厕目标有何不同")
    assert set(plan.doc_ids) == {"hz", "sx"} and plan.per_doc


def test_query_every_plan_words():
    for q in ("两市的公厕目标", "三市的公厕目标", "各规划的公厕目标"):
        plan = _qa().analyze(q)
        assert set(plan.doc_ids) == {"sx", "hz"} and plan.per_doc, q


def test_query_no_city_searches_everything():
    plan = _qa().analyze("宁波的垃圾分类覆盖率")
    assert plan.doc_ids is None and not plan.per_doc


def test_query_districts_from_graph_point_at_their_plans():
    qa = _qa(districts=[("上虞区", "sx", ("上虞区", "上虞")), ("西湖区", "hz", ())])
    assert qa.analyze("上虞综合管廊").doc_ids == ["sx"]
    plan = qa.analyze("上虞区和西湖区的管廊")
    assert set(plan.doc_ids) == {"sx", "hz"} and plan.per_doc


def test_query_strip_places():
    qa = _qa()
    q = "绍兴和杭州的公厕目标"
    assert "绍兴" not in qa.strip_places(q, qa.analyze(q))


def test_query_synonym_expansion():
    qa = _qa(synonyms={"管网漏损率": ["城市供水管网漏损率"]})
    assert qa.expansions("绍兴管网漏损率") == ["城市供水管网漏损率"]
    assert qa.expansions("公厕") == []


def test_query_rejects_empty_cities():
    with pytest.raises(ValueError, match="doc_cities"):
        QueryAnalyzer({})


def test_query_strip_keeps_district_names():
    qa = _qa(districts=[("上虞区", "sx", ("上虞区", "上虞"))])
    q = "绍兴上虞区综合管廊"
    stripped = qa.strip_places(q, qa.analyze(q))
    assert "上虞区" in stripped and "绍兴" not in stripped
