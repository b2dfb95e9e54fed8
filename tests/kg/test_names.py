"""Indicator-name checks (kg/names.py) and the names the text extractor gives instead."""
import pytest

from kg import targets
from kg.names import rules


@pytest.mark.parametrize("name,reason", [
    ("临江、九峰、富阳、建德、淳安", "list"), ("也为杭州", "function word"), ("杭州市", "place"),
    ("县市", "bare"), ("城市道路、公厕等城市管理领域", "list end"), ("5", "short"),
    ("绍兴市中心城区宜推进后墅路", "clause"), ("方面出台具体的三年行动计划", "function word")])
def test_names_junk(name, reason):
    assert rules().junk(name, frozenset(), frozenset({"杭州", "杭州市"})) == reason


@pytest.mark.parametrize("name", ["城市污水处理率", "在建水厂", "快速路、主干道机械保洁作业率",
                                  "新增公共自行车", "越城区系统实施范围"])
def test_names_kept(name):
    assert rules().junk(name) == ""


def test_names_after_the_value_replace_a_junk_name(ctx_of):
    text = ("建成临江、九峰、富阳、建德、淳安5座垃圾焚烧项目,也为杭州连续14年获得荣誉做出了贡献。"
            "完成城市道路、公厕等城市管理领域2.99万个负面清单问题整改销号。")
    names = [t.name_as_written for t in targets.extract(ctx_of(text, city="杭州"))]
    assert names == ["垃圾焚烧项目", "负面清单问题整改销号"]


def test_names_bounded_capacity_clause(ctx_of):
    ts = targets.extract(ctx_of("加快应急气源站建设,形成不低于保障本行政区域日均3天需求量和不低于年用气量5%的储气能力。",
                                section="四、“十四五”重点任务"))
    got = [(t.name_as_written, t.target_value, t.unit_code, t.comparator) for t in ts]
    assert got == [("储气能力(保障本行政区域日均需求量)", 3.0, "d", "≥"),
                   ("储气能力(年用气量)", 5.0, "%", "≥")]


def test_names_list_item_borrows_the_change_words(ctx_of):
    ts = targets.extract(ctx_of("“十四五”期间,每年新增服务点30—50处、车辆2000辆。", section="四、“十四五”重点任务"))
    assert [t.name_as_written for t in ts] == ["每年新增服务点", "每年新增车辆"]


def test_names_bare_measures_get_their_subject(ctx_of):
    ts = targets.extract(ctx_of("全市液化石油气储配站48座(储气能力7693吨)。全力抓好中央生态环保督察整改,完成率90%以上。",
                                section="一、“十三五”成就"))
    names = [t.name_as_written for t in ts]
    assert names == ["全市液化石油气储配站", "全市液化石油气储配站储气能力", "中央生态环保督察整改完成率"]


def test_names_share_of_a_change_and_comma_list_items(ctx_of):
    ts = targets.extract(ctx_of("完成其它道路40%路灯改造。改造老旧管网26公里,老旧表箱4290个。",
                                section="四、“十四五”重点任务"))
    assert [t.name_as_written for t in ts] == ["其它道路路灯改造比例", "改造老旧管网", "改造老旧表箱"]
