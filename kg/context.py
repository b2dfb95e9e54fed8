"""What every extractor is given for one plan: the document, its passages (sorted) and tables
(ingest's, with cell offsets), the shared language resources, and lookups from offsets to
passages and section paths."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

from core.periods import PERIOD_RE, first_period_name, five_year_span, parse_period, period_names_in
from core.types import Document, Passage, Table, stable_id
from kg.model import ID
from kg.nlp import Resources

ACHIEVED_SECTION = re.compile(r"成就|成效|回顾|现状|短板|总结|发展基础|工作基础")


def iri(kind: str, *parts: object) -> str:
    return f"{ID}{kind}/{stable_id(kind, *parts, n=16)}"


@dataclass
class DocContext:
    doc: Document
    passages: list[Passage]
    tables: list[Table]
    res: Resources
    _starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.passages = sorted(self.passages, key=lambda p: (p.start, p.end))
        self._starts = [p.start for p in self.passages]

    @cached_property
    def places(self) -> frozenset:
        """Names of the city's divisions, full and short (柯桥区, 柯桥)."""
        divs = self.res.gazetteer.divisions(self.doc.city)
        return frozenset(list(divs) + [self.res.gazetteer.short(n) for n in divs])

    @property
    def raw(self) -> str:
        return self.doc.raw_text

    @property
    def fyp(self) -> str:
        """The plan's own five-year period, e.g. 十四五 (from the title), else ''."""
        return first_period_name(self.doc.title) or ""

    @property
    def start_year(self) -> Optional[int]:
        m = re.match(r"((?:19|20)\d\d)", str(self.doc.meta.get("period", "")))
        if m:
            return int(m.group(1))
        span = five_year_span(self.fyp) if self.fyp else None
        return span[0] if span else None

    @property
    def end_year(self) -> Optional[int]:
        """The plan's last year (2025 of 2021-2025, or of 十四五 in the title)."""
        p = parse_period(str(self.doc.meta.get("period", "")))
        if p:
            return p.target_year
        span = five_year_span(self.fyp) if self.fyp else None
        return span[1] if span else None

    def passage_at(self, start: int, end: int) -> Optional[Passage]:
        """The passage containing [start, end), else the one overlapping it most."""
        i = bisect.bisect_right(self._starts, start) - 1
        best, best_ov = None, 0
        for j in range(max(0, i - 3), min(len(self.passages), i + 4)):
            p = self.passages[j]
            if p.start <= start and end <= p.end:
                return p
            ov = min(end, p.end) - max(start, p.start)
            if ov > best_ov:
                best, best_ov = p, ov
        return best

    def section_path(self, p: Passage) -> str:
        return p.section_path or ""

    def is_achieved_context(self, p: Passage) -> Optional[bool]:
        """True for review sections (十三五成就/现状), False for plan sections, None unknown."""
        path = self.section_path(p)
        if path:
            first = path.split(">")[0]
            periods = period_names_in(first)
            if ACHIEVED_SECTION.search(first) or (periods and self.fyp not in periods):
                return True
            if periods or re.search(r"目标|任务|指标|举措|措施|项目|保障", first):
                return False
        m = re.search(f"({PERIOD_RE.pattern})”?\\s*(期间|时期|以来)", p.text[:20])
        if m and self.fyp and m.group(1) != self.fyp:
            return True
        return None
