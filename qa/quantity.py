"""Numbers with units, as the plans write them: parsed for comparison and arithmetic, and the
unit family a question asks for (多少辆 -> count, 多少钱 -> money). Families and words are
data (qa/data/cues.toml [units], [quantity]).

    parse_value("≥98%")        -> Quantity(98.0, "%", "percent", "≥")
    parse_value("12.13万盏")   -> Quantity(121300.0, "盏", "count", "=")
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from core.zh import nfkc
from qa.lexicon import Lexicon

NUM = re.compile(r"([≤≥<>＜＞]|不低于|不少于|不超过|不高于|超过|达到|以上|约)?\s*(\d+(?:\.\d+)?)\s*(万|亿)?")
SCALE = {"万": 1e4, "亿": 1e8, None: 1.0, "": 1.0}
COMPARATORS = {"≤": "≤", "<": "<", "＜": "<", "≥": "≥", ">": ">", "＞": ">", "不低于": "≥",
               "不少于": "≥", "不超过": "≤", "不高于": "≤", "超过": ">", "以上": "≥", "达到": "=",
               "约": "≈"}


@dataclass(frozen=True)
class Quantity:
    value: float                 # in the unit below (万/亿 applied, except to 万吨/亿元 units)
    unit: str                    # as written after the number ("%", "座", "亿元", "吨/日")
    family: str                  # percent | money | length | count | … | "" (unknown)
    comparator: str = "="
    text: str = ""               # the number as written


def _units(lex: Lexicon) -> tuple[tuple[str, str], ...]:
    return lex.units


def unit_family(unit: str, lex: Lexicon) -> str:
    u = nfkc(unit or "").strip()
    for w, fam in _units(lex):
        if u.startswith(nfkc(w)):
            return fam
    return ""


def parse_value(text: str, lex: Lexicon) -> Optional[Quantity]:
    """The first number of a value text with its comparator and unit, or None."""
    t = nfkc(text or "")
    m = NUM.search(t)
    if not m:
        return None
    comp = COMPARATORS.get(m.group(1) or "", "=")
    value = float(m.group(2))
    written_scale = m.group(3) or ""          # 万 / 亿 as written after the number
    tail = t[m.end():m.end() + 10]
    unit, in_unit = "", False
    for w, _fam in _units(lex):
        wn = nfkc(w)
        if written_scale and (written_scale + tail).startswith(wn):
            unit, in_unit = wn, True          # 万吨, 亿元, 亿立方米: the scale is part of the unit
            break
        if tail.lstrip().startswith(wn):
            unit = wn
            break
    used = len(unit) - (len(written_scale) if in_unit else 0)     # characters of tail the unit took
    after = re.match(r"\s*(以上|以内|以下)", tail.lstrip()[used:])
    if after:
        comp = "≥" if after.group(1) == "以上" else "≤"
    if not in_unit:
        value *= SCALE[written_scale]
    number = m.group(0).strip()
    if in_unit:
        number = number[:len(number) - len(written_scale)]
    return Quantity(value, unit, unit_family(unit, lex) if unit else "", comp, number + unit)


def asked_family(question: str, lex: Lexicon) -> tuple[str, str]:
    """(family, cue word) of the quantity a question asks for; ("", "") when none is named.
    A unit written after 多少/几 (多少辆) wins over words elsewhere in the question."""
    q = nfkc(question or "")
    m = re.search(r"(?:多少|几)(万|亿)?([^\s,?？。的]{1,4})", q)
    if m:
        after = (m.group(1) or "") + m.group(2)
        for w, fam in _units(lex):
            if after.startswith(nfkc(w)):
                return fam, w
    best = ("", "")
    for fam, words in lex.cues.get("quantity", {}).items():
        for w in words:
            if w in q and len(w) > len(best[1]):
                best = (fam, w)
    return best


def format_number(x: float) -> str:
    """2.0 -> "2", 1.7700000001 -> "1.77"."""
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s
