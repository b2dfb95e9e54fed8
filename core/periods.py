"""Plan periods: years, five-year plans (五年规划) and the period a plan covers.

The one home for year <-> period arithmetic and for the patterns that find years and
five-year-plan names in text; every other module calls these functions.

Five-year plans: the 1st covered 1953-1957, the 2nd 1958-1962; 1963-1965 had no plan
(国民经济调整时期); the 3rd began in 1966 and every plan since is the next five-year block
(十四五 = 2021-2025). Plans are named by their number in Chinese numerals (一五 … 十五, 十一五 …
十九五, 二十五 …); this module names plans 1-99 (up to the year 2450) and answers None beyond,
before 1953 and for 1963-1965. No function here raises for any year.

In free text only the unambiguous forms are recognised: 十X五 (十一五 … 十九五, with or without
quotes) and the long form 第N个五年 (any N from 1 to 99). Short forms such as 二十五 or 十五 are
ordinary numbers in Chinese text and are only accepted where a name is expected
(`five_year_span`).
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Optional

from core.zh import nfkc

_DIGITS = "一二三四五六七八九"
FIRST_PLAN = (1953, 1957)
SECOND_PLAN = (1958, 1962)
THIRD_PLAN_START = 1966          # consecutive five-year blocks from here on
MAX_PLAN = 99                    # the largest plan number this module names
YEAR_MIN, YEAR_MAX = 1000, 2999  # what YEAR_RE accepts as a year

# 十一五 … 十九五 (the 11th-19th plans, 2006-2050), as written in running text.
PERIOD_RE = re.compile(r"十[一二三四五六七八九]五")
# 第十四个五年(规划) -> plan 14; any Chinese numeral 1-99.
LONG_RE = re.compile(r"第([一二三四五六七八九十]{1,3})个五年")
# A four-digit year 1000-2999 that is not part of a longer number (1500.5 or 120000 are not years).
YEAR_RE = re.compile(r"(?<![\d.．])([12]\d{3})(?![\d]|[.．]\d)")
# Two years joined by a dash or 至/到: 2021-2025, 2021—2060, 2021年至2035年.
RANGE_RE = re.compile(r"(?<!\d)([12]\d{3})\s*年?\s*[-—–~～至到]+\s*([12]\d{3})(?!\d)\s*年?")


def plan_number(year: int) -> Optional[int]:
    """The number of the five-year plan holding `year` (2023 -> 14), else None."""
    try:
        year = operator.index(year)
    except TypeError:
        return None
    if FIRST_PLAN[0] <= year <= FIRST_PLAN[1]:
        return 1
    if SECOND_PLAN[0] <= year <= SECOND_PLAN[1]:
        return 2
    if year < THIRD_PLAN_START:
        return None
    n = (year - THIRD_PLAN_START) // 5 + 3
    return n if n <= MAX_PLAN else None


def plan_span(n: int) -> Optional[tuple[int, int]]:
    """(first year, last year) of the n-th five-year plan, else None."""
    try:
        n = operator.index(n)
    except TypeError:
        return None
    if not 1 <= n <= MAX_PLAN:
        return None
    if n == 1:
        return FIRST_PLAN
    if n == 2:
        return SECOND_PLAN
    start = THIRD_PLAN_START + 5 * (n - 3)
    return start, start + 4


def _numeral(n: int) -> str:
    """1..99 in Chinese numerals as used in plan names: 4 -> 四, 10 -> 十, 14 -> 十四, 20 -> 二十."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens - 1] + "十")
    return head + (_DIGITS[ones - 1] if ones else "")


def _parse_numeral(s: str) -> Optional[int]:
    """Inverse of _numeral for 1..99 (一, 十, 十四, 二十, 二十三); None otherwise."""
    m = re.fullmatch(r"([一二三四五六七八九])?(十)?([一二三四五六七八九])?", s or "")
    if not m or not s:
        return None
    tens_d, ten, ones_d = m.groups()
    if ten is None:
        # a single digit: 四 (not 四四)
        return _DIGITS.index(tens_d) + 1 if tens_d and not ones_d else None
    tens = _DIGITS.index(tens_d) + 1 if tens_d else 1
    if tens_d == "一":
        return None                       # 一十四 is not how plans are named
    return tens * 10 + (_DIGITS.index(ones_d) + 1 if ones_d else 0)


def plan_name(n: int) -> Optional[str]:
    """Short name of the n-th plan: 14 -> 十四五, 1 -> 一五; None outside 1..MAX_PLAN."""
    if plan_span(n) is None:
        return None
    return _numeral(n) + "五"


def five_year_name(year: int) -> Optional[str]:
    """The five-year plan holding a year: 2021..2025 -> 十四五, 2016..2020 -> 十三五; None before
    1953, in 1963-1965 and beyond the last named plan. Never raises."""
    n = plan_number(year)
    return plan_name(n) if n is not None else None


