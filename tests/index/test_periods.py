"""Plan periods: years to 十X五, periods named in text, the per-passage prior."""
from __future__ import annotations

import pytest

from core.question import periods as query_periods
from index.periods import PeriodPrior, document_periods, periods_in


@pytest.mark.parametrize("q,names", [("绍兴1961年垃圾处理", {"二五"}), ("1964年", set()),
                                     ("绍兴2060年垃圾处理目标", {"二十一五"}), ("1000年", set()),
                                     ("2999年", set()), ("2025年", {"十四五"})])
def test_periods_any_year_in_a_question(q, names):
    assert query_periods(q) == names


def test_periods_named_in_text_and_query():
    assert periods_in("“十三五”水平|“十四五” 目标值") == {"十三五", "十四五"}
    assert periods_in("第十四个五年规划") == {"十四五"}
    assert query_periods("到2025年回收利用率要达到多少") == {"十四五"}
    assert query_periods("回收利用率是多少") == set()


def test_periods_document_period_from_title_or_catalog():
    assert document_periods("某市城市管理“十四五”规划") == {"十四五"}
    assert document_periods("某市城市管理规划", "2016-2020") == {"十三五"}
    assert document_periods("某市碳达峰行动方案", "2021-2060") >= {"十四五", "十九五", "二十一五"}
    assert document_periods("某市碳达峰行动方案", "2021-2060 (草案)") >= {"十四五"}


def test_periods_prior_with_a_long_plan_and_far_years():
    prior = PeriodPrior(["一、“十三五”成就", "二、“十四五”目标", "附表"], ["a", "a", "a"],
                        {"a": document_periods("碳中和规划", "2021-2060")})
    for q in ("1961年目标", "2060年目标", "1000年", "2999年", "目标"):
        assert prior.factors(q).shape == (3,)


def test_periods_prior_penalises_other_period_only():
    prior = PeriodPrior(["一、“十三五”成就", "二、“十四五”目标", "附表"], ["a", "a", "a"],
                        {"a": {"十四五"}}, explicit_penalty=0.2, implicit_penalty=0.1)
    f = prior.factors("十四五的目标是多少")
    assert f[0] == pytest.approx(0.8) and f[1] == 1.0 and f[2] == 1.0
    g = prior.factors("十三五期间完成了什么")
    assert g[0] == 1.0 and g[1] == pytest.approx(0.8)
    h = prior.factors("回收利用率")              # no period named: the plan's own period
    assert h[0] == pytest.approx(0.9) and h[1] == 1.0


def test_periods_prior_rejects_bad_penalty():
    with pytest.raises(ValueError, match="explicit_penalty"):
        PeriodPrior([], [], {}, explicit_penalty=1.5)
