"""The build embeds the reader's indicator labels ahead (index/warm.py): on the real build,
the warm file holds exactly the match labels the reader compares questions with."""
from __future__ import annotations

import pytest

import index
from ingest.sentences import answer_sentences
from kg.vocabulary import target_names
from qa.context import QAContext
from qa.graphview import GraphView

pytestmark = pytest.mark.slow


def test_warm_label_texts_are_the_readers_match_labels(built):
    texts, _ = index.warm_vectors(built.cfg.data_dir / "index")
    labels = QAContext.from_workspace(built, GraphView(built.graph))._distinct_labels()
    assert labels and set(labels) <= set(texts)            # every label the reader embeds
    others = set(answer_sentences(built.corpus.passages)) | set(target_names(built.graph.targets()))
    assert {t for t in texts if t not in others} <= set(labels)   # and no other label
