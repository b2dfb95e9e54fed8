"""kg.align: one indicator concept per meaning, across plans."""
import pytest

from kg import targets
from kg.align import CROSS_THRESHOLD, SUFFIX_THRESHOLD, align
from kg.context import DocContext
from tests.fakes import FakeEqualSimilarityEmbedder, FakeHashEmbedder
from tests.kg.conftest import make_corpus


def _targets(res, texts):
    c = make_corpus(texts)
    out = []
    for d in c.documents.values():
        out += targets.extract(DocContext(d, [p for p in c.passages if p.doc_id == d.id],
                                          [t for t in c.tables if t.doc_id == d.id], res))
    return out


def test_align_synonyms_canonical(res):
    c = res.synonyms.canonical
    assert c("全市道路机扫率") == c("城市道路机械化作业率")
    assert c("城市供水管网漏损率") == "供水管网漏损率"
    assert c("人均公园绿地面积") == c("城市人均公园绿地")


def test_align_same_indicator_across_plans(res):
    ts = _targets(res, {"a": ("绍兴", "城市供水管网漏损率≤8%,城市道路机械化作业率达到85%以上。"),
                        "b": ("杭州", "管网漏损率控制9 %以内,全市道路机扫率达100%。")})
    inds, report = align(ts, res)
    by = {t.name_as_written: t.indicator_iri for t in ts}
    assert by["城市供水管网漏损率"] == by["管网漏损率"]
    assert by["城市道路机械化作业率"] == by["全市道路机扫率"]
    assert len(report.aligned) == 2
    ind = next(i for i in inds if i.iri == by["管网漏损率"])
    assert ind.doc_ids == ["a", "b"] and "管网漏损率" in ind.alt_labels + [ind.pref_label]


def test_align_keeps_qualified_indicators_apart_within_a_plan(res):
    ts = _targets(res, {"a": ("绍兴", "城市道路机械化作业率达到85%以上,其他道路机械化作业率达到60%以上。")})
    align(ts, res, embedder=FakeHashEmbedder())
    assert ts[0].indicator_iri != ts[1].indicator_iri


def test_align_iris_stable(res):
    texts = {"a": ("绍兴", "城市供水管网漏损率≤8%。"), "b": ("杭州", "管网漏损率控制9 %以内。")}
    ts1, ts2 = _targets(res, texts), _targets(res, texts)
    align(ts1, res)
    align(ts2, res)
    assert [t.indicator_iri for t in ts1] == [t.indicator_iri for t in ts2]
    assert all(t.indicator_iri.startswith("https://w3id.org/plangraph/id/indicator/") for t in ts1)


def test_align_bare_facility_noun_does_not_join_across_plans(res):
    """False friend: a stock of tunnels in one plan, tunnels newly built in the other."""
    ts = _targets(res, {"a": ("绍兴", "全市管辖城市桥梁1207座(其中特大桥10座),隧道5座,总长5669米。"),
                        "b": ("杭州", "“十三五”期间,新增市政道路404公里、桥梁22座、隧道7条。")})
    inds, report = align(ts, res, embedder=FakeHashEmbedder())
    tunnels = [t for t in ts if t.name_as_written in ("隧道", "新增隧道")]
    assert len(tunnels) == 2 and tunnels[0].indicator_iri != tunnels[1].indicator_iri
    assert report.aligned == []


def test_align_different_quantities_of_one_topic_stay_apart(res):
    """天然气普及率 and 天然气占能源消费比例 share a topic, not a quantity; neither do a
    percentage and a count of the same name."""
    ts = _targets(res, {"a": ("绍兴", "城市居民天然气普及率达到47%。生活垃圾回收利用率65%。公厕数量达到800座。"),
                        "b": ("杭州", "至2025年,天然气在能源消费结构中的比例上升到12%。"
                                     "可回收物回收利用率达51%。公厕数量达到95%。")})
    _, report = align(ts, res, embedder=FakeHashEmbedder())
    assert report.aligned == []


def test_align_synonym_and_unit_identity_pairs_join(res):
    """垃圾处置无害化率 = 生活垃圾无害化处理率 (term synonym + qualified suffix);
    总供水规模 510万立方米/日 = 总供水能力 210万吨/日 (synonym; water: 吨 = 立方米)."""
    ts = _targets(res, {"a": ("绍兴", "生活垃圾无害化处理率100%,总供水能力约210万吨/日。"),
                        "b": ("杭州", "垃圾处置无害化率达到100%,总供水规模达到510万立方米/日。")})
    _, report = align(ts, res)
    by = {t.name_as_written: t.indicator_iri for t in ts}
    assert by["垃圾处置无害化率"] == by["生活垃圾无害化处理率"]
    assert by["总供水规模"] == by["总供水能力"]
    assert len(report.aligned) == 2


def test_align_subset_qualifier_blocks_suffix_join(res):
    """农村生活污水处理率 is a part of the city's 污水处理率, not the same indicator."""
    ts = _targets(res, {"a": ("绍兴", "农村生活污水处理率达到95%。"),
                        "b": ("杭州", "污水处理率达到98%。")})
    _, report = align(ts, res, embedder=FakeHashEmbedder())
    assert report.aligned == []


@pytest.mark.slow
def test_align_thresholds_separate_labelled_pairs(res):
    """Calibration check with the real m3e-small model."""
    from core.config import load_config
    from index.encoders import load_embedder
    emb = load_embedder(load_config({}, env={}))
    pos = [("供水管网漏损率", "管网漏损率"), ("生活垃圾无害化处理率", "无害化处理率"),
           ("生活垃圾无害化处理率", "垃圾无害化处理率")]
    neg = [("主干道完好率", "次干道完好率"), ("资源化利用率", "资源化综合利用率"),
           ("建成区绿地率", "建成区绿化覆盖率")]
    sim = lambda a, b: float(emb.encode([a])[0] @ emb.encode([b])[0])  # noqa: E731
    assert all(sim(a, b) >= SUFFIX_THRESHOLD for a, b in pos)
    assert all(sim(a, b) < CROSS_THRESHOLD for a, b in neg)


def test_align_semantic_match_needs_the_same_topic(res):
    from kg.topics import scheme
    ts = _targets(res, {"a": ("绍兴", "建成区智慧城管覆盖率100%,公共厕所数量200座。"),
                        "b": ("杭州", "数字城管全市建成区覆盖率达到100%,公共停车场数量300座。")})
    for t in ts:
        t.topics = scheme().tag(t.name_as_written)
    align(ts, res, embedder=FakeEqualSimilarityEmbedder(0.93))
    by = {t.name_as_written: t.indicator_iri for t in ts}
    assert by["建成区智慧城管覆盖率"] == by["数字城管全市建成区覆盖率"]       # same topic
    assert by["公共厕所数量"] != by["公共停车场数量"]                       # toilets vs parking
    ts2 = _targets(res, {"a": ("绍兴", "建成区智慧城管覆盖率100%。"),
                         "b": ("杭州", "数字城管全市建成区覆盖率达到100%。")})
    align(ts2, res, embedder=FakeEqualSimilarityEmbedder(0.93))         # untagged: no topic
    assert ts2[0].indicator_iri != ts2[1].indicator_iri
