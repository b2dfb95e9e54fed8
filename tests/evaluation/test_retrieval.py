"""Retrieval evaluation: gold spans, hit logic, metrics, fixed-size chunk baselines."""
from __future__ import annotations

import pytest

from evaluation.retrieval import (
    Chunk,
    ChunkBM25,
    aggregate,
    chunk_documents,
    first_hit_rank,
    gold_spans,
    overlaps,
    question_metrics,
    retrieval_questions,
)

RAW = {"a": "甲城生活垃圾回收利用率达到65%。甲城公厕改造。", "b": "乙州公厕4座/平方公里。"}


def test_retrieval_gold_spans_every_occurrence_in_its_doc():
    raw = {"a": "公厕。公厕。", "b": "公厕。"}
    assert gold_spans(raw, [{"doc": "a", "quote": "公厕"}]) == [("a", 0, 2), ("a", 3, 5)]
    assert gold_spans(raw, [{"doc": "c", "quote": "公厕"}, {"doc": "a", "quote": "宁波"}]) == []


def test_retrieval_overlap_needs_same_doc_and_shared_characters():
    assert overlaps(("a", 0, 5), ("a", 4, 9))
    assert not overlaps(("a", 0, 5), ("a", 5, 9))          # touching is not overlapping
    assert not overlaps(("a", 0, 5), ("b", 0, 5))


def test_retrieval_first_hit_rank_and_per_doc():
    gold = [("a", 10, 20), ("b", 0, 4)]
    ranked = [("a", 0, 5), ("b", 2, 8), ("a", 15, 30)]
    assert first_hit_rank(ranked, gold) == 2
    assert first_hit_rank(ranked, gold, doc="a") == 3
    assert first_hit_rank([("a", 0, 5)], gold) is None


def test_retrieval_question_metrics():
    gold = [("a", 10, 20), ("b", 0, 4)]
    m = question_metrics([("a", 0, 5), ("a", 12, 14)] + [("a", 50, 60)] * 3 + [("b", 0, 1)],
                         gold, comparison=True)
    assert m["recall@1"] == 0.0 and m["recall@5"] == 1.0 and m["mrr@10"] == 0.5
    assert m["both_cities@5"] == 0.0 and m["both_cities@10"] == 1.0
    assert "both_cities@5" not in question_metrics([], gold, comparison=False)


def test_retrieval_aggregate_by_type():
    rep = aggregate([("fact", {"recall@1": 1.0}), ("fact", {"recall@1": 0.0}),
                     ("list", {"recall@1": 1.0})])
    assert rep["overall"]["recall@1"] == pytest.approx(2 / 3, abs=1e-4)
    assert rep["by_type"]["fact"] == {"questions": 2, "recall@1": 0.5}


def test_retrieval_questions_skip_abstain_and_count_unlocated():
    qs = [{"type": "abstain", "evidence": []},
          {"type": "fact", "evidence": [{"doc": "a", "quote": "公厕改造"}]},
          {"type": "fact", "evidence": [{"doc": "a", "quote": "不存在的句子"}]}]
    keep, unlocated = retrieval_questions(qs, RAW)
    assert len(keep) == 1 and unlocated == 1


def test_retrieval_chunks_skip_spam_and_keep_raw_spans():
    raw = {"a": "一二三四五SPAM六七八九十"}
    chunks = chunk_documents(raw, {"a": [(5, 9)]}, size=4, overlap=1)
    assert all("SPAM" not in c.text for c in chunks)
    assert chunks[0] == Chunk("a", 0, 4, "一二三四")
    joined = [c for c in chunks if "五" in c.text and "六" in c.text][0]
    assert raw["a"][joined.start:joined.end].replace("SPAM", "") == joined.text


def test_retrieval_chunks_overlap_and_cover_text():
    raw = {"a": "".join(chr(0x4e00 + i) for i in range(700))}
    chunks = chunk_documents(raw, {})
    assert [c.start for c in chunks[:3]] == [0, 250, 500]
    assert chunks[-1].end == 700 and all(len(c.text) <= 300 for c in chunks)


def test_retrieval_bm25_baseline_finds_its_chunk():
    chunks = chunk_documents(RAW, {}, size=12, overlap=2)
    spans = ChunkBM25(chunks).search("乙州公厕", k=1)
    assert spans[0][0] == "b"
