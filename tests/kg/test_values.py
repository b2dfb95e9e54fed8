"""kg.values: stated values, comparators, units, ranges, approximations and years."""
import pytest

from kg.values import find_times, find_values, magnitude, parse_cell


@pytest.mark.parametrize("text,value,unit,cmp", [
    ("城市供水管网漏损率≤8%", 8.0, "%", "≤"),
    ("主干路完好率达98.5%", 98.5, "%", "≥"),
    ("管网漏损率控制9 %以内", 9.0, "%", "≤"),
    ("比例上升到12%", 12.0, "%", "="),
    ("资源化处理能力达到600万吨/年以上", 600.0, "万吨/年", "≥"),
    ("车比例不低于80%", 80.0, "%", "≥"),
    ("数量达到4座/平方公里以上", 4.0, "座/平方公里", "≥"),
    ("服务半径覆盖率>90%", 90.0, "%", ">"),
])
def test_values_comparator_and_unit(text, value, unit, cmp):
    v = find_values(text)[0]
    assert (v.value, v.unit, v.comparator) == (value, unit, cmp)


def test_values_range_keeps_both_ends():
    v = find_values("每年新增服务点30—50处")[0]
    assert (v.value, v.value_max, v.unit) == (30.0, 50.0, "处")


@pytest.mark.parametrize("text", ["长度约17.7公里", "达2000多万吨", "800余件", "44亿立方米左右"])
def test_values_approximation_flagged(text):
    assert find_values(text)[0].approx


def test_values_years_and_titles_are_not_values():
    assert find_values("到2025年,2022年底") == []
    assert find_values("浙建办[2020]37号 5G 1+5+2") == []


def test_values_magnitude_applies_multiplier():
    assert magnitude(164.5, "万吨/日") == pytest.approx(1_645_000)
    assert magnitude(3.0, "千米") == 3.0


def test_values_cell_parsing():
    assert parse_cell("/") is None
    assert parse_cell("14.6").value == 14.6
    assert parse_cell("≥98%").comparator == "≥"
    assert parse_cell("2000").value == 2000


@pytest.mark.parametrize("text,year,period", [
    ("至“十四五”末,", None, "十四五末"), ("到2025年,", 2025, None),
    ("2022年底建成", 2022, None), ("“十四五”期间", None, "十四五")])
def test_values_time_expressions(text, year, period):
    t = find_times(text)[0]
    assert (t.year, t.period) == (year, period)


def test_values_full_width_numbers_parse_with_offsets_kept():
    """２．６万盏 and ≤９％ (full-width forms) are read as 2.6 万盏 and ≤9 %, and each value's
    text is the plan's own slice."""
    from kg.values import find_values
    text = "城区路灯LED节能改造２．６万盏，漏损率≤９％以内"
    vals = find_values(text)
    assert [(v.value, v.unit, v.comparator) for v in vals] == [(2.6, "万盏", "="), (9.0, "%", "≤")]
    assert all(text[v.start:v.end].strip() == v.text for v in vals)
    assert vals[0].text.startswith("２．６")
