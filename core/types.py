"""Core typed dataclasses of every stage (DESIGN §2, §5). Offsets are [start, end) into
Document.raw_text (the decoded, unchanged source file)."""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Optional, get_args

# What a passage is (ingest/passages.py makes every kind) and what an answer is (qa/ gives
# every kind; "none" is an abstention). Plain strings at run time, checked by type checkers.
PassageKind = Literal["paragraph", "table_row", "list_item", "sentence-window", "heading"]
AnswerKind = Literal["indicator", "comparison", "list", "passage", "arithmetic", "none"]
PASSAGE_KINDS: tuple[str, ...] = get_args(PassageKind)
ANSWER_KINDS: tuple[str, ...] = get_args(AnswerKind)


def stable_id(*parts: object, n: int = 12) -> str:
    """Short deterministic id from its parts (same corpus -> same ids across builds)."""
    h = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return h[:n]


@dataclass
class Document:
    id: str                      # catalog id, e.g. "shaoxing"
    city: str                    # 绍兴
    title: str
    raw_text: str                # decoded unchanged file content
    sha256: str                  # of the file bytes
    file: str = ""               # file name inside corpora/
    encoding: str = "utf-8"
    meta: dict[str, Any] = field(default_factory=dict)   # issuer, issued, period, source
    clean_text: Optional[str] = None

    def to_dict(self, with_text: bool = False) -> dict:
        d = asdict(self)
        if not with_text:
            d.pop("raw_text")
            d.pop("clean_text")
        return d


@dataclass
class Section:
    id: str
    doc_id: str
    number: str                  # "四、", "(二)", "3、", "" for inferred sections
    title: str
    level: int                   # 1 = 一、, 2 = (一), 3 = 1、, 4 = (1)
    start: int
    end: int
    parent: Optional[str] = None
    inferred: bool = False       # True when the heading was inferred from content
    path: str = ""               # "四、… > (二)… > 3、…"

    @classmethod
    def from_dict(cls, d: dict) -> "Section":
        return cls(**d)


@dataclass
class Passage:
    id: str
    doc_id: str
    section_id: Optional[str]
    kind: PassageKind
    text: str                    # == raw_text[start:end]
    start: int
    end: int
    context: str = ""            # retrieval context (section path, table header/category)
    section_path: str = ""
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. table cells, header

    @property
    def search_text(self) -> str:
        """Text used for indexing: context + the passage text."""
        return f"{self.context}\n{self.text}" if self.context else self.text

    @classmethod
    def from_dict(cls, d: dict) -> "Passage":
        return cls(**d)


@dataclass
class SpamSpan:
    doc_id: str
    start: int
    end: int
    text: str
    reason: str

    @classmethod
    def from_dict(cls, d: dict) -> "SpamSpan":
        return cls(**d)


Span = tuple[int, int]


def _span(v: Optional[list[int]]) -> Optional[Span]:
    """A span read back from JSON (a list) as a tuple."""
    return (v[0], v[1]) if v is not None else None


@dataclass
class TableRow:
    """One data row of a table (ingest/tables.py); a row broken over lines is one row."""
    start: int                      # offsets of the row's line(s)
    end: int
    cells: list[str]                # as written
    full: list[str]                 # left-filled to the header width
    spans: list[Optional[Span]]     # aligned with full: raw[s:e] == cell; None when filled
    filled: dict[str, str]          # header name -> value taken from the row above
    index: int                      # 0-based data-row index
    unit: str = ""

    @classmethod
    def from_dict(cls, d: dict) -> "TableRow":
        return cls(**{**d, "spans": [_span(s) for s in d["spans"]]})


@dataclass
class Table:
    """A table of a plan (ingest/tables.py): header, rows and caption, with offsets."""
    id: str
    doc_id: str
    first_line: int                 # line numbers (0-based) of the first and last table line
    last_line: int
    start: int
    end: int
    header: list[str]               # [] when the first row holds a number (no header)
    header_spans: list[Span] = field(default_factory=list)   # aligned with header
    header_span: Optional[Span] = None
    rows: list[TableRow] = field(default_factory=list)
    caption: str = ""
    caption_span: Optional[Span] = None
    units: dict[str, str] = field(default_factory=dict)   # column -> unit
    unit_column: Optional[int] = None

    @classmethod
    def from_dict(cls, d: dict) -> "Table":
        return cls(**{**d, "header_spans": [_span(s) for s in d["header_spans"]],
                      "header_span": _span(d["header_span"]),
                      "caption_span": _span(d["caption_span"]),
                      "rows": [TableRow.from_dict(r) for r in d["rows"]]})


@dataclass
class Hit:
    passage_id: str
    score: float
    rank: int = 0
    source: str = ""             # bm25 | dense | hybrid


@dataclass
class Citation:
    doc: str
    city: str
    section: str
    passage_id: str
    start: int
    end: int
    quote: str

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    found: bool
    answer: str
    kind: AnswerKind
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    id: Optional[str] = None
    related: list[Citation] = field(default_factory=list)   # nearest passages when not found
    details: dict[str, Any] = field(default_factory=dict)   # e.g. per-city positions

    def to_dict(self) -> dict:
        d = {"id": self.id, "question": self.question, "found": self.found,
             "answer": self.answer, "kind": self.kind,
             "confidence": round(float(self.confidence), 3),
             "citations": [c.to_dict() for c in self.citations]}
        if self.related:
            d["related"] = [c.to_dict() for c in self.related]
        if self.details:
            d["details"] = self.details
        return d


@dataclass
class Corpus:
    """Output of the ingest stage: documents with their sections, passages, spam spans and
    tables."""
    documents: dict[str, Document]
    sections: list[Section] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    spam: list[SpamSpan] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._pidx = {p.id: p for p in self.passages}
        self._sidx = {s.id: s for s in self.sections}

    def passage(self, pid: str) -> Passage:
        return self._pidx[pid]

    def section(self, sid: Optional[str]) -> Optional[Section]:
        return self._sidx.get(sid) if sid else None

    def raw(self, doc_id: str) -> str:
        return self.documents[doc_id].raw_text

    def citation(self, passage: Passage, start: Optional[int] = None,
                 end: Optional[int] = None) -> Citation:
        """A citation of a passage or of a sub-span [start, end) inside it."""
        s = passage.start if start is None else start
        e = passage.end if end is None else end
        doc = self.documents[passage.doc_id]
        return Citation(doc=doc.id, city=doc.city, section=passage.section_path,
                        passage_id=passage.id, start=s, end=e, quote=doc.raw_text[s:e])
