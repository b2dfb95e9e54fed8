"""Section tree of a document: from recognised headings, or inferred topics where a region
of the text has no headings (Section.inferred=True, title "[推断] <topic>")."""
from __future__ import annotations

from typing import Optional

from core.types import Section, stable_id
from ingest.headings import Heading, assign_levels
from ingest.text import trim
from ingest.topics import FIELDS, PARTS, assign_fields, assign_parts, blocks

INFERRED_PREFIX = "[推断] "
FRONT_MATTER = "前言"


def build_sections(doc_id: str, raw: str, headings: list[Heading],
                   line_end: dict[int, int]) -> list[Section]:
    """Sections from headings (sorted by offset). A standalone heading's section runs to the
    next heading of the same or a higher rank. An inline heading ("1、lead。body…") inside an
    open section of a higher rank is a numbered paragraph: its section is that paragraph
    (line_end maps its start to the end of its line). Otherwise (it follows a heading of its
    own rank, or opens the text) it is treated like a standalone heading, so no text is left
    outside every section."""
    levels = assign_levels(headings)
    sections: list[Section] = []
    stack: list[tuple[Heading, Section]] = []
    for k, h in enumerate(headings):
        paragraph_only = h.inline and bool(stack) and all(o.rank < h.rank for o, _ in stack)
        while stack and stack[-1][0].rank >= h.rank:
            stack.pop()
        if paragraph_only:
            end = line_end[h.start]
        else:
            nxt = next((o.start for o in headings[k + 1:] if o.rank <= h.rank), len(raw))
            end = trim(raw, h.start, nxt)[1]
        parent = stack[-1][1] if stack else None
        # a parent that was closed early cannot contain this heading
        while parent is not None and parent.end < end:
            stack.pop()
            parent = stack[-1][1] if stack else None
        path = (parent.path + " > " if parent else "") + raw[h.start:h.title_end].strip()
        level = levels[h.rank]
        sec = Section(id=stable_id(doc_id, "section", level, h.start, end), doc_id=doc_id,
                      number=h.number, title=h.title, level=level, start=h.start, end=end,
                      parent=parent.id if parent else None, inferred=False, path=path)
        sections.append(sec)
        if not paragraph_only:
            stack.append((h, sec))
    return sections


def _inferred(doc_id: str, name: str, level: int, start: int, end: int,
              parent: Optional[Section]) -> Section:
    title = INFERRED_PREFIX + name
    return Section(id=stable_id(doc_id, "section", level, start, end), doc_id=doc_id, number="",
                   title=title, level=level, start=start, end=end,
                   parent=parent.id if parent else None, inferred=True,
                   path=(parent.path + " > " if parent else "") + title)


def infer_sections(doc_id: str, raw: str, paragraphs: list[tuple[int, int]]) -> list[Section]:
    """Inferred sections over consecutive paragraphs [(start, end)] of a region without
    headings: level 1 = the plan's parts, level 2 = fields inside the review and the tasks."""
    texts = [raw[s:e] for s, e in paragraphs]
    sections: list[Section] = []
    for a, b, p in blocks(assign_parts(texts)):
        part = _inferred(doc_id, PARTS[p].name, 1, paragraphs[a][0], paragraphs[b][1], None)
        sections.append(part)
        if not PARTS[p].subdivide or b == a:
            continue
        sub = blocks(assign_fields(texts[a:b + 1]))
        if len(sub) < 2:
            continue
        for c, e, f in sub:
            sections.append(_inferred(doc_id, FIELDS[f].name, 2, paragraphs[a + c][0],
                                      paragraphs[a + e][1], part))
    return sections


def front_matter(doc_id: str, start: int, end: int) -> Section:
    """The text before the first heading (title, issuing notice, preface)."""
    return _inferred(doc_id, FRONT_MATTER, 1, start, end, None)


class SectionLocator:
    """Innermost section containing an offset."""

    def __init__(self, sections: list[Section]):
        self._sections = sorted(sections, key=lambda s: (s.start, -s.end, s.level))

    def at(self, pos: int) -> Optional[Section]:
        best = None
        for s in self._sections:
            if s.start > pos:
                break
            if s.start <= pos < s.end and (best is None or s.level >= best.level):
                best = s
        return best
