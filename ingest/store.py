"""Save/load an ingested Corpus as a folder of plain files:
documents.json (with raw text), sections.jsonl, passages.jsonl, cleaning.json (spam spans),
tables.jsonl (header and row cells with their offsets)."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from core.artifacts import read_json, read_jsonl, write_json, write_jsonl
from core.errors import ArtifactError
from core.types import Corpus, Document, Passage, Section, SpamSpan, Table
from ingest.spam import mask

FORMAT_VERSION = 2          # 2: tables.jsonl


def save(corpus: Corpus, out_dir: Path) -> None:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    docs = [d.to_dict(with_text=True) for d in corpus.documents.values()]
    for d in docs:
        d.pop("clean_text", None)      # recomputed from raw_text + cleaning.json on load
    write_json(out_dir / "documents.json", {"version": FORMAT_VERSION, "documents": docs})
    write_jsonl(out_dir / "sections.jsonl", (asdict(s) for s in corpus.sections))
    write_jsonl(out_dir / "passages.jsonl", (asdict(p) for p in corpus.passages))
    write_json(out_dir / "cleaning.json", {"version": FORMAT_VERSION,
                                           "spam": [asdict(s) for s in corpus.spam]})
    write_jsonl(out_dir / "tables.jsonl", (asdict(t) for t in corpus.tables))


def load(in_dir: Path) -> Corpus:
    in_dir = Path(in_dir)
    meta = read_json(in_dir / "documents.json")
    if not isinstance(meta, dict) or meta.get("version") != FORMAT_VERSION:
        raise ArtifactError(f"{in_dir / 'documents.json'}: unknown ingest format "
                            f"{meta.get('version') if isinstance(meta, dict) else None!r}; "
                            "run `python app.py build --force`")
    docs = {d["id"]: Document(**d) for d in meta["documents"]}
    sections = [Section.from_dict(d) for d in read_jsonl(in_dir / "sections.jsonl")]
    passages = [Passage.from_dict(d) for d in read_jsonl(in_dir / "passages.jsonl")]
    spam = [SpamSpan.from_dict(d) for d in read_json(in_dir / "cleaning.json")["spam"]]
    tables = [Table.from_dict(d) for d in read_jsonl(in_dir / "tables.jsonl")]
    for d in docs.values():
        d.clean_text = mask(d.raw_text, [s for s in spam if s.doc_id == d.id])
    for p in passages:
        doc = docs.get(p.doc_id)
        if doc is None or doc.raw_text[p.start:p.end] != p.text:
            raise ArtifactError(f"{in_dir}: passage {p.id} does not match its document text; "
                                "run `python app.py build --force`")
    for t in tables:
        doc = docs.get(t.doc_id)
        if doc is None or not _cells_match(t, doc.clean_text or ""):
            raise ArtifactError(f"{in_dir}: table {t.id} does not match its document text; "
                                "run `python app.py build --force`")
    return Corpus(documents=docs, sections=sections, passages=passages, spam=spam,
                  tables=tables)


def _cells_match(t: Table, text: str) -> bool:
    """Every header and row cell of `t` is text[start:end] of its span (cells are read from
    the spam-masked text)."""
    pairs = list(zip(t.header, t.header_spans))
    pairs += [(c, s) for r in t.rows for c, s in zip(r.full, r.spans) if s is not None]
    return all(text[s:e] == c for c, (s, e) in pairs)
