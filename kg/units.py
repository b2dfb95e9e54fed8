"""Typed values: the number of a stated value in a coded unit (UCUM; ISO 4217 CNY for money),
from the unit as written (kg/data/units.toml). 万/亿/千 multipliers are applied to the
number: "600万吨/年" -> (6000000, "t/a"); "4座/平方公里" -> (4, "{count}/km2")."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from kg.datafile import read_toml
from kg.values import parse_cell

_MULT = {"万": 1e4, "亿": 1e8, "千": 1e3}
DATA = Path(__file__).resolve().parent / "data" / "units.toml"


@dataclass(frozen=True)
class UnitTable:
    units: dict
    per: dict
    classifiers: frozenset

    def _base(self, unit: str) -> tuple[str, float]:
        if unit in self.units:
            u = self.units[unit]
            return u["code"], float(u.get("factor", 1.0))
        if unit in self.classifiers:
            return "{count}", 1.0
        if unit and unit[0] in _MULT and len(unit) > 1:
            code, f = self._base(unit[1:])
            return (code, f * _MULT[unit[0]]) if code else ("", 1.0)
        return "", 1.0

    def code(self, unit: str) -> tuple[str, float]:
        """(unit code, factor from the written unit) — ("", 1.0) when unknown or empty."""
        u = (unit or "").strip()
        if not u:
            return "", 1.0
        base, _, per = u.partition("/")
        code, factor = self._base(base)
        if not code:
            return "", 1.0
        if per:
            pc = self.per.get(per)
            if not pc:
                return "", 1.0
            code = f"{code}/{pc}"
        return code, factor


@lru_cache(maxsize=1)
def table() -> UnitTable:
    d = read_toml(DATA)
    return UnitTable(d.get("units", {}), d.get("per", {}), frozenset(d.get("count_classifiers", [])))


def typed(value: Optional[float], unit: str) -> tuple[Optional[float], str]:
    """(number in the coded unit, code); the number unchanged with code "" for an unknown unit."""
    if value is None:
        return None, ""
    code, factor = table().code(unit)
    return (round(value * factor, 10) if code else value), code


@dataclass
class TypedText:
    value: Optional[float]
    code: str
    comparator: str
    unit: str


def typed_text(text: Optional[str], fallback_unit: str = "") -> TypedText:
    """A value as written ("≤8%", "80%以上", "1.2") parsed and coded; a cell without its own
    unit takes `fallback_unit` (the row's or the target's)."""
    v = parse_cell(text or "")
    if v is None:
        return TypedText(None, "", "", "")
    unit = v.unit if v.unit and v.unit not in _MULT else (v.unit + fallback_unit
                                                           if v.unit in _MULT else fallback_unit)
    num, code = typed(v.value, unit)
    return TypedText(num, code, v.comparator, unit)
