"""Plan periods (五年规划: 十三五 = 2016-2020, 十四五 = 2021-2025 …) as a ranking prior.

Planning documents review the last period ("“十三五”成就") before they set the next one's
targets, and both parts use the same vocabulary. A question that names a period (十四五,
or a year such as 2025 that falls in one) prefers passages whose section or table context
is about that period; a question that names none prefers the plan's own period (from its
title, else from its catalog period). Passages whose context names no period are neutral.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np

from core.periods import five_year_name, parse_period, period_names_in, years_in
from core.question import periods as question_periods


def periods_in(text: str) -> set[str]:
    """Period names written in a text (十三五, “十四五”, 第十四个五年规划 …), without years."""
    return period_names_in(text)


def document_periods(title: str, period: str = "") -> set[str]:
    """A plan's own period: named in its title, else the five-year plans its catalog period
    overlaps (2021-2035 -> 十四五, 十五五, 十六五), else those of the years it names."""
    named = period_names_in(title)
    if named:
        return named
    parsed = parse_period(period or "")
    if parsed is not None:
        return parsed.names
    return {n for n in (five_year_name(y) for y in years_in(period or "")) if n}


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
        named = question_periods(query)
        if not named:
            return self._implicit
        q = self._bits(named)
        off = (self._mask != 0) & ((self._mask & q) == 0)
        return np.where(off, 1.0 - self.explicit, 1.0).astype(np.float32)