def plan_number_of(name: str) -> Optional[int]:
    """The plan number of a name: 十四五, “十四五”, 十四五规划, 第十四个五年(规划|计划) -> 14."""
    t = nfkc(name).strip()
    t = re.sub(r"^[\"“”'‘’「」《》\s]+|[\"“”'‘’「」《》\s]+$", "", t)
    m = re.fullmatch(r"第([一二三四五六七八九十]{1,3})个五年(?:规划|计划)?(?:纲要)?", t)
    if m:
        return _parse_numeral(m.group(1))
    m = re.fullmatch(r"([一二三四五六七八九十]{1,3})五(?:规划|计划|时期|期间|期末|末)?", t)
    if m:
        return _parse_numeral(m.group(1))
    return None


def five_year_span(name: str) -> Optional[tuple[int, int]]:
    """(first year, last year) of a plan named 十四五, “十四五”, 第十四个五年 … -> (2021, 2025)."""
    n = plan_number_of(name)
    return plan_span(n) if n is not None else None


def previous_name(name: str) -> Optional[str]:
    """The plan before a named one: 十四五 -> 十三五 (None when there is none)."""
    n = plan_number_of(name)
    return plan_name(n - 1) if n is not None and n > 1 else None


def _names_in_order(text: str) -> list[str]:
    t = nfkc(text)
    found = [(m.start(), m.group(0)) for m in PERIOD_RE.finditer(t)]
    for m in LONG_RE.finditer(t):
        name = plan_name(_parse_numeral(m.group(1)) or 0)
        if name:
            found.append((m.start(), name))
    return [name for _, name in sorted(found)]


def period_names_in(text: str) -> set[str]:
    """Five-year-plan names written in a text (十三五, “十四五”, 第十四个五年规划 …), as short names."""
    return set(_names_in_order(text))


def first_period_name(text: str) -> Optional[str]:
    """The first five-year-plan name written in a text (a plan's title names its own first)."""
    names = _names_in_order(text)
    return names[0] if names else None


def years_in(text: str) -> list[int]:
    """Four-digit years (1000-2999) written in a text, in order (after NFKC)."""
    return [int(y) for y in YEAR_RE.findall(nfkc(text))]


@dataclass(frozen=True)
class PlanPeriod:
    """The years a plan covers (inclusive) and, when it was given as one, its name."""
    start: int
    end: int
    name: Optional[str] = None

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"PlanPeriod: end={self.end} before start={self.start}")

    def contains(self, year: int) -> bool:
        return self.start <= year <= self.end

    @property
    def five_year(self) -> Optional[str]:
        """The plan's name when the period is exactly one five-year plan, else None."""
        name = five_year_name(self.start)
        return name if name and five_year_span(name) == (self.start, self.end) else None

    @property
    def baseline_year(self) -> int:
        """The year a plan's baseline values describe: the year before it starts."""
        return self.start - 1

    @property
    def target_year(self) -> int:
        """The year a plan's targets are set for: its last year."""
        return self.end

    @property
    def names(self) -> set[str]:
        """Names of the five-year plans the period overlaps (2021-2035 -> 十四五, 十五五, 十六五)."""
        return {n for n in (five_year_name(y) for y in range(self.start, self.end + 1)) if n}

    def __str__(self) -> str:
        return f"{self.start}-{self.end}"


def parse_period(text: str) -> Optional[PlanPeriod]:
    """A period from "2021-2025", "2021—2060", "2021年至2035年", "2025", "十四五" or
    "第十四个五年规划"; None for an empty or unreadable text or a range that runs backwards."""
    t = nfkc(text).strip()
    if not t:
        return None
    m = RANGE_RE.search(t)
    if m:
        start, end = int(m.group(1)), int(m.group(2))
        return PlanPeriod(start, end) if start <= end else None
    span = five_year_span(t)
    if span:
        return PlanPeriod(span[0], span[1], plan_name(plan_number_of(t) or 0))
    names = period_names_in(t)
    if len(names) == 1:
        name = next(iter(names))
        s, e = five_year_span(name) or (0, -1)
        return PlanPeriod(s, e, name) if s else None
    years = years_in(t)
    if len(years) == 1 and re.fullmatch(r"\d{4}\s*年?", t):
        return PlanPeriod(years[0], years[0])
    return None


def period_of(text: str) -> Optional[PlanPeriod]:
    """The period a text names: a year range anywhere in it, else one five-year-plan name
    (a plan's title: 《…“十四五”规划》 -> 2021-2025); None otherwise."""
    t = nfkc(text)
    m = RANGE_RE.search(t)
    if m and int(m.group(1)) <= int(m.group(2)):
        return PlanPeriod(int(m.group(1)), int(m.group(2)))
    name = first_period_name(t)
    span = five_year_span(name) if name else None
    return PlanPeriod(span[0], span[1], name) if span else None
