"""Indicator matching: what it embeds, and labels shared by several plans scored once."""
from __future__ import annotations

from kg.vocabulary import IndicatorRef
from qa.context import DocInfo, QAContext
from tests.fakes import RecordingEmbedderFake


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


def test_context_matches_per_plan_are_the_whole_ranking_filtered():
    ctx = _ctx(RecordingEmbedderFake())
    ctx.indicators.append(IndicatorRef("i5", ("污水处理率",), ("a", "c", "a")))  # two plans
    ctx = QAContext(docs=ctx.docs, indicators=ctx.indicators, embed=ctx.embed)
    terms = ["城市", "污水", "处理率"]
    whole = ctx.match_indicators(terms)
    assert len(whole) == 5
    for d in ("a", "b", "c", "z"):
        want = [(ref, s) for ref, s in whole if d in ref.doc_ids]
        assert ctx.match_indicators(terms, d) == want
        assert ctx.match_indicators(terms, d) == want        # from the per-plan split
    assert [r.key for r, _ in ctx.match_indicators(terms, "a")].count("i5") == 1


def test_router_encodes_a_questions_texts_in_one_call(mini_ws, monkeypatch):
    """The question's term windows and retrieval queries are encoded together, up front."""
    import qa
    from index.encoders import CachingEmbedder
    from qa.analysis import analyze
    from qa.extractive import queries
    from qa.router import state_for

    class RecordingCache(CachingEmbedder):
        """The real caching embedder over a FAKE model, recording each call's misses."""
        calls: list

        def _encode_misses(self, texts, progress):
            self.calls.append(list(texts))
            return super()._encode_misses(texts, progress)

    emb = RecordingCache(mini_ws.embedder.inner)
    emb.calls = []
    monkeypatch.setattr(mini_ws, "embedder", emb)
    question = "云溪城市居民天然气普及率有什么安排?"
    st = state_for(mini_ws)
    a = analyze(st.ctx, question)
    own = set(st.ctx.window_texts(a.terms)) | {q for d in a.doc_ids for q in queries(a, d)}
    own.add(a.query)
    qa.answer(mini_ws, question)
    touching = [c for c in emb.calls if own & set(c)]
    assert len(touching) == 1 and own <= set(touching[0])
