"""kg.align: one indicator concept per meaning, across plans."""
import pytest

from conftest import make_corpus
from kg import targets
from kg.align import CROSS_THRESHOLD, SUFFIX_THRESHOLD, align
from kg.context import DocContext


def _targets(res, texts):
    c = make_corpus(texts)
    out = []
    for d in c.documents.values():
        out += targets.extract(DocContext(d, [p for p in c.passages if p.doc_id == d.id], res))
    return out


class FakeHashEmbedder:
    """Fake embedder (isolates alignment from the model): every text gets the same vector,
    so every similarity is 1.0 and only the structural rules decide."""
    name = "fake-constant"

    def encode(self, texts):
        import numpy as np
        v = np.ones((len(texts), 4), dtype="float32")
        return v / 2.0


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


@pytest.mark.slow
def test_align_thresholds_separate_labelled_pairs(res):
    """Calibration check with the real m3e-small model."""
    from core.config import load_config
    from index.embedder import load_embedder
    emb = load_embedder(load_config({}, env={}))
    pos = [("供水管网漏损率", "管网漏损率"), ("生活垃圾无害化处理率", "无害化处理率")]
    neg = [("主干道完好率", "次干道完好率"), ("资源化利用率", "资源化综合利用率"),
           ("建成区绿地率", "建成区绿化覆盖率")]
    sim = lambda a, b: float(emb.encode([a])[0] @ emb.encode([b])[0])  # noqa: E731
    assert all(sim(a, b) >= SUFFIX_THRESHOLD for a, b in pos)
    assert all(sim(a, b) < CROSS_THRESHOLD for a, b in neg)
