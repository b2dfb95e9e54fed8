"""core/periods.py: years <-> five-year plans for any year, period parsing, text patterns."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.periods import (
    PERIOD_RE,
    YEAR_RE,
    PlanPeriod,
    first_period_name,
    five_year_name,
    five_year_span,
    parse_period,
    period_names_in,
    period_of,
    previous_name,
    years_in,
)


@pytest.mark.parametrize("year,name", [
    (1953, "一五"), (1957, "一五"), (1958, "二五"), (1962, "二五"), (1963, None), (1965, None),
    (1966, "三五"), (1970, "三五"), (2001, "十五"), (2006, "十一五"), (2016, "十三五"),
    (2020, "十三五"), (2021, "十四五"), (2025, "十四五"), (2026, "十五五"), (2050, "十九五"),
    (2051, "二十五"), (2060, "二十一五"), (1961, "二五"), (1000, None), (2999, None),
    (1952, None), (-3000, None), (10 ** 12, None)])
def test_five_year_name(year, name):
    assert five_year_name(year) == name


def test_five_year_name_never_raises_on_non_ints():
    for bad in (None, "2021", 2021.0, object()):
        assert five_year_name(bad) is None  # type: ignore[arg-type]


def _old_period_of_year(year: int) -> str:
    """The arithmetic index/periods.py used before core/periods.py (valid 1966-2050)."""
    cn = "零一二三四五六七八九"
    n = (year - 1966) // 5 + 3
    return (cn[n] if n < 10 else "十" + (cn[n - 10] if n > 10 else "")) + "五"


def test_same_names_as_before_for_1966_to_2050():
    assert all(five_year_name(y) == _old_period_of_year(y) for y in range(1966, 2051))


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=-3000, max_value=3000))
def test_name_and_span_are_inverse(year):
    name = five_year_name(year)
    if name is None:
        return
    start, end = five_year_span(name)
    assert start <= year <= end and end - start == 4
    assert five_year_name(start) == five_year_name(end) == name
    assert five_year_name(start - 1) != name and five_year_name(end + 1) != name
    assert five_year_span(f"“{name}”") == (start, end)


@pytest.mark.parametrize("text,span", [
    ("十四五", (2021, 2025)), ("“十四五”", (2021, 2025)), ("第十四个五年", (2021, 2025)),
    ("第十四个五年规划", (2021, 2025)), ("十三五期间", (2016, 2020)), ("十五", (2001, 2005)),
    ("第三个五年计划", (1966, 1970)), ("十十五", None), ("一十四五", None), ("四四五", None),
    ("", None), ("规划", None), ("第一百个五年", None)])
def test_five_year_span(text, span):
    assert five_year_span(text) == span


def test_previous_name():
    assert previous_name("十四五") == "十三五"
    assert previous_name("十一五") == "十五"
    assert previous_name("一五") is None
    assert previous_name("xyz") is None


@pytest.mark.parametrize("text,start,end", [
    ("2021-2025", 2021, 2025), ("2021—2060", 2021, 2060), ("2021至2035年", 2021, 2035),
    ("2021年-2035年", 2021, 2035), ("２０２１－２０２５", 2021, 2025), ("十四五", 2021, 2025),
    ("“十四五”", 2021, 2025), ("2035", 2035, 2035)])
def test_parse_period(text, start, end):
    p = parse_period(text)
    assert (p.start, p.end) == (start, end)
    assert p.contains(start) and p.contains(end) and not p.contains(end + 1)
    assert p.baseline_year == start - 1 and p.target_year == end


@pytest.mark.parametrize("text", ["", "   ", "2025-2021", "明年", "十十五"])
def test_parse_period_unreadable(text):
    assert parse_period(text) is None


def test_five_year_only_for_one_block():
    assert parse_period("2021-2025").five_year == "十四五"
    assert parse_period("十三五").five_year == "十三五"
    assert parse_period("2021-2060").five_year is None
    assert parse_period("2021-2024").five_year is None
    assert parse_period("2021-2035").names == {"十四五", "十五五", "十六五"}
    with pytest.raises(ValueError):
        PlanPeriod(2025, 2021)


def test_period_of_titles():
    assert period_of("绍兴市城市管理“十四五”规划") == PlanPeriod(2021, 2025, "十四五")
    assert period_of("某市碳达峰实施方案(2021—2030年)") == PlanPeriod(2021, 2030)
    assert period_of("城市管理规划") is None
    assert first_period_name("“十三五”回顾与“十四五”目标") == "十三五"


def test_period_names_in_text():
    assert period_names_in("第十三个五年规划和“十四五”、十五五") == {"十三五", "十四五", "十五五"}
    assert period_names_in("ＮＦＫＣ“十四五”") == {"十四五"}
    assert period_names_in("二十五个项目,十五个站") == set()
    assert PERIOD_RE.search("十九五") and not PERIOD_RE.search("十五")


def test_years():
    assert years_in("1961年、2060年, 1000 和 2999") == [1961, 2060, 1000, 2999]
    assert years_in("120000 吨, 1500.5 万, 3000, 0999, 20251") == []
    assert years_in("２０２５年") == [2025]
    assert YEAR_RE.fullmatch("2025")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789-—至到年第个五十一二三四九“”规划 abc.")),
               max_size=30))
def test_parsers_never_raise(text):
    p = parse_period(text)
    assert p is None or (p.start <= p.end and p.contains(p.start))
    span = five_year_span(text)
    assert span is None or five_year_name(span[0]) is not None
    period_names_in(text), years_in(text), period_of(text)
