"""Small text helpers for question answering: normalisation, sentence/clause spans by offset,
numbers, and string-similarity measures (LCS coverage, character bigrams).

Every span helper returns absolute [start, end) offsets into the document's raw text, so a
chosen span can be cited exactly (quote == raw[start:end]).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

CJK = re.compile(r"[\u4e00-\u9fff]")
SENTENCE_END = set("。；;！!？?\n")
CLAUSE_END = set(",，:：")
OPENERS = {"“": "”", "《": "》", "(": ")", "（": "）", "「": "」", "【": "】", "‘": "’"}
SPACE = re.compile(r"\s+")
# a number as written, with its comparator and a short unit (65%, ≥20%, 4座/平方公里, 0.8, 44亿立方米)
NUMBER = re.compile(r"[≤≥<>＜＞]?\d+(?:\.\d+)?\s*(?:%|％|‰|万|亿)?")
UNIT_AFTER = re.compile(r"^(?:%|％|‰|万|亿)?\s*(?:个|座|公里|千米|米|平方公里|平方米|公顷|吨|万吨|"
                        r"立方米|亿立方米|方|户|辆|盏|处|项|条|家|天|年|次|人|元|亿元|万元)"
                        r"(?:/(?:日|天|年|平方公里|人))?")


@lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "").lower()
    t = t.replace("<=", "≤").replace(">=", "≥").replace("=<", "≤").replace("=>", "≥")
    return SPACE.sub("", t)


def norm(text: str) -> str:
    """NFKC, lower case, no whitespace, <= >= written as ≤ ≥ (used for matching only)."""
    return _norm(text or "")


def has_cjk(text: str) -> bool:
    return bool(CJK.search(text or ""))


def _balanced_cut(text: str, ends: set[str]) -> list[tuple[int, int]]:
    """Split `text` after any char in `ends` that is not inside quotes/brackets."""
    spans, stack, start = [], [], 0
    for i, ch in enumerate(text):
        if ch in OPENERS:
            stack.append(OPENERS[ch])
        elif stack and ch == stack[-1]:
            stack.pop()
        elif ch in ends and (not stack or ch == "\n"):
            stack = []
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _trim(raw: str, s: int, e: int, strip: str) -> tuple[int, int]:
    while s < e and (raw[s].isspace() or raw[s] in strip):
        s += 1
    while e > s and (raw[e - 1].isspace() or raw[e - 1] in strip):
        e -= 1
    return s, e


def sentence_spans(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of raw[start:end] (ending at 。；！？ or a newline), trimmed, absolute offsets."""
    out = []
    for s, e in _balanced_cut(raw[start:end], SENTENCE_END):
        a, b = _trim(raw, start + s, start + e, "。；;！!？?")
        if b > a:
            out.append((a, b))
    return out


def clause_spans(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clauses of one sentence (split at commas and colons outside brackets)."""
    out = []
    for s, e in _balanced_cut(raw[start:end], CLAUSE_END):
        a, b = _trim(raw, start + s, start + e, ",，:：。；;")
        if b > a:
            out.append((a, b))
    return out


def numbers(text: str) -> list[str]:
    """Numbers as written, each with its comparator and unit when one follows."""
    return list(_numbers(text))


@lru_cache(maxsize=16384)
def _numbers(text: str) -> tuple[str, ...]:
    out = []
    for m in NUMBER.finditer(text):
        tail = UNIT_AFTER.match(text[m.end():])
        out.append((m.group(0) + (tail.group(0) if tail else "")).strip())
    return tuple(out)


DIGIT = re.compile(r"\d")


def has_number(text: str) -> bool:
    return bool(DIGIT.search(text or ""))


@lru_cache(maxsize=65536)
def lcs_len(a: str, b: str) -> int:
    """Length of the longest common subsequence of two short strings (bit-parallel, Hyyrö
    2004: one big-int step per character of `b`; exact, same result as the textbook table)."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, ch in enumerate(a):
        masks[ch] = masks.get(ch, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for ch in b:
        u = v & masks.get(ch, 0)
        if u:
            v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def lcs_cover(label: str, text: str) -> float:
    """Share of `label`'s characters found, in order, in `text` (1.0 = fully contained)."""
    label, text = norm(label), norm(text)
    return lcs_len(label, text) / len(label) if label else 0.0


def substring_cover(label: str, text: str) -> float:
    """Length of the longest substring of `label` that occurs in `text`, over len(label)."""
    label, text = norm(label), norm(text)
    best = 0
    for i in range(len(label)):
        for j in range(len(label), i + best, -1):
            if label[i:j] in text:
                best = j - i
                break
    return best / len(label) if label else 0.0


@lru_cache(maxsize=4096)
def _bigrams(text: str) -> frozenset:
    t = norm(text)
    grams = {a + b for a, b in zip(t, t[1:])}
    # a bigram counts if either character is CJK
    return frozenset({g for g in grams
                      if "\u4e00" <= g[0] <= "\u9fff" or "\u4e00" <= g[1] <= "\u9fff"})


def bigrams(text: str) -> set[str]:
    return set(_bigrams(text or ""))


def bigram_cover(query: str, text: str) -> float:
    """Share of the query's CJK character bigrams that occur in text."""
    q = _bigrams(query or "")
    return len(q & _bigrams(text or "")) / len(q) if q else 0.0


def unique(items: Iterable) -> list:
    seen, out = set(), []
    for x in items:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out
