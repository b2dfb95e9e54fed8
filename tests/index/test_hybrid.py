"""Hybrid retriever over the hand-made corpus (FAKE hash embedder isolates the logic)."""
from __future__ import annotations

import numpy as np
import pytest

import index
from core.errors import QuestionError


def _docs(r, hits):
    return [r.corpus.passage(h.passage_id).doc_id for h in hits]


def test_hybrid_city_in_query_restricts_to_that_plan(small_retriever):
    hits = small_retriever.search("乙州智慧灯杆建设", k=5)
    assert hits and set(_docs(small_retriever, hits)) == {"beta"}


def test_hybrid_doc_ids_filter(small_retriever):
    hits = small_retriever.search("智慧灯杆", k=10, doc_ids=["alpha"])
    assert hits and set(_docs(small_retriever, hits)) == {"alpha"}


def test_hybrid_kind_filter(small_retriever):
    hits = small_retriever.search("综合管廊", k=10, kinds=["table_row"])
    assert [small_retriever.corpus.passage(h.passage_id).kind for h in hits] == ["table_row"]


def test_hybrid_headings_excluded_by_default(small_retriever):
    kinds = {small_retriever.corpus.passage(h.passage_id).kind
             for h in small_retriever.search("十四五目标", k=20)}
    assert "heading" not in kinds
    assert "heading" in {small_retriever.corpus.passage(h.passage_id).kind
                         for h in small_retriever.search("十四五目标", k=20,
                                                         kinds=["heading", "paragraph"])}


def test_hybrid_table_row_found_through_its_context(small_retriever):
    hits = small_retriever.search("上虞区综合管廊", k=1)
    assert small_retriever.corpus.passage(hits[0].passage_id).text.startswith("创五路")


def test_hybrid_comparison_interleaves_plans(small_retriever):
    hits = small_retriever.search("甲城和乙州智慧灯杆", k=4)
    assert set(_docs(small_retriever, hits[:2])) == {"alpha", "beta"}


def test_hybrid_search_per_doc(small_retriever):
    per = small_retriever.search_per_doc("智慧灯杆", k=2)
    assert set(per) == {"alpha", "beta"}
    for doc_id, hits in per.items():
        assert hits and set(_docs(small_retriever, hits)) == {doc_id}
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_hybrid_overlapping_windows_deduplicated(small_retriever):
    hits = small_retriever.search("多杆合一", k=10, doc_ids=["alpha"], kinds=["sentence-window"])
    assert len(hits) == 1


def test_hybrid_period_prior_prefers_asked_period(small_retriever):
    top = small_retriever.search("甲城2025年管网漏损率", k=1)[0]
    assert "8%" in small_retriever.corpus.passage(top.passage_id).text


def test_hybrid_short_passage_found_with_neighbours(small_retriever):
    hits = small_retriever.search("综合行政执法局", k=2, doc_ids=["alpha"],
                                  kinds=["paragraph"], mode="lexical")
    assert {small_retriever.corpus.passage(h.passage_id).text for h in hits} == {
        "甲城市综合行政执法局", "2021年8月5日"}
    assert min(h.score for h in hits) > 0


def test_hybrid_embedder_loaded_on_first_dense_query(built_small):
    out, corpus, cfg, emb = built_small
    calls = []

    def factory():
        calls.append(1)
        return emb
    r = index.load_retriever(out, cfg, corpus, embedder_factory=factory)
    assert calls == [] and not r.model_loaded
    r.search("公厕", k=2, mode="lexical")
    assert calls == []
    r.search("公厕", k=2)
    r.search("路灯", k=2)
    assert calls == [1]


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense"])
def test_hybrid_modes_return_ranked_hits(small_retriever, mode):
    hits = small_retriever.search("公共厕所数量", k=3, mode=mode)
    assert [h.rank for h in hits] == [1, 2, 3]
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))


def test_hybrid_rejects_empty_query_and_bad_k(small_retriever):
    with pytest.raises(QuestionError):
        small_retriever.search("  ")
    with pytest.raises(QuestionError):
        small_retriever.search("公厕", k=0)


