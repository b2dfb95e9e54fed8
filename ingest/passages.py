"""Passages (the cited units): paragraphs, list items, sentence windows, table rows, headings.

Every passage is a span of the raw text (text == raw[start:end]) that never contains a spam
span: text around spam is split into separate pieces. Paragraphs longer than the embedding
window are split into enumeration items (一是…二是…) or into overlapping sentence windows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from core.errors import ConfigError
from core.types import Passage, Section, Table, stable_id
from ingest.sentences import sentence_windows
from ingest.text import subtract, trim

CN_NUM = "一二三四五六七八九十"
_ENUM_FAMILIES = (
    ("shi", re.compile(rf"(?:(?<=^)|(?<=[。；;：:，,\s]))([{CN_NUM}]{{1,3}})是")),
    ("paren", re.compile(r"(?:(?<=^)|(?<=[。；;：:，,\s]))[(（](\d{1,2})[)）]")),
    ("circled", re.compile(r"([①②③④⑤⑥⑦⑧⑨⑩])")),
    ("fangmian", re.compile(r"(?:(?<=^)|(?<=[。；;：:，,\s]))(一|另一)方面")),
)


@dataclass(frozen=True)
class Window:
    max_chars: int          # longest passage (characters ~ tokens for Chinese)
    overlap_chars: int      # overlap between consecutive sentence windows
    limit: int = 0          # model window: context + passage should fit (0 = max_chars)

    def __post_init__(self) -> None:
        if self.max_chars < 16:
            raise ConfigError(f"Window max_chars={self.max_chars!r}: must be >= 16")
        if not 0 <= self.overlap_chars < self.max_chars:
            raise ConfigError(f"Window overlap_chars={self.overlap_chars!r}: must be in "
                             f"[0, max_chars={self.max_chars})")

    def budget(self, context: str) -> int:
        """Characters left for a passage whose search text is context + newline + passage."""
        if not self.limit:
            return self.max_chars
        return max(self.max_chars // 2, min(self.max_chars, self.limit - len(context) - 1))


def _num(tok: str) -> int:
    if tok and tok in "①②③④⑤⑥⑦⑧⑨⑩":
        return "①②③④⑤⑥⑦⑧⑨⑩".index(tok) + 1
    if tok.isascii() and tok.isdigit():
        return int(tok)
    if tok in ("一", "另一"):
        return 1 if tok == "一" else 2
    if tok == "十":
        return 10
    if tok.startswith("十"):
        return 10 + CN_NUM.index(tok[1]) + 1
    if tok.endswith("十"):
        return (CN_NUM.index(tok[0]) + 1) * 10
    if "十" in tok:
        return (CN_NUM.index(tok[0]) + 1) * 10 + CN_NUM.index(tok[2]) + 1
    return CN_NUM.index(tok) + 1 if tok in CN_NUM else -1


def enumeration(text: str) -> list[int]:
    """Offsets (into text) of the markers of the longest numbered run 一是/二是…, (1)/(2)…,
    ①②…, 一方面/另一方面; a run starts at 1, or anywhere when its first marker opens the text."""
    best: list[int] = []
    for _, pat in _ENUM_FAMILIES:
        marks = [(m.start(), _num(m.group(1))) for m in pat.finditer(text)]
        for i, (pos, n) in enumerate(marks):
            if n != 1 and text[:pos].strip():
                continue
            run, want = [pos], n + 1
            for p2, n2 in marks[i + 1:]:
                if n2 == want:
                    run.append(p2)
                    want += 1
            if len(run) >= 2 and len(run) > len(best):
                best = run
    return best


class PassageBuilder:
    """Collects passages of one document."""

    def __init__(self, doc_id: str, raw: str, holes: list[tuple[int, int]], window: Window):
        self.doc_id, self.raw, self.holes, self.window = doc_id, raw, holes, window
        self.passages: list[Passage] = []

    def _add(self, kind: str, s: int, e: int, section: Optional[Section], context: str = "",
             meta: Optional[dict] = None) -> None:
        path = section.path if section else ""
        self.passages.append(Passage(
            id=stable_id(self.doc_id, kind, s, e), doc_id=self.doc_id,
            section_id=section.id if section else None, kind=kind, text=self.raw[s:e],
            start=s, end=e, context=context or path, section_path=path, meta=dict(meta or {})))

    def _pieces(self, s: int, e: int) -> list[tuple[int, int]]:
        return subtract(s, e, self.holes, self.raw)

    def heading(self, s: int, e: int, section: Optional[Section], meta: Optional[dict] = None):
        for ps, pe in self._pieces(s, e):
            self._add("heading", ps, pe, section, meta=meta)

    def paragraph(self, s: int, e: int, section: Optional[Section]) -> None:
        pieces = self._pieces(s, e)
        for k, (ps, pe) in enumerate(pieces):
            meta = {"paragraph": [s, e]}
            if len(pieces) > 1 or (ps, pe) != trim(self.raw, s, e):
                meta["spam_split"] = True
            self._long_or_short(ps, pe, section, meta)

    def _long_or_short(self, s: int, e: int, section: Optional[Section], meta: dict) -> None:
        text = self.raw[s:e]
        max_chars = self.window.budget(section.path if section else "")
        marks = enumeration(text)
        items = [(s + a, s + (marks[i + 1] if i + 1 < len(marks) else len(text)))
                 for i, a in enumerate(marks)]
        items = [trim(self.raw, a, b) for a, b in items]
        if e - s <= max_chars:
            if items:
                meta = {**meta, "items": [list(x) for x in items]}
            self._add("paragraph", s, e, section, meta=meta)
            return
        if items:
            pre = trim(self.raw, s, items[0][0])
            if pre[0] < pre[1]:
                self._windows_or_one("paragraph", pre[0], pre[1], section, meta)
            for n, (a, b) in enumerate(items):
                self._windows_or_one("list_item", a, b, section, {**meta, "item": n + 1})
            return
        self._windows_or_one("paragraph", s, e, section, meta)

    def _windows_or_one(self, kind: str, s: int, e: int, section: Optional[Section],
                        meta: dict) -> None:
        max_chars = self.window.budget(section.path if section else "")
        if e - s <= max_chars:
            self._add(kind, s, e, section, meta=meta)
            return
        wins = sentence_windows(self.raw, s, e, max_chars,
                                min(self.window.overlap_chars, max_chars // 4))
        for n, (a, b) in enumerate(wins):
            self._add("sentence-window", a, b, section,
                      meta={**meta, "window": n, "windows": len(wins), "unit": [s, e],
                            "unit_kind": kind})

    def table(self, table: Table, section: Optional[Section]) -> None:
        table_id = table.id
        path = section.path if section else ""
        names = table.header or [f"列{i + 1}" for i in range(max(len(r.full) for r in table.rows))]
        base = {"table_id": table_id, "header": table.header, "caption": table.caption,
                "units": table.units, "unit_column": table.unit_column,
                "header_span": list(table.header_span) if table.header_span else None}
        if table.caption_span:
            self.heading(*table.caption_span, section, meta={"table_id": table_id,
                                                              "caption": True})
        for row in table.rows:
            ctx = [path] if path else []
            if table.caption:
                ctx.append(f"表: {table.caption}")
            if table.header:
                ctx.append("表头: " + "|".join(table.header))
            ctx += [f"{k}: {v}" for k, v in row.filled.items()]
            if row.unit:
                ctx.append(f"单位: {row.unit}")
            meta = {**base, "cells": row.full, "cells_raw": row.cells, "filled": row.filled,
                    "row": row.index, "unit": row.unit,
                    "record": {names[i]: v for i, v in enumerate(row.full) if i < len(names)}}
            for ps, pe in self._pieces(row.start, row.end):
                self._add("table_row", ps, pe, section, context="; ".join(ctx), meta=meta)
