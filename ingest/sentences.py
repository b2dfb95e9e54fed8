"""Sentence splitting and sentence windows, by offsets: the one home of both cuts.

- split_sentences(text, base_offset) -> [(start, end)] absolute offsets, the units passages
  are windowed from; sentences end at 。；！？ ; ! ? (and …), never inside “” ‘’ 「」 『』 ()
  （） 《》 【】; a closing quote or bracket right after the terminator stays with its
  sentence. Whitespace between sentences is excluded.
- sentence_spans / clause_spans: the finer cut answers quote (a line break ends a sentence
  too, the terminator is left out; never inside the same brackets), and
  answer_sentences(passage): the texts a reader scores and the index stage embeds at build
  time (table rows whole, headings none).
"""
from __future__ import annotations

from core.types import Passage
from ingest.text import WS

TERMINATORS = set("。；！？;!?…")
OPEN_CLOSE = {"“": "”", "‘": "’", "「": "」", "『": "』", "(": ")", "（": "）", "《": "》",
              "【": "】", "〈": "〉"}
CLOSERS = {v: k for k, v in OPEN_CLOSE.items()}
CLAUSE_BREAKS = set("，,、：:")
MAX_QUOTED = 300     # a "sentence" longer than this inside brackets means unbalanced brackets


def _split(text: str, aware: bool) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    stack: list[str] = []
    start = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if aware and ch in OPEN_CLOSE and not (ch == "‘" and stack[-1:] == ["‘"]):
            stack.append(ch)
        elif aware and ch in CLOSERS:
            if CLOSERS[ch] in stack:
                while stack and stack.pop() != CLOSERS[ch]:
                    pass
        elif ch in TERMINATORS and not stack:
            j = i + 1
            while j < n and (text[j] in TERMINATORS or text[j] in CLOSERS):
                j += 1
            spans.append((start, j))
            start = j
            i = j
            continue
        i += 1
    if start < n:
        spans.append((start, n))
    return spans


def _trim(text: str, s: int, e: int, strip: str = "") -> tuple[int, int]:
    """text[s:e] without leading and trailing whitespace (ingest.text.WS) and `strip` chars."""
    while s < e and (text[s] in WS or text[s] in strip):
        s += 1
    while e > s and (text[e - 1] in WS or text[e - 1] in strip):
        e -= 1
    return s, e


def _trimmed(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(a, b) for a, b in (_trim(text, s, e) for s, e in spans) if a < b]


def split_sentences(text: str, base_offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of `text`, shifted by base_offset (so pass the passage's start)."""
    spans = []
    for s, e in _split(text, aware=True):
        if e - s > MAX_QUOTED and any(c in TERMINATORS for c in text[s:e - 1]):
            spans += [(s + a, s + b) for a, b in _split(text[s:e], aware=False)]
        else:
            spans.append((s, e))
    return [(s + base_offset, e + base_offset) for s, e in _trimmed(text, spans)]


def split_long(text: str, base: int, max_chars: int) -> list[tuple[int, int]]:
    """Break one over-long sentence at clause punctuation, else at max_chars (never dropping
    text)."""
    out, s, n = [], 0, len(text)
    while n - s > max_chars:
        cut = max((i + 1 for i in range(s + max_chars // 2, s + max_chars)
                   if text[i] in CLAUSE_BREAKS), default=s + max_chars)
        out.append((s, cut))
        s = cut
    out.append((s, n))
    return [(base + a, base + b) for a, b in _trimmed(text, out)]


def sentence_windows(raw: str, start: int, end: int, max_chars: int,
                     overlap_chars: int) -> list[tuple[int, int]]:
    """Windows of whole sentences covering [start, end): each <= max_chars (unless one
    sentence piece is longer, which split_long prevents), consecutive windows share at least
    one sentence or `overlap_chars` of trailing sentences. The union covers every sentence."""
    units: list[tuple[int, int]] = []
    for s, e in split_sentences(raw[start:end], start):
        units += split_long(raw[s:e], s, max_chars) if e - s > max_chars else [(s, e)]
    if not units:
        return []
    windows, i = [], 0
    while i < len(units):
        j = i
        while j + 1 < len(units) and units[j + 1][1] - units[i][0] <= max_chars:
            j += 1
        windows.append((units[i][0], units[j][1]))
        if j == len(units) - 1:
            break
        # next window starts with trailing sentences of this one (overlap), always advancing
        k = j
        while k - 1 > i and units[j][1] - units[k - 1][0] <= overlap_chars:
            k -= 1
        if units[j + 1][1] - units[k][0] > max_chars:
            k = j + 1 if units[j + 1][1] - units[j][0] > max_chars else j
        i = k if k > i else i + 1
    return windows


# ---- the cut answers quote --------------------------------------------------------------
ANSWER_END = set("。；;！!？?\n")
CLAUSE_END = set(",，:：")


def _balanced_cut(text: str, ends: set[str]) -> list[tuple[int, int]]:
    """Split `text` after any char in `ends` that is not inside quotes/brackets (OPEN_CLOSE)."""
    spans, stack, start = [], [], 0
    for i, ch in enumerate(text):
        if ch in OPEN_CLOSE:
            stack.append(OPEN_CLOSE[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
        elif ch in ends and (not stack or ch == "\n"):
            stack = []
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _spans(raw: str, start: int, end: int, cut: set[str], strip: str) -> list[tuple[int, int]]:
    """Pieces of raw[start:end] cut at `cut` outside brackets, trimmed of space and `strip`,
    as absolute offsets; empty pieces dropped."""
    out = []
    for s, e in _balanced_cut(raw[start:end], cut):
        a, b = _trim(raw, start + s, start + e, strip)
        if b > a:
            out.append((a, b))
    return out


def sentence_spans(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of raw[start:end] (ending at 。；！？ or a newline), trimmed, absolute offsets."""
    return _spans(raw, start, end, ANSWER_END, "。；;！!？?")


def clause_spans(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clauses of one sentence (split at commas and colons outside brackets)."""
    return _spans(raw, start, end, CLAUSE_END, ",，:：。；;")


def answer_spans(p: Passage) -> list[tuple[int, int]]:
    """[start, end) within p.text of the sentences a reader scores: a table row whole, a
    heading none, else sentence_spans."""
    if p.kind == "heading":
        return []
    if p.kind == "table_row":
        return [(0, len(p.text))]
    return sentence_spans(p.text, 0, len(p.text))


def answer_sentences(passages) -> list[str]:
    """The distinct texts of answer_spans over passages, in order."""
    return list(dict.fromkeys(p.text[s:e] for p in passages for s, e in answer_spans(p)))
