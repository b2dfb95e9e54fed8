"""Small text helpers for question answering: numbers as written and string-similarity
measures (LCS coverage, character bigrams). The matching form of a text is core.zh.norm;
sentence and clause spans are ingest.sentences'.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from core.zh import norm

CJK = re.compile(r"[\u4e00-\u9fff]")
# a number as written, with its comparator and a short unit (65%, ≥20%, 4座/平方公里, 0.8, 44亿立方米)
NUMBER = re.compile(r"[≤≥<>＜＞]?\d+(?:\.\d+)?\s*(?:%|％|‰|万|亿)?")
UNIT_AFTER = re.compile(r"^(?:%|％|‰|万|亿)?\s*(?:个|座|公里|千米|米|平方公里|平方米|公顷|吨|万吨|"
                        r"立方米|亿立方米|方|户|辆|盏|处|项|条|家|天|年|次|人|元|亿元|万元)"
                        r"(?:/(?:日|天|年|平方公里|人))?")


def has_cjk(text: str) -> bool:
    return bool(CJK.search(text or ""))


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
