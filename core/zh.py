"""Chinese text forms shared by every stage: width and case folding, the matching form of a
text, and place names with their administrative suffixes. One home for each (periods and
years are in core/periods.py).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

SPACE = re.compile(r"\s+")
ADMIN_SUFFIX = ("市", "区", "县", "镇", "街道", "乡")


def nfkc(text: str) -> str:
    """Full width -> half width (２０２５ -> 2025, ％ -> %), compatibility forms folded."""
    return unicodedata.normalize("NFKC", text or "")


def fold(text: str) -> str:
    """NFKC and lower case (the form tokenizers see)."""
    return nfkc(text).lower()


@lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    t = fold(text)
    t = t.replace("<=", "≤").replace(">=", "≥").replace("=<", "≤").replace("=>", "≥")
    return SPACE.sub("", t)


def norm(text: str) -> str:
    """The matching form: NFKC, lower case, no whitespace, <= >= written as ≤ ≥."""
    return _norm(text or "")


QUOTES = re.compile(r"[\s“”\"'‘’「」『』]")


def name_key(text: str) -> str:
    """The comparison form of names and titles: NFKC, no whitespace or quotes."""
    return QUOTES.sub("", nfkc(text))


def aliases_of(name: str) -> tuple[str, ...]:
    """越城区 -> (越城区, 越城); 诸暨市 -> (诸暨市, 诸暨); short names stay whole."""
    out = [name]
    for suf in ADMIN_SUFFIX:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            out.append(name[: -len(suf)])
    return tuple(dict.fromkeys(out))


def city_names(cities: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Every way of writing each plan's city ((doc id, city) pairs: 绍兴, 绍兴市) -> the
    document ids; two cities also by their first characters (杭绍 = 杭州 and 绍兴)."""
    cities = list(cities)
    out: dict[str, list[str]] = {}
    for doc_id, city in cities:
        for a in aliases_of(city) + ((city + "市",) if not city.endswith("市") else ()):
            out.setdefault(a, [])
            if doc_id not in out[a]:
                out[a].append(doc_id)
    by_city: dict[str, list[str]] = {}
    for doc_id, city in cities:
        by_city.setdefault(city, []).append(doc_id)
    for a in by_city:
        for b in by_city:
            if a != b and len(a) >= 2 and len(b) >= 2 and a[0] != b[0]:
                out.setdefault(a[0] + b[0], by_city[a] + by_city[b])
    return out
