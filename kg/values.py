"""Parsing of stated values: number, range, unit, comparator, approximation, and of time
expressions (year, period). All positions are offsets into the text given.

Forms handled: ≤8%, ≥20%, >90%, 达98.5%, 9 %以内, 达到600万吨/年以上, 不低于80%, 4座/平方公里以上,
30—50处, 1-2个, 约17.7公里, 2000多万吨, 800余件, 1/6, 44亿立方米左右, 16.9平方米/人.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from core.periods import PERIOD_RE

_BASE_UNITS = sorted("""平方公里 平方千米 平方米 立方米 公顷 公里 千米 立方 万元 亿元 元 吨 方 米 亩 座 个 家 条 处
辆 台 套 户 幢 栋 项 人 只 盏 根 段 种 件 路 次 天 年 分钟 小时 倍 所 张 批 名 类 片 组 间 宗 支
块 期 轮 人次 车次 个百分点 万人 千瓦 兆瓦 度 吨标煤""".split(), key=len, reverse=True)
_PER = r"(?:/(?:日|天|年|月|人|户|平方公里|公里|次|小时|周))"
UNIT_RE = r"(?:%|‰|(?:" + "|".join(map(re.escape, _BASE_UNITS)) + r")" + _PER + r"?)"
NUM = r"\d+(?:\.\d+)?"

VALUE_RE = re.compile(
    rf"(?P<cmp>[≤≥<>＜＞]\s*)?(?P<n1>{NUM})(?:\s*(?P<rng>[-—–~～])\s*(?P<n2>{NUM}))?"
    rf"(?P<frac>/\d+(?![\d.]))?"
    rf"(?P<approx>多|余)?(?P<mult>万|亿|千)?(?P<approx2>多|余)?\s?(?P<unit>{UNIT_RE})?"
    rf"(?P<post>以上|以下|以内|左右)?")

PRE_WORDS = ["不低于", "不少于", "不高于", "不超过", "不大于", "不小于", "超过", "高于", "低于",
             "大于", "小于", "力争达到", "基本达到", "将达到", "达到", "达", "提高到", "提升到",
             "上升到", "增加到", "增至", "降至", "降低到", "下降到", "控制在", "控制", "保持在",
             "维持在", "稳定在", "约为", "约", "近", "逾", "突破", "约有", "为", "在"]
_PRE_RE = re.compile("(?:" + "|".join(sorted(map(re.escape, PRE_WORDS), key=len, reverse=True))
                     + r")\s*$")
_CMP_WORDS = {"不低于": "≥", "不少于": "≥", "不小于": "≥", "达到": "≥", "达": "≥",
              "力争达到": "≥", "基本达到": "≥", "将达到": "≥", "超过": ">", "高于": ">",
              "大于": ">", "突破": ">", "逾": ">", "不高于": "≤", "不超过": "≤", "不大于": "≤",
              "控制在": "≤", "控制": "≤", "低于": "<", "小于": "<"}
_CMP_SYM = {"≤": "≤", "≥": "≥", "<": "<", ">": ">", "＜": "<", "＞": ">"}
_POST_CMP = {"以上": "≥", "以下": "≤", "以内": "≤"}
_MULT = {"万": 1e4, "亿": 1e8, "千": 1e3}

TIME_RE = re.compile(
    r"(?:(?P<pre>到|至|于|截至|截止到?)\s*)?"
    r"(?:(?P<year>(?:19|20)\d\d)\s*年\s*(?P<yq>底|末|初|年底|年末|前|以前|起)?"
    r"|[“\"]?(?P<fyp>" + PERIOD_RE.pattern + r")[”\"]?\s*(?P<fq>期末|末|期间|时期|期)?)")


@dataclass
class Value:
    start: int                  # span of the whole expression (comparator .. post word)
    end: int
    num_start: int
    text: str                   # as written (comparator symbol/word + number + unit + post)
    value: float                # the number as written (the 万/亿 multiplier stays in unit)
    value_max: Optional[float]  # upper end of a range
    unit: str                   # "%", "公里", "吨/日" (multiplier kept: "万吨/日")
    comparator: str             # ≥ ≤ > < =
    approx: bool

    @property
    def number_text(self) -> str:
        return self.text


def _num(s: str) -> float:
    return float(s)


def _is_year(m: re.Match, text: str) -> bool:
    n1 = m.group("n1")
    unit = m.group("unit") or ""
    if len(n1) == 4 and "." not in n1 and 1900 <= int(n1) <= 2100:
        nxt = text[m.end("n1"):m.end("n1") + 1]
        if unit.startswith("年") or (nxt and nxt in "年-—–"):
            return True
    return False


def _build(m: re.Match, text: str, pre_start: int, pre_word: str, bare_ok: bool) -> Optional[Value]:
    unit = m.group("unit") or ""
    cmp_sym = (m.group("cmp") or "").strip()
    post = m.group("post") or ""
    frac = m.group("frac")
    if frac and not unit:
        unit = ""
    if not unit and not cmp_sym and not frac and not bare_ok and not m.group("mult"):
        return None
    s = m.start("n1")
    prev = text[s - 1] if s > 0 else ""
    if prev and (prev in "第." or (prev.isascii() and prev.isalnum())):
        return None
    nxt = text[m.end():m.end() + 1]
    if nxt and (nxt in "+＋×" or (nxt == "." and not m.group("unit")) or (nxt.isascii() and nxt.isalpha())):
        return None
    if _is_year(m, text):
        return None
    if frac:
        value = _num(m.group("n1")) / _num(frac[1:])
    else:
        value = _num(m.group("n1"))
    vmax = _num(m.group("n2")) if m.group("n2") else None
    comparator = _CMP_SYM.get(cmp_sym) or _POST_CMP.get(post) or _CMP_WORDS.get(pre_word, "=")
    approx = bool(m.group("approx") or m.group("approx2") or post == "左右"
                  or pre_word in ("约", "约为", "近", "约有"))
    start = pre_start if pre_word in _CMP_WORDS or pre_word in ("约", "约为", "近") else m.start()
    unit_full = (m.group("mult") or "") + unit if unit else (m.group("mult") or "")
    return Value(start=start, end=m.end(), num_start=m.start(),
                 text=text[start:m.end()].strip(), value=value, value_max=vmax,
                 unit=unit_full, comparator=comparator, approx=approx)


_HALF = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def halfwidth(text: str) -> str:
    """Full-width ASCII forms (２．６, ％, ＜) as their ASCII twins, one character for one, so
    numbers written at full width parse and every offset still points into the plan."""
    return text.translate(_HALF)


def find_values(text: str, bare_ok: bool = False) -> list[Value]:
    """Every stated value in `text` (numbers without a unit or comparator are skipped unless
    bare_ok). Years (2025年) are not values."""
    out = []
    half = halfwidth(text)          # same length: offsets and "as written" text stay the plan's
    for m in VALUE_RE.finditer(half):
        pm = _PRE_RE.search(half, 0, m.start())
        pre_word, pre_start = ("", m.start())
        if pm and pm.end() == m.start():
            pre_word, pre_start = pm.group(0).strip(), pm.start()
        v = _build(m, text, pre_start, pre_word, bare_ok)
        if v is not None:
            out.append(v)
    return out


def parse_cell(cell: str) -> Optional[Value]:
    """The value of a table cell ("≤8%", "16.9平方米", "14.6", "/" -> None)."""
    c = cell.strip()
    if not c or c in {"/", "-", "—", "--", "——", "无", "／"}:
        return None
    vals = find_values(c, bare_ok=True)
    return vals[0] if vals else None


@dataclass
class TimeRef:
    start: int
    end: int
    year: Optional[int]
    period: Optional[str]
    text: str

    @property
    def label(self) -> str:
        if self.year:
            return f"{self.year}年" + (self.text.split("年", 1)[1].strip()[:2] if "年" in self.text else "")
        return self.period or ""


def find_times(text: str) -> list[TimeRef]:
    out = []
    for m in TIME_RE.finditer(text):
        if m.group("year"):
            nxt = text[m.end():m.end() + 1]
            if re.match(r"[-—–~]", nxt):        # a year range inside a title, e.g. (2018-2035年)
                continue
            if m.start() > 0 and text[m.start() - 1] in "-—–~":
                continue
            q = m.group("yq") or ""
            out.append(TimeRef(m.start(), m.end(), int(m.group("year")), None,
                               m.group(0).strip()))
        else:
            q = m.group("fq") or ""
            period = m.group("fyp") + ("末" if q in ("末", "期末") else "")
            out.append(TimeRef(m.start(), m.end(), None, period, m.group(0).strip()))
    return out


def magnitude(value: float, unit: str) -> float:
    """The value with a leading 万/亿/千 of its unit applied (for comparing values)."""
    if not unit or unit.startswith(("千米", "千瓦")):
        return value
    return value * _MULT.get(unit[:1], 1.0)


def unit_class(unit: str) -> str:
    """Coarse class used to compare units: percent, length, area, count, money, other."""
    if unit in ("%", "‰", "个百分点"):
        return "percent"
    if re.search(r"公里|千米|^米|万米", unit) and "平方" not in unit:
        return "length"
    if "平方" in unit or "公顷" in unit or unit.endswith("亩"):
        return "area"
    if "元" in unit:
        return "money"
    return unit or "none"