def test_hybrid_rejects_unknown_mode(small_retriever):
    with pytest.raises(ValueError, match="mode"):
        small_retriever.search("公厕", mode="magic")


def test_hybrid_synonym_expansion_from_graph(small_retriever):
    """供水漏损率 is only an alt label; the expansion reaches the passages of the concept."""
    hits = small_retriever.search("甲城供水漏损率", k=2, mode="lexical")
    assert any("管网漏损率" in small_retriever.corpus.passage(h.passage_id).text for h in hits)


def test_hybrid_district_from_graph_restricts_plan(small_retriever):
    hits = small_retriever.search("上虞区 公厕", k=5)
    assert set(_docs(small_retriever, hits)) == {"alpha"}


def test_hybrid_works_over_hnsw_index(small_corpus, index_cfg, fake_embedder, tmp_path):
    cfg = index_cfg.replace(hnsw_threshold=1)
    index.build_index(small_corpus, cfg, tmp_path / "h", fake_embedder, progress=lambda m: None)
    r = index.load_retriever(tmp_path / "h", cfg, small_corpus, lambda: fake_embedder)
    assert r.dense.kind == "hnsw"
    hits = r.search("乙州公共厕所数量", k=3)
    assert "公共厕所" in r.corpus.passage(hits[0].passage_id).text


def test_hybrid_section_filter(small_retriever):
    beta_section = next(s.id for s in small_retriever.corpus.sections if s.doc_id == "beta")
    hits = small_retriever.search("智慧灯杆", k=10, section=beta_section)
    assert hits and set(_docs(small_retriever, hits)) == {"beta"}
    assert small_retriever.search("智慧灯杆", k=10, section="没有这一节") == []


def test_hybrid_query_vectors_cached(built_small):
    out, corpus, cfg, emb = built_small
    r = index.load_retriever(out, cfg, corpus, lambda: emb)
    r.search("公厕", k=2)
    n = emb.encoded
    r.search("公厕", k=2)
    assert emb.encoded == n
    r.search("路灯", k=2)
    assert emb.encoded == n + 1


def test_hybrid_per_plan_searches_reuse_whole_corpus_scores(small_retriever):
    docs = list(small_retriever.corpus.documents)
    q = "生活垃圾分类"
    together = small_retriever.search_per_doc(q, k=3, doc_ids=docs)
    small_retriever._scache.clear()
    one_by_one = {d: small_retriever.search(q, k=3, doc_ids=[d]) for d in docs}
    assert {("lex", q), ("dense", q)} <= set(small_retriever._scache)
    for d in docs:
        assert [h.passage_id for h in one_by_one[d]] == [h.passage_id for h in together[d]]


def test_hybrid_mask_by_plan_and_kind_matches_a_plain_test(small_retriever):
    r = small_retriever
    docs = np.array([p.doc_id for p in r.passages])
    kinds = np.array([p.kind for p in r.passages])
    plans = sorted(set(docs.tolist()))
    assert len(plans) >= 2
    for doc_ids in ([plans[0]], plans, [plans[1], "no-such-plan"], []):
        for ks in (None, ["table_row"], ["paragraph", "heading"]):
            want = np.isin(docs, doc_ids) & (np.isin(kinds, ks) if ks is not None
                                             else kinds != "heading")
            assert (r.mask(doc_ids, ks) == want).all()
            assert (r.mask(doc_ids, ks) == want).all()     # again, from the cached rows
    assert (r.mask() == (kinds != "heading")).all()


def test_hybrid_prepare_plans_keeps_each_plans_rows(small_retriever):
    r = small_retriever
    plans = sorted({p.doc_id for p in r.passages})
    kinds = sorted({p.kind for p in r.passages} - {"heading"})    # = the default, spelled out
    before = {d: r.search("垃圾回收利用率", doc_ids=[d], kinds=kinds)
              for d in plans}                                  # not through the kept rows
    r.prepare_plans(plans)
    for d in plans:
        assert (r._plan_rows[d] == np.flatnonzero(r.mask([d]))).all()
        assert r.search("垃圾回收利用率", doc_ids=[d]) == before[d]
