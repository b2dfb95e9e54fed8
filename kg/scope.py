"""Scope of a stated value: the area it covers (全市 / 市区 / 市本级 / 中心城区 / a county …),
from the words of kg/data/scopes.toml and the city's divisions in the gazetteer.

The scope is read from the start of the indicator's name ("市本级城市污水集中处理率") or, when
the name has none, from the evidence clause before the value ("问题及时解决率全市达到96%").
Values of one indicator with different scopes stay apart by this property."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.datafile import read_toml

DATA = Path(__file__).resolve().parent / "data" / "scopes.toml"


@dataclass(frozen=True)
class Scopes:
    words: tuple[str, ...]          # canonical words and variants, longest first
    canonical: dict

    def of(self, name: str, clause: str = "", places: frozenset = frozenset()) -> str:
        """Scope of a value named `name` (a scope word or one of `places` opening it), else
        the last scope word of `clause` (the text of its sentence before the value) that
        names an area — "市区范围", "覆盖全市域", or right before the value ("…率全市达到") —
        rather than opening another value's name."""
        s = self._prefix(name, places)
        if s:
            return s
        rest = clause.replace(name, "□") if name else clause
        hits = [(m.start(), w) for w in self.words for m in re.finditer(re.escape(w), rest)
                if m.end() == len(rest.rstrip()) or rest.startswith(("范围", "内"), m.end())
                or rest[:m.start()].endswith(("覆盖", "在"))]
        if not hits:
            return ""
        w = max(hits)[1]
        return self.canonical.get(w, w)

    def _prefix(self, name: str, places: frozenset) -> str:
        for w in self.words:
            if name.startswith(w) and len(name) > len(w):
                return self.canonical.get(w, w)
        for p in sorted(places, key=len, reverse=True):
            if len(p) >= 2 and name.startswith(p) and len(name) > len(p) + 1:
                return p
        return ""


@lru_cache(maxsize=1)
def scopes() -> Scopes:
    d = read_toml(DATA)
    canon = {w: w for w in d.get("order", [])}
    canon.update(d.get("variants", {}))
    return Scopes(tuple(sorted(canon, key=len, reverse=True)), canon)
