"""Ingest stage (DESIGN §1-2): documents -> sections, passages, spam spans and tables (cells
with offsets; kg/ reads them), all as [start, end) offsets into each document's unchanged
decoded text.

    corpus = ingest_corpus(docs, cfg, progress=print)
    save(corpus, Path("data/ingest")); corpus = load(Path("data/ingest")); print(report(corpus))
"""
from __future__ import annotations

import time
from typing import Callable, Iterable, Sequence

from core.config import Config
from core.errors import CorpusError
from core.types import Corpus, Document
from ingest.document import DocumentResult, ingest_document
from ingest.report import report
from ingest.sentences import split_sentences
from ingest.store import load, save

__all__ = ["DocumentResult", "assemble", "check_ids", "ingest_corpus", "ingest_one", "save", "load",
           "report", "split_sentences"]


def check_ids(docs: Sequence[Document]) -> None:
    """Refuse two documents with one id (before any is ingested)."""
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        raise CorpusError(f"ingest: duplicate document ids in {ids}")


def ingest_one(doc: Document, cfg: Config,
               progress: Callable[[str], None] = print) -> DocumentResult:
    """One document's sections, passages, spam spans and tables (sets doc.clean_text)."""
    t = time.perf_counter()
    res = ingest_document(doc, cfg)
    progress(f"ingest {doc.id}: {len(res.sections)} sections, {len(res.passages)} passages, "
             f"{len(res.spam)} spam spans ({time.perf_counter() - t:.2f}s)")
    return res


def assemble(docs: Sequence[Document], parts: Sequence[DocumentResult]) -> Corpus:
    """The corpus of docs, in their order, from each one's ingest_one result (parts[i] is
    docs[i]'s; the documents as ingested, which carry their clean_text)."""
    check_ids(docs)
    if len(parts) != len(docs):
        raise ValueError(f"assemble: {len(parts)} ingest results for {len(docs)} documents")
    return Corpus(documents={d.id: d for d in docs},
                  sections=[s for p in parts for s in p.sections],
                  passages=[x for p in parts for x in p.passages],
                  spam=[s for p in parts for s in p.spam],
                  tables=[t for p in parts for t in p.tables])


def ingest_corpus(docs: Iterable[Document], cfg: Config,
                  progress: Callable[[str], None] = print) -> Corpus:
    docs = list(docs)
    check_ids(docs)
    return assemble(docs, [ingest_one(d, cfg, progress) for d in docs])
