"""What an indicator name measures, for alignment and for splitting coordinated names.

- `is_quantity`: a name denotes a measurable quantity when it ends in a quantity word of
  kg/data/synonyms.toml (率, 比例, 量, 面积, 密度, 能力, 数, 长度 …) or starts with 人均/户均;
  a bare facility noun (隧道, 公厕) is a count of something, not an indicator to compare.
- `split_measure`: a name's object and measure head ("供水管网" + "漏损率", "垃圾处置" + "无害化率").
- `qualifiers`: the change words (新增, 改造, 累计 …) and subset words (农村, 其他, 省级 …) in a
  text: two names that differ in them name different quantities.
- `unit_family`: the dimension of a unit (percent, length, area, volume, mass, money, count,
  time, or the classifier itself), with per-time/per-area parts kept ("volume/日",
  "count/平方公里"); 万/亿/千 multipliers ignored; substance identities applied (water:
  吨 = 立方米).
"""
from __future__ import annotations

from collections import Counter

_MULT = ("万", "亿", "千")
# classifiers of items and facilities that plans use interchangeably (新建污水处理设施121个 /
# 改造污水处理设施1642座)
_COUNT = {"个", "座", "处", "家", "所", "项"}
_PER = {"天": "日"}


def _base_family(b: str) -> str:
    if b in ("%", "‰", "个百分点"):
        return "percent"
    if "平方" in b or b in ("公顷", "亩"):
        return "area"
    if b in ("公里", "千米", "米", "延米"):
        return "length"
    if b in ("立方米", "立方", "方"):
        return "volume"
    if b in ("吨", "千克", "公斤"):
        return "mass"
    if b.endswith("元"):
        return "money"
    if b in _COUNT:
        return "count"
    if b in ("年", "天", "日", "月", "小时", "分钟"):
        return "time"
    return b


def unit_family(unit: str, name: str = "", synonyms=None) -> str:
    """Dimension family of `unit` ('' for no unit). `name` and `synonyms` apply the
    substance identities of synonyms.toml [same_dimension]."""
    u = (unit or "").strip()
    if not u:
        return ""
    if u[0] in _MULT and len(u) > 1 and not u.startswith(("千米", "千瓦", "千克")):
        u = u[1:]
    base, _, per = u.partition("/")
    fam = _base_family(base) if base else ""
    if synonyms is not None:
        for word, fams in synonyms.same_dimension.items():
            if word in name and fam in fams:
                fam = fams[0]
    if per == "人" and name.startswith("人均"):       # 人均…面积 16.9平方米 = 16.9平方米/人
        per = ""
    if per:
        fam += "/" + _PER.get(per, per)
    return fam


def is_quantity(name: str, synonyms) -> bool:
    """True when the name denotes a measurable quantity (see module doc)."""
    return bool(name) and (name.endswith(tuple(synonyms.quantity_suffixes)) or
                           name.startswith(tuple(synonyms.per_capita_prefixes)))


def split_measure(name: str, res) -> tuple[str, str]:
    """(object, measure head) of a name: the head is its last jieba token, joined with the
    token before when it is one character ("无害化" + "率")."""
    toks = [t for t, _ in res.tokens(name)]
    if not toks:
        return "", name
    head = toks[-1]
    if len(head) == 1 and len(toks) > 1:
        head = toks[-2] + head
    return name[:len(name) - len(head)], head


def needs_subject(name: str, res) -> bool:
    """True for a bare measure word (完成率, 处理能力, 资源化利用率): alone it names no
    quantity that could be compared with another plan's."""
    obj, head = split_measure(name, res)
    return name in res.synonyms.needs_subject or (not obj and head in res.synonyms.needs_subject)


def qualifiers(text: str, synonyms) -> frozenset:
    """Change and subset words occurring in text."""
    words = list(synonyms.change_words) + list(synonyms.subset_words)
    return frozenset(w for w in words if w in text)


def dominant(values) -> str:
    """The most common non-empty value (ties: the smallest), else ''."""
    c = Counter(v for v in values if v)
    if not c:
        return ""
    top = max(c.values())
    return min(v for v, n in c.items() if n == top)
