"""Ingest stage (DESIGN §1-2): documents -> sections, passages, spam spans and tables (cells
with offsets; kg/ reads them), all as [start, end) offsets into each document's unchanged
decoded text.

    corpus = ingest_corpus(docs, cfg, progress=print)
    save(corpus, Path("data/ingest")); corpus = load(Path("data/ingest")); print(report(corpus))
"""
from __future__ import annotations

import time
from typing import Callable, Iterable

from core.config import Config
from core.errors import CorpusError
from core.types import Corpus, Document
from ingest.document import ingest_document
from ingest.report import report
from ingest.sentences import split_sentences
from ingest.store import load, save

__all__ = ["ingest_corpus", "save", "load", "report", "split_sentences"]


def ingest_corpus(docs: Iterable[Document], cfg: Config,
                  progress: Callable[[str], None] = print) -> Corpus:
    docs = list(docs)
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        raise CorpusError(f"ingest: duplicate document ids in {ids}")
    sections, passages, spam, tables = [], [], [], []
    for d in docs:
        t = time.perf_counter()
        res = ingest_document(d, cfg)
        sections += res.sections
        passages += res.passages
        spam += res.spam
        tables += res.tables
        progress(f"ingest {d.id}: {len(res.sections)} sections, {len(res.passages)} passages, "
                 f"{len(res.spam)} spam spans ({time.perf_counter() - t:.2f}s)")
    return Corpus(documents={d.id: d for d in docs}, sections=sections, passages=passages,
                  spam=spam, tables=tables)
