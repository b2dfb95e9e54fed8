"""Sentence and label vectors of the index stage: what is embedded, written and loaded."""
from __future__ import annotations

import numpy as np
import pytest

import index
from core.errors import ArtifactError
from index.warm import warm_texts
from ingest.sentences import answer_sentences
from tests.fakes import IndexGraphFake
from tests.index.conftest import make_corpus


def test_warm_texts_hold_every_answer_sentence_and_no_heading():
    c = make_corpus()
    texts = warm_texts(c, None)
    assert texts == answer_sentences(c.passages)
    assert "城市供水管网漏损率下降到10%,生活垃圾分类覆盖率达到88%" in texts   # cut, no 。
    row = next(p for p in c.passages if p.kind == "table_row")
    assert row.text in texts                                            # a table row whole
    assert not any("成就" in t for t in texts)                          # headings skipped


def test_warm_texts_hold_labels_without_the_plans_place_names():
    c = make_corpus()
    g = IndexGraphFake(indicators=[("上虞区污水处理率", ["甲城管网漏损率"]), ("率", [])],
                       districts={"alpha": ["上虞区"]})
    labels = warm_texts(c, g)[len(answer_sentences(c.passages)):]
    assert labels == ["污水处理率", "管网漏损率"]          # place names out, 1-char labels none


def test_warm_vectors_written_recorded_and_loaded(built_small):
    out, corpus, cfg, emb = built_small
    entry = index.describe(out)["warm"]
    texts, vecs = index.warm_vectors(out)
    assert entry["texts"] == len(texts) == vecs.shape[0] and entry["file"] == "warm_vectors.npz"
    assert np.allclose(vecs, emb.encode(texts), atol=1e-6)


def test_warm_vectors_unreadable_file_is_an_artifact_error(built_small):
    out = built_small[0]
    (out / "warm_vectors.npz").write_bytes(b"not a zip")
    with pytest.raises(ArtifactError, match="warm_vectors"):
        index.warm_vectors(out)
