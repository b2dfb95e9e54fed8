"""kg.measure: quantity names, measure heads and unit families used by alignment."""
from kg.measure import is_quantity, needs_subject, split_measure, unit_family


def test_measure_unit_family_dimensions(res):
    syn = res.synonyms
    assert unit_family("%") == unit_family("个百分点") == "percent"
    assert unit_family("公里") == unit_family("米") == "length"
    assert unit_family("万平方米") == unit_family("公顷") == "area"
    assert unit_family("座") == unit_family("个") != unit_family("条")
    assert unit_family("%") != unit_family("座") != unit_family("公里")
    assert unit_family("万吨/日") != unit_family("万立方米/日")
    assert unit_family("万吨/日", "总供水能力", syn) == unit_family("万立方米/日", "总供水规模", syn)
    assert unit_family("万吨", "供气总量", syn) != unit_family("亿立方", "供气总量", syn)
    assert unit_family("平方米/人", "人均公园绿地面积") == unit_family("平方米", "人均公园绿地面积")
    assert unit_family("座/平方公里") != unit_family("座")


def test_measure_is_quantity(res):
    syn = res.synonyms
    for name in ("供水管网漏损率", "天然气在能源消费结构中比例", "公厕数量", "储气能力", "管道长度",
                 "人均公园绿地面积", "常住人口"):
        assert is_quantity(name, syn), name
    for name in ("隧道", "公厕", "桥梁", "新增市政道路", "地下管廊"):
        assert not is_quantity(name, syn), name


def test_measure_split_and_bare_measures(res):
    assert split_measure("供水管网漏损率", res) == ("供水管网", "漏损率")
    assert split_measure("垃圾处置无害化率", res) == ("垃圾处置", "无害化率")
    assert needs_subject("完成率", res) and needs_subject("资源化利用率", res)
    assert not needs_subject("管网漏损率", res) and not needs_subject("城镇化率", res)
