"""Offset helpers shared by the ingest modules: lines and trimmed spans of the raw text.

Everything here returns [start, end) offsets into the unchanged decoded text; nothing is
normalised, so `raw[start:end]` is always the quoted text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# whitespace that never belongs to a passage: ASCII space/tab/CR, ideographic space, NBSP, BOM
WS = " \t\r\n\f\v\u3000\u00a0\ufeff"


@dataclass(frozen=True)
class Line:
    index: int          # 0-based line number in the document
    start: int          # offset of the first non-blank character
    end: int            # offset after the last non-blank character
    text: str           # raw[start:end]


def trim(raw: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it neither starts nor ends with whitespace."""
    while start < end and raw[start] in WS:
        start += 1
    while end > start and raw[end - 1] in WS:
        end -= 1
    return start, end


def split_lines(raw: str) -> list[Line]:
    """Non-blank lines with trimmed offsets (leading indentation is excluded by offsets)."""
    out: list[Line] = []
    for i, m in enumerate(re.finditer(r"[^\n]*(?:\n|$)", raw)):
        if m.start() == m.end() == len(raw) and i > 0:
            break
        s, e = trim(raw, m.start(), m.end())
        if s < e:
            out.append(Line(i, s, e, raw[s:e]))
    return out


def subtract(start: int, end: int, holes: list[tuple[int, int]], raw: str) -> list[tuple[int, int]]:
    """[start, end) minus the (sorted) holes, each remaining piece trimmed; empty pieces dropped.
    Pieces made only of punctuation/separators are dropped too."""
    pieces, cur = [], start
    for hs, he in holes:
        if he <= start or hs >= end:
            continue
        if hs > cur:
            pieces.append((cur, hs))
        cur = max(cur, he)
    if cur < end:
        pieces.append((cur, end))
    out = []
    for s, e in pieces:
        s, e = trim(raw, s, e)
        if s < e and re.search(r"[0-9A-Za-z\u3400-\u9fff]", raw[s:e]):
            out.append((s, e))
    return out
