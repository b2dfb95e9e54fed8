"""Passages and offsets: every passage and section is a slice of the unchanged decoded text."""
from __future__ import annotations

import ingest
from ingest.text import WS


def test_passages_every_passage_is_its_raw_slice(real_corpus):
    assert real_corpus.passages
    for p in real_corpus.passages:
        assert real_corpus.raw(p.doc_id)[p.start:p.end] == p.text, p.id


def test_passages_every_section_starts_with_its_heading(real_corpus):
    for s in real_corpus.sections:
        raw = real_corpus.raw(s.doc_id)
        assert 0 <= s.start < s.end <= len(raw), s.id
        if not s.inferred:
            assert raw[s.start:s.end].startswith(s.number), s.path
            assert s.title in raw[s.start:s.end].split("\n", 1)[0], s.path


def test_passages_passages_never_start_or_end_with_whitespace(real_corpus):
    for p in real_corpus.passages:
        assert p.text and p.text[0] not in WS and p.text[-1] not in WS, p.id


def test_passages_indentation_excluded_from_paragraphs(real_corpus, headless_doc_id):
    raw = real_corpus.raw(headless_doc_id)
    indented = [p for p in real_corpus.passages if p.doc_id == headless_doc_id
                and p.kind == "paragraph" and raw[max(0, p.start - 1)] == " "]
    assert indented, "the headless plan is indented with spaces"
    for p in indented:
        line_start = raw.rfind("\n", 0, p.start) + 1
        assert raw[line_start:p.start].strip() == ""


def test_passages_passage_ids_are_unique(real_corpus):
    ids = [p.id for p in real_corpus.passages]
    assert len(ids) == len(set(ids))
    sids = [s.id for s in real_corpus.sections]
    assert len(sids) == len(set(sids))


def test_passages_ids_identical_across_two_ingests(real_corpus, ingest_cfg, corpora_dir):
    from core.catalog import Catalog
    again = ingest.ingest_corpus(Catalog.load(corpora_dir).documents(), ingest_cfg,
                                 progress=lambda m: None)
    assert [p.id for p in again.passages] == [p.id for p in real_corpus.passages]
    assert [s.id for s in again.sections] == [s.id for s in real_corpus.sections]


def test_passages_passages_fit_the_embedding_window(real_corpus, ingest_cfg):
    limit = ingest_cfg.model_max_tokens
    for p in real_corpus.passages:
        assert len(p.search_text) <= limit, (p.id, len(p.search_text))


def test_passages_passage_section_contains_passage(real_corpus):
    for p in real_corpus.passages:
        sec = real_corpus.section(p.section_id)
        assert sec is not None, p.id
        assert sec.start <= p.start and p.end <= sec.end, (p.id, sec.path)
        assert p.section_path == sec.path


def test_passages_all_prose_is_covered(real_corpus):
    """Every non-blank character is in a passage, a table header, or a spam span."""
    for doc_id, doc in real_corpus.documents.items():
        covered = bytearray(len(doc.raw_text))
        spans = [(p.start, p.end) for p in real_corpus.passages if p.doc_id == doc_id]
        spans += [tuple(p.meta["header_span"]) for p in real_corpus.passages
                  if p.doc_id == doc_id and p.meta.get("header_span")]
        spans += [(s.start, s.end) for s in real_corpus.spam if s.doc_id == doc_id]
        for s, e in spans:
            covered[s:e] = b"\x01" * (e - s)
        missing = [i for i, ch in enumerate(doc.raw_text) if not covered[i] and ch not in WS]
        assert not missing, (doc_id, doc.raw_text[missing[0]:missing[0] + 20])


def test_passages_smaller_model_window_gives_shorter_passages(ingest_cfg, corpora_dir):
    from core.catalog import Catalog
    small = ingest_cfg.replace(model_max_tokens=128)
    c = ingest.ingest_corpus(Catalog.load(corpora_dir).documents(), small, progress=lambda m: None)
    for p in c.passages:
        assert c.raw(p.doc_id)[p.start:p.end] == p.text
        if p.kind != "table_row":
            assert len(p.search_text) <= 128, (p.kind, len(p.search_text))
    for doc_id, doc in c.documents.items():
        covered = bytearray(len(doc.raw_text))
        for s, e in [(p.start, p.end) for p in c.passages if p.doc_id == doc_id] + \
                [(s.start, s.end) for s in c.spam if s.doc_id == doc_id] + \
                [tuple(p.meta["header_span"]) for p in c.passages
                 if p.doc_id == doc_id and p.meta.get("header_span")]:
            covered[s:e] = b"\x01" * (e - s)
        assert all(covered[i] or ch.isspace() for i, ch in enumerate(doc.raw_text))
