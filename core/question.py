"""What a question names, read one way by retrieval (index/query.py) and by the reader
(qa/analysis.py): the plans it names (catalog cities in every spelling, core.zh.city_names,
and the plans' districts by their aliases), whether it asks about every plan (两市, 三市,
各地 …: core/data/question.toml), the years it writes (2025, 二〇二五年), the five-year plans
it names (十四五, 十四五末) and the periods these amount to. Text is given in the matching
form (core.zh.norm).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from core.errors import ConfigError
from core.periods import PERIOD_RE, five_year_name, period_names_in, plan_number_of, years_in
from core.zh import aliases_of, city_names

DATA = Path(__file__).parent / "data" / "question.toml"
CN_DIGITS = "〇一二三四五六七八九"
FIRST_YEAR, LAST_YEAR = 1900, 2099     # the years a question's four digits may name


@lru_cache(maxsize=1)
def _all_plans_re() -> "re.Pattern":
    try:
        return re.compile(tomllib.loads(DATA.read_text(encoding="utf-8"))["all_plans_re"])
    except (OSError, tomllib.TOMLDecodeError, KeyError, re.error) as e:
        raise ConfigError(f"{DATA}: cannot read all_plans_re ({e})") from None


def every_plan(text: str) -> str:
    """The words by which a question asks about every plan (两市, 各地 …), or ''."""
    m = _all_plans_re().search(text)
    return m.group(0) if m else ""


def years(text: str) -> list[int]:
    """Years written in a question: 2025, 2025年, 二〇二五年 (in order, once each); digits are
    read as core.periods.years_in reads them (never out of a longer number: 120000, 2025.5),
    from 1900 to 2099."""
    out = [y for y in years_in(text) if FIRST_YEAR <= y <= LAST_YEAR]
    for m in re.finditer(r"([〇零一二三四五六七八九]{4})年", text):
        out.append(int("".join(str(CN_DIGITS.index(c)) if c != "零" else "0" for c in m.group(1))))
    return list(dict.fromkeys(out))


def five_year(text: str) -> list[tuple[int, str]]:
    """Five-year-plan mentions as (plan number, 'end'|'whole'): 十四五末 -> (14, 'end')."""
    out = []
    for m in re.finditer(f"({PERIOD_RE.pattern})(末|期末|期间|时期)?", text):
        n = plan_number_of(m.group(1))
        if n is not None:
            out.append((n, "end" if m.group(2) in ("末", "期末") else "whole"))
    return out


def periods(text: str) -> set[str]:
    """Periods a question refers to: named ones plus the periods of the years it names, read
    as years() reads them (a year outside every five-year plan adds nothing)."""
    out = period_names_in(text)
    out.update(n for n in (five_year_name(y) for y in years(text)) if n)
    return out


@dataclass
class Named:
    """The places a question names."""
    cities: list[str] = field(default_factory=list)       # catalog cities, first named first
    city_docs: list[str] = field(default_factory=list)    # plans named by their city
    districts: list[tuple[str, str]] = field(default_factory=list)   # (name, doc_id)
    spellings: list[str] = field(default_factory=list)    # city spellings found
    removed: list[str] = field(default_factory=list)      # city spellings, then district aliases
    masked: str = ""                                      # the text without them
    every: str = ""                                       # every-plan words (两市 …), or ''

    def plans(self, all_docs: Sequence[str]) -> list[str]:
        """The plans a question is about: those named by city, else every plan when it says
        so (两市 …), else those of the districts named, else every plan."""
        if self.city_docs:
            return list(dict.fromkeys(self.city_docs))
        if self.districts and not self.every:
            return list(dict.fromkeys(d for _, d in self.districts))
        return list(all_docs)


class PlaceNames:
    """The catalog's cities and the plans' districts, as a question may write them."""

    def __init__(self, doc_cities: Mapping[str, str],
                 districts: Iterable[tuple[str, str, Sequence[str]]] = ()):
        """doc_cities: doc_id -> city; districts: (name as written, doc_id, aliases)."""
        if not doc_cities:
            raise ValueError("PlaceNames: doc_cities is empty")
        self.doc_cities = dict(doc_cities)
        self.cities = city_names(self.doc_cities.items())
        pairs = [(a, name, doc) for name, doc, aliases in districts
                 for a in (tuple(aliases) or aliases_of(name))]
        self.districts = sorted(pairs, key=lambda x: -len(x[0]))

    def find(self, text: str) -> Named:
        out = Named(every=every_plan(text))
        for name in sorted(self.cities, key=len, reverse=True):
            if name in text and not any(name in r for r in out.removed):
                out.removed.append(name)
                for d in self.cities[name]:
                    city = self.doc_cities[d]
                    if city not in out.cities:
                        out.cities.append(city)
                    out.city_docs.append(d)
        out.spellings = list(out.removed)
        out.cities.sort(key=lambda c: min((text.find(x) for x in self.cities if x in text and any(
            self.doc_cities[d] == c for d in self.cities[x])), default=len(text)))
        masked = text
        for r in out.removed:
            masked = masked.replace(r, "")
        for alias, name, doc in self.districts:
            if alias in masked:
                masked = masked.replace(alias, "")
                out.removed.append(alias)
                if (name, doc) not in out.districts:
                    out.districts.append((name, doc))
        out.masked = masked
        return out

