"""kg.targets: indicator values from running text and from tables."""
from kg import targets
from tests.kg.conftest import snippet


def _by_name(ts):
    return {t.name_as_written: t for t in ts}


def test_targets_text_forms(ctx_of):
    ts = _by_name(targets.extract(ctx_of(snippet("targets_text.txt"))))
    assert ts["城市供水管网漏损率"].target == "≤8%" and ts["城市供水管网漏损率"].comparator == "≤"
    assert ts["城市供水管网漏损率"].period == "十四五末"
    assert ts["管网漏损率"].value == 9 and ts["管网漏损率"].comparator == "≤"
    assert ts["资源化处理能力"].unit == "万吨/年" and ts["资源化处理能力"].year == 2025
    assert ts["城区公共厕所数量"].unit == "座/平方公里"
    assert ts["每年新增服务点"].value_max == 50
    assert ts["资源化利用项目"].year == 2022


def test_targets_two_indicators_in_one_sentence(ctx_of):
    ts = targets.extract(ctx_of("应确保城市主干路完好率达98.5%,次干路完好率达98%。"))
    assert [(t.name_as_written, t.value) for t in ts] == [("城市主干路完好率", 98.5),
                                                          ("次干路完好率", 98.0)]


def test_targets_elliptic_items_borrow_head(ctx_of):
    ts = _by_name(targets.extract(ctx_of("主干路和重要路段亮灯率达98%,次干路达97%,街巷达96%。")))
    assert ts["次干路亮灯率"].value == 97 and ts["街巷亮灯率"].value == 96


def test_targets_qi_and_number_first_forms(ctx_of):
    ts = _by_name(targets.extract(ctx_of(snippet("targets_text.txt"))))
    assert ts["桥隧设施良好率"].value == 95
    assert ts["出厂水常规指标"].value == 42 and ts["出厂水非常规指标"].value == 64


def test_targets_evidence_span_slices_raw(ctx_of):
    ctx = ctx_of(snippet("targets_text.txt"))
    for t in targets.extract(ctx):
        quote = ctx.raw[t.evidence_start:t.evidence_end]
        assert str(int(t.value)) in quote.replace(" ", "")
        assert t.start <= t.evidence_start < t.evidence_end <= t.end


def test_targets_status_vs_target_from_section(ctx_of):
    past = targets.extract(ctx_of("全市城市污水处理率97.23%。", section="一、“十三五”成就"))
    plan = targets.extract(ctx_of("全市城市污水处理率98%。", section="三、“十四五”目标"))
    assert past[0].value_kind == "status" and past[0].baseline == "97.23%"
    assert past[0].target is None and past[0].baseline_value == 97.23 and past[0].period == "十三五"
    assert plan[0].value_kind == "target" and plan[0].target == "98%"


def test_targets_key_table_header_aware(ctx_of):
    ts = _by_name(targets.extract(ctx_of(snippet("table_key.txt"))))
    t = ts["城市供水管网漏损率"]
    assert (t.baseline, t.target, t.bindingness, t.category) == ("10%", "≤8%", "约束性", "节约用水")
    assert ts["生活垃圾回收利用率"].category == "环境卫生"       # merged category cell filled
    assert ts["城市再生水利用率"].baseline is None
    assert all(x.source == "table" for x in ts.values())


def test_targets_unit_column_and_fullwidth_bars(ctx_of):
    ts = _by_name(targets.extract(ctx_of(snippet("table_unit.txt"))))
    t = ts["人均公园绿地面积"]
    assert (t.unit, t.value, t.baseline, t.year) == ("平方米", 15.0, "14.2", 2025)


def test_targets_year_rows(ctx_of):
    ts = [t for t in targets.extract(ctx_of(snippet("table_year.txt"))) if t.source == "table"]
    got = {(t.name_as_written, t.year): (t.value, t.unit) for t in ts}
    assert got[("老旧管网改造数", 2021)] == (18.0, "公里")
    assert got[("老旧表箱改造数", 2022)] == (1800.0, "个")
    assert got[("管道天然气普及率", 2022)] == (38.0, "%")


def test_targets_future_verb_in_review_section_is_never_a_target(ctx_of):
    """"将达到" while reviewing the previous period: where that period ends (the plan's
    baseline), never a target."""
    ts = targets.extract(ctx_of("全市的城区道路机械化作业率将达到80%以上,主要道路机械化清扫率达到100%。",
                                section="一、“十三五”成就"))
    kinds = {t.name_as_written: (t.value_kind, t.period) for t in ts}
    assert kinds["全市的城区道路机械化作业率"] == ("baseline", "十三五末")
    assert kinds["主要道路机械化清扫率"][0] == "status"     # 主要 qualifies, kept
    assert all(t.target is None and t.target_value is None for t in ts)


def test_targets_value_kind_markers(ctx_of):
    plan = "四、“十四五”重点任务"
    review = "一、“十三五”成就"
    kind = lambda text, sec: [t.value_kind for t in targets.extract(ctx_of(text, section=sec))]  # noqa: E731
    assert kind("力争生活垃圾回收利用率达到65%。", review) == ["baseline"]   # a review: never a target
    assert kind("到2025年,城市污水处理率达到98%。", review) == ["target"]     # the plan's own time
    assert kind("到2025年,城市污水处理率达到98%。", "") == ["target"]
    assert kind("到2023年,城市污水处理率达到97%。", plan) == ["milestone"]
    assert kind("2020年底完成填埋场生态修复工程总进度的50%。", "") == ["baseline"]
    assert kind("2019年完成填埋场生态修复工程总进度的30%。", "") == ["status"]
    assert kind("目前已消除内涝风险点13个。", plan) == ["status"]
    assert kind("累计完成截污纳管工程项目387个。", plan) == ["status"]
    # 将 as the object marker (将…划分为), not the future auxiliary
    assert kind("将全市智慧城管实施区域划分为255个巡查区块。", review) == ["status"]
    # 累计 over the plan period is part of a target
    assert kind("“十四五”期间,5年累计新增公共自行车10000辆。", plan) == ["target"]


def test_targets_descriptive_opening_section_states_the_present(ctx_of):
    ts = targets.extract(ctx_of("规划范围覆盖全市域,总面积8256平方公里。", section="[推断] 前言"))
    assert [(t.value_kind, t.baseline) for t in ts] == [("status", "8256平方公里")]


def test_targets_coordinated_quantities_split(ctx_of):
    ts = targets.extract(ctx_of("垃圾处置无害化率、资源化率达到100%,快速路、主干道机械保洁作业率达100%。"))
    names = [t.name_as_written for t in ts]
    assert names[:2] == ["垃圾处置无害化率", "垃圾处置资源化率"]
    assert all(t.value == 100 for t in ts[:2])
    assert "快速路、主干道机械保洁作业率" in names          # a place list, not two quantities


def test_targets_marker_inside_name_does_not_decide_kind(ctx_of):
    ts = targets.extract(ctx_of("计划用水覆盖率达到90%。", section="一、“十三五”成就"))
    assert [(t.name_as_written, t.value_kind) for t in ts] == [("计划用水覆盖率", "status")]


def test_targets_a_span_of_years_is_a_status_over_the_span(ctx_of):
    ts = targets.extract(ctx_of("2018年至2020年,共有省级达标中队167个。2020年,全市燃气普及率为99%。"))
    got = [(t.name_as_written, t.value_kind, t.year, t.period) for t in ts]
    assert got == [("省级达标中队", "status", None, "2018-2020"), ("全市燃气普及率", "baseline", 2020, None)]
