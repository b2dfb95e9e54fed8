"""An invented plan (tests/data/kg/invented_plan.txt, a city nobody has a plan of here) through
the real ingest and graph stages: kinds and periods, scope, typed values, section totals,
name repair, topics."""
import hashlib

import pytest

from tests.kg.conftest import DATA


@pytest.fixture(scope="module")
def inv():
    import ingest
    import kg
    from core.config import load_config
    from core.types import Document
    raw = (DATA / "invented_plan.txt").read_text(encoding="utf-8")
    doc = Document(id="nb", city="宁波", title="宁波市城市管理“十四五”规划", raw_text=raw,
                   sha256=hashlib.sha256(raw.encode()).hexdigest(),
                   meta={"period": "2021-2025", "issuer": ""})
    corpus = ingest.ingest_corpus([doc], load_config({}, env={}), progress=lambda m: None)
    return kg.build_graph(corpus), raw


@pytest.fixture(scope="module")
def inv_graph(inv):
    return inv[0]


def _find(graph, name, kind=None):
    hits = [t for t in graph.targets() if t.name_as_written == name and
            (kind is None or t.value_kind == kind)]
    assert hits, f"{name} ({kind}) not extracted: " + ", ".join(
        f"{t.name_as_written}/{t.value_kind}" for t in graph.targets())
    return hits[0]


def test_review_section_values_are_never_targets(inv):
    g, raw = inv
    review_end = raw.index("二、“十四五”发展目标")
    review = [t for t in g.targets() if t.evidence_start < review_end]
    assert len(review) >= 5
    assert all(t.value_kind in ("status", "baseline") for t in review)
    assert all(t.target is None and t.target_value is None for t in review)
    # 将达到 in the review states where the last period ends: the plan's baseline
    t = _find(g, "城市道路机械化作业率", "baseline")
    assert (t.period, t.baseline_value) == ("十三五末", 78.0)
    assert _find(g, "老旧小区二次供水改造").value_kind == "status"      # 累计完成
    assert _find(g, "全市燃气普及率").value_kind == "baseline"           # 2020年 of a 2021-2025 plan


def test_targets_and_milestones(inv):
    g, _ = inv
    assert _find(g, "中心城区公共厕所数量").value_kind == "milestone"   # 到2023年
    t = _find(g, "城市供水管网漏损率", "target")
    assert (t.target_value, t.baseline_value, t.comparator, t.unit_code) == (7.0, 9.0, "≤", "%")
    assert t.bindingness == "约束性" and t.period == "十四五"


def test_scope_is_a_property(inv):
    g, _ = inv
    assert _find(g, "市本级城市污水集中处理率").scope == "市本级"
    assert _find(g, "海曙区生活垃圾回收利用率").scope == "海曙区"
    assert _find(g, "中心城区公共厕所数量").scope == "中心城区"
    assert _find(g, "市区餐厨垃圾处理能力").scope == "市区"
    assert _find(g, "城市供水管网漏损率").scope == ""


def test_typed_values_apply_multipliers_and_code_units(inv):
    g, _ = inv
    t = _find(g, "新建公共停车泊位")
    assert (t.baseline_value, t.unit_code, t.unit) == (23000.0, "{count}", "万个")
    t = _find(g, "市区餐厨垃圾处理能力")
    assert (t.target_value, t.unit_code) == (600.0, "t/d")
    t = _find(g, "中心城区公共厕所数量")
    assert (t.target_value, t.unit_code, t.comparator) == (3.0, "{count}/km2", "≥")


def test_section_totals_are_facts_of_their_own(inv):
    g, _ = inv
    rows = {(r["m"].value, float(r["v"].value)) for r in g.store.query(
        "PREFIX pg: <https://w3id.org/plangraph/ns#> SELECT ?m ?v WHERE { ?f a pg:SectionFact ; "
        "pg:measure ?m ; pg:value ?v }", use_default_graph_as_union=True)}
    assert rows == {("count", 3.0), ("investment", 20.0)}
    facts = g.section_facts("nb")
    assert {(f.measure, f.value, f.unit_code) for f in facts} == {("count", 3.0, "{item}"),
                                                                  ("investment", 20.0, "亿元")}
    assert all(f.start < f.end and f.passage_id for f in facts)


def test_projects_status_and_district(inv):
    g, _ = inv
    by_name = {p.name: p for p in g.projects()}
    done = next(p for n, p in by_name.items() if "分拣中心" in n)
    plan = next(p for n, p in by_name.items() if "污水处理厂" in n)
    assert (done.status, done.district) == ("completed", "鄞州区")
    assert (plan.status, plan.district) == ("planned", "北仑区")


def test_name_repair_joins_a_table_typo_to_the_text_indicator(inv):
    g, _ = inv
    row = _find(g, "城市道保洁机械化作业率")          # the table's spelling (one char off + one added)
    text = _find(g, "城市道路机械化作业率", "target")
    assert row.indicator_iri == text.indicator_iri
    dropped = _find(g, "生活垃回收利用率")             # a dropped character
    assert dropped.indicator_iri == _find(g, "生活垃圾回收利用率").indicator_iri
    ind = next(i for i in g.indicators() if i.iri == row.indicator_iri)
    assert ind.pref_label == "城市道路机械化作业率" and "城市道保洁机械化作业率" in ind.alt_labels
    # a different quantity one character away stays apart (海曙区 scope, 漏损率 ≠ 作业率)
    assert _find(g, "城市供水管网漏损率").indicator_iri != row.indicator_iri


def test_process_verb_and_following_noun_name_a_duration(inv):
    g, _ = inv
    t = _find(g, "燃气事故应急响应机制")
    assert (t.target_value, t.unit_code, t.value_kind) == (24.0, "h", "target")


def test_coverage_and_all_targets_without_a_number(ctx_of):
    from kg import targets
    plan = "三、“十四五”重点任务"
    ts = targets.extract(ctx_of("推进数字城管在全市建成区全覆盖,全市建制镇全覆盖。完成高架道路所有路灯零碳改造。",
                                section=plan))
    got = {(t.name_as_written, t.target, t.target_value, t.unit_code) for t in ts}
    assert got == {("数字城管全市建成区覆盖率", "全覆盖", 100.0, "%"),
                   ("全市数字城管建制镇覆盖率", "全覆盖", 100.0, "%"),
                   ("高架道路路灯零碳改造比例", "所有", 100.0, "%")}
    review = targets.extract(ctx_of("居民小区实现垃圾分类全覆盖。", section="一、“十三五”发展成就"))
    assert review == []                        # an achievement, not a target
