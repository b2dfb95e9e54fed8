"""Is an extracted phrase an indicator name? Checks from kg/data/names.toml: fragments of a
list ("临江、九峰、富阳、建德、淳安"), a clause opened by a function word ("也为杭州"), a place or
city ("杭州市"), a bare administrative, verb or time word ("县市", "制定"), a list or field
ending ("…等城市管理领域"), a cut clause ("…宜推进…"). `strip_process` removes a process verb
opening a name ("建立保护区" -> "保护区")."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.datafile import read_toml

DATA = Path(__file__).resolve().parent / "data" / "names.toml"
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class NameRules:
    function_leads: tuple[str, ...]
    process_leads: tuple[str, ...]
    clause_marks: tuple[str, ...]
    bare: frozenset
    list_ends: tuple[str, ...]
    lead_exceptions: tuple[str, ...] = ()

    def junk(self, name: str, places: frozenset = frozenset(), cities: frozenset = frozenset()) -> str:
        """Why `name` is not an indicator name ('' when it may be one)."""
        n = (name or "").strip()
        if len(n) < 2 or not _CJK.search(n) or re.fullmatch(r"[\d.%/\s]+", n):
            return "short"
        if n in places or n in cities or n.rstrip("等") in places:
            return "place"
        if n in self.bare:
            return "bare"
        if n.startswith(self.function_leads) and not n.startswith(self.lead_exceptions):
            return "function word"
        if n.endswith(self.list_ends):
            return "list end"
        parts = [p for p in n.split("、") if p]
        if len(parts) >= 4 or len(parts) >= 2 and all(len(p) <= 3 or p in places for p in parts):
            return "list"
        if any(m in n for m in self.clause_marks):
            return "clause"
        return ""

    def strip_process(self, name: str) -> str:
        for w in sorted(self.process_leads, key=len, reverse=True):
            if name.startswith(w) and len(name) > len(w):
                return name[len(w):]
        return name


@lru_cache(maxsize=1)
def rules() -> NameRules:
    d = read_toml(DATA)
    return NameRules(tuple(d.get("function_leads", [])), tuple(d.get("process_leads", [])),
                     tuple(d.get("clause_marks", [])), frozenset(d.get("bare", [])),
                     tuple(d.get("list_ends", [])), tuple(d.get("lead_exceptions", [])))
