"""Ingest one document: spam spans, tables (with cell offsets), headings, sections and
passages."""
from __future__ import annotations

from dataclasses import dataclass, field

from core.config import Config
from core.types import Document, Passage, Section, SpamSpan, Table
from ingest.headings import Heading, match_heading
from ingest.passages import PassageBuilder, Window
from ingest.sections import SectionLocator, build_sections, front_matter, infer_sections
from ingest.spam import find_spam, mask
from ingest.tables import find_tables
from ingest.text import Line, split_lines, trim

WINDOW_FRACTION = 0.88      # passages stay below this share of the model window (512 -> 450)
MIN_HEADINGS = 2            # fewer standalone headings than this: infer topic sections


@dataclass
class DocumentResult:
    sections: list[Section] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    spam: list[SpamSpan] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def window_for(cfg: Config) -> Window:
    max_chars = max(32, int(cfg.model_max_tokens * WINDOW_FRACTION))
    return Window(max_chars=max_chars, overlap_chars=max_chars // 5, limit=cfg.model_max_tokens)


def ingest_document(doc: Document, cfg: Config) -> DocumentResult:
    raw = doc.raw_text
    spam = find_spam(raw, doc.id)
    # structure (lines, tables, headings, topics) is read from the masked text, which has the
    # same length as raw: offsets agree, and no spam reaches a cell, title or topic score
    doc.clean_text = clean = mask(raw, spam)
    lines = split_lines(clean)
    tables = find_tables(doc.id, lines)
    in_table: set[int] = set()
    for t in tables:
        in_table.update(range(t.first_line, t.last_line + 1))
        if t.caption_span:
            in_table.update(ln.index for ln in lines if ln.start == t.caption_span[0])
    headings: list[Heading] = []
    heading_line: dict[int, Line] = {}
    paragraphs: list[Line] = []
    for ln in lines:
        if ln.index in in_table:
            continue
        h = match_heading(ln.text, ln.start)
        if h is None:
            paragraphs.append(ln)
        else:
            headings.append(h)
            heading_line[h.start] = ln
    if sum(1 for h in headings if not h.inline) < MIN_HEADINGS:
        # headings were lost (or never there): numbered lines are ordinary paragraphs and
        # the whole text gets inferred topic sections
        paragraphs = sorted(paragraphs + list(heading_line.values()), key=lambda ln: ln.start)
        headings, heading_line = [], {}
        units = [(ln.start, ln.end) for ln in paragraphs]
        units += [(t.caption_span[0] if t.caption_span else t.start, t.end) for t in tables]
        sections = infer_sections(doc.id, clean, sorted(units))
    else:
        sections = build_sections(doc.id, clean, headings,
                                  {s: ln.end for s, ln in heading_line.items()})
        front = trim(clean, 0, headings[0].start)
        if front[0] < front[1]:
            sections.append(front_matter(doc.id, *front))
    sections.sort(key=lambda s: (s.start, s.level))
    locate = SectionLocator(sections)
    holes = [(s.start, s.end) for s in spam]
    builder = PassageBuilder(doc.id, raw, holes, window_for(cfg))
    items: list[tuple[int, str, object]] = [(ln.start, "p", ln) for ln in paragraphs]
    items += [(h.start, "h", h) for h in headings]
    items += [(t.start, "t", t) for t in tables]
    for pos, kind, obj in sorted(items, key=lambda x: x[0]):
        if kind == "p":
            builder.paragraph(obj.start, obj.end, locate.at(obj.start))
        elif kind == "h":
            ln = heading_line[obj.start]
            if obj.inline:
                builder.paragraph(ln.start, ln.end, locate.at(ln.start))
            else:
                sec = locate.at(ln.start)
                builder.heading(ln.start, ln.end, sec, meta={"level": sec.level if sec else 0})
        else:
            builder.table(obj, locate.at(obj.caption_span[0] if obj.caption_span
                                              else obj.start))
    return DocumentResult(sections, builder.passages, spam, tables)
