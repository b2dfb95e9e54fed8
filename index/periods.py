"""Plan periods (五年规划: 十三五 = 2016-2020, 十四五 = 2021-2025 …) as a ranking prior.

Planning documents review the last period ("“十三五”成就") before they set the next one's
targets, and both parts use the same vocabulary. A question that names a period (十四五,
or a year such as 2025 that falls in one) prefers passages whose section or table context
is about that period; a question that names none prefers the plan's own period (from its
title, else from its catalog period). Passages whose context names no period are neutral.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

import numpy as np

from index.lexical import normalize

_CN = "零一二三四五六七八九"
PERIOD_RE = re.compile(r"十[一二三四五六七八九]五")          # 十一五 … 十九五 (2006-2050)
LONG_RE = re.compile(r"第(十[一二三四五六七八九])个五年")      # 第十四个五年规划 -> 十四五
YEAR_RE = re.compile(r"(?<!\d)(19[6-9]\d|20\d\d)(?!\d)")


def period_of_year(year: int) -> str:
    """Name of the five-year plan period holding a year: 2021..2025 -> 十四五
    (the 3rd plan began in 1966; periods are consecutive five-year blocks since)."""
    n = (year - 1966) // 5 + 3
    if n < 3:
        raise ValueError(f"period_of_year: year={year!r} is before 1966")
    name = (_CN[n] if n < 10 else "十" + (_CN[n - 10] if n > 10 else ""))
    return name + "五"


def periods_in(text: str) -> set[str]:
    """Period names written in a text (十三五, “十四五” …), without years."""
    t = normalize(text)
    return set(PERIOD_RE.findall(t)) | {m + "五" for m in LONG_RE.findall(t)}


def query_periods(query: str) -> set[str]:
    """Periods a question refers to: named ones plus the periods of the years it names."""
    q = normalize(query)
    out = periods_in(q)
    for y in YEAR_RE.findall(q):
        out.add(period_of_year(int(y)))
    return out


def document_periods(title: str, period: str = "") -> set[str]:
    """A plan's own period: named in its title, else the periods of its catalog years."""
    named = periods_in(title)
    if named:
        return named
    years = [int(y) for y in YEAR_RE.findall(period or "")]
    return {period_of_year(y) for y in years}


class PeriodPrior:
    """Per-passage multiplicative factor: 1 for neutral or matching passages,
    1 - penalty for passages whose context names only other periods."""

    def __init__(self, contexts: Sequence[str], doc_ids: Sequence[str],
                 doc_periods: Mapping[str, Iterable[str]],
                 explicit_penalty: float = 0.2, implicit_penalty: float = 0.1):
        for name, v in (("explicit_penalty", explicit_penalty),
                        ("implicit_penalty", implicit_penalty)):
            if not 0.0 <= v < 1.0:
                raise ValueError(f"PeriodPrior: {name}={v!r} must be in [0, 1)")
        if len(contexts) != len(doc_ids):
            raise ValueError("PeriodPrior: contexts and doc_ids differ in length")
        self.explicit, self.implicit = explicit_penalty, implicit_penalty
        tags = [periods_in(c) for c in contexts]
        names = sorted({t for ts in tags for t in ts} |
                       {t for ps in doc_periods.values() for t in ps})
        self._bit = {n: 1 << i for i, n in enumerate(names)}
        self._mask = np.array([self._bits(ts) for ts in tags], dtype=np.int64)
        own = np.array([self._bits(doc_periods.get(d, ())) for d in doc_ids], dtype=np.int64)
        off = (self._mask != 0) & (own != 0) & ((self._mask & own) == 0)
        self._implicit = np.where(off, 1.0 - implicit_penalty, 1.0).astype(np.float32)

    def _bits(self, names: Iterable[str]) -> int:
        b = 0
        for n in names:
            b |= self._bit.get(n, 0)
        return b

    def factors(self, query: str) -> np.ndarray:
        named = query_periods(query)
        if not named:
            return self._implicit
        q = self._bits(named)
        off = (self._mask != 0) & ((self._mask & q) == 0)
        return np.where(off, 1.0 - self.explicit, 1.0).astype(np.float32)
