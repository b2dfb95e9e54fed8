"""Indicator matching: what it embeds, and labels shared by several plans scored once."""
from __future__ import annotations

from index.embedder import HashEmbedderFake
from qa.context import DocInfo, IndicatorRef, QAContext


class RecordingEmbedderFake(HashEmbedderFake):
    """FAKE embedder that records every batch it is asked to encode."""

    def __init__(self):
        super().__init__(dim=32)
        self.batches: list[list[str]] = []

    def encode(self, texts, progress=False):
        self.batches.append(list(texts))
        return super().encode(texts, progress)


def _ctx(emb) -> QAContext:
    docs = {d: DocInfo(d, c, f"{c}市城市管理“十四五”规划", (2021, 2025))
            for d, c in (("a", "温州"), ("b", "湖州"), ("c", "台州"))}
    inds = [IndicatorRef("i1", ("温州市污水处理率",), ("a",)),
            IndicatorRef("i2", ("湖州市污水处理率",), ("b",)),
            IndicatorRef("i3", ("污水处理率", "城市污水处理率"), ("c",)),
            IndicatorRef("i4", ("建成区绿地率",), ("a",))]
    return QAContext(docs=docs, indicators=inds, embed=emb.encode)


def test_context_window_texts_are_what_matching_embeds():
    emb = RecordingEmbedderFake()
    ctx = _ctx(emb)
    ctx.label_vectors()
    emb.batches.clear()
    terms = ["城市", "污水", "处理率"]
    ctx.match_indicators(terms)
    assert emb.batches == [ctx.window_texts(terms)]


def test_context_label_shared_by_plans_is_embedded_once():
    emb = RecordingEmbedderFake()
    ctx = _ctx(emb)
    ctx.label_vectors()
    labels = [t for b in emb.batches for t in b]
    assert labels.count("污水处理率") == 1           # three plans, place names stripped
    assert len(labels) == len(set(labels))


def test_context_indicators_sharing_a_label_score_alike():
    ctx = _ctx(RecordingEmbedderFake())
    scores = dict((ref.key, s) for ref, s in ctx.match_indicators(["污水处理率"]))
    assert scores["i1"] == scores["i2"]
    assert scores["i1"] > scores["i4"]
