"""Phrases around stated values: cleaning a name out of the text before or after a value
(lead and trail words, scope words, brackets), the checks of kg.names, heads of names, and
the special forms (bounded capacities, shares of a change, bare measures that need a
subject). Used by kg.targets."""
from __future__ import annotations

import re
from typing import Optional

from kg.measure import is_quantity
from kg.names import rules as _name_rules
from kg.values import Value, find_times, find_values

_LEAD = ["已经完成", "已完成", "共完成", "累计完成", "计划完成", "完成", "已建成", "建成", "共有",
         "拥有", "现有", "共计", "总计", "累计", "全部", "其中", "其余", "同时", "以及", "另外",
         "此外", "目前", "已经", "确保", "实现", "力争", "计划", "预计", "争取", "努力", "逐步",
         "进一步", "全面", "基本", "主要", "重点", "通过", "经过", "并且", "应", "要", "需", "将",
         "并", "且", "及", "和", "与", "对", "已", "现", "有", "共", "均", "其", "以", "使", "为",
         "即", "如", "约", "达", "仅有", "仅", "即将", "宜", "可"]
_TRAIL = ["上升", "提高", "提升", "降低", "下降", "推进", "深化", "持续", "有序", "连续多年保持在", "力争达到", "基本达到", "将达到", "保持在", "控制在", "维持在", "稳定在",
          "提高到", "提升到", "上升到", "增加到", "下降到", "降低到", "约为", "约有", "达到", "已达",
          "共计", "总计", "合计", "累计", "增至", "降至", "控制", "保持", "持续", "连续多年", "多年",
          "逐年", "连续", "分别", "全部", "基本", "力争", "共有", "要", "应", "将", "已", "达", "为", "约",
          "在", "是", "有", "共", "均", "计", "的", "仍", "总", "到", "至", "了", "达到了"]
_SCOPE = ("全市域", "全市", "市区", "全省", "全县", "全区", "城区", "市本级", "主城区", "中心城区")
_GENERIC = {"投资", "总投资", "投资额", "总投资额", "完成投资", "年度任务", "任务", "总长", "总长度", "长度", "面积",
            "总面积", "处理能力", "日处理能力", "处理规模", "规模", "能力", "覆盖面", "覆盖率",
            "总量", "容量", "占比", "比例", "数量"}
_ELLIPTIC = re.compile(r"^([一二三四五六七八九十\d]+(类|级|星级)|主干[道路]|次干[道路]|支路|街巷|快速路"
                       r"|中心镇|建制镇|乡镇|全市|市区|县城|农村|城镇)$")
_PUNCT = " ,，、；;:：.。()（）“”\"'《》[]【】-—/|｜"
_MASK = re.compile(r"《[^《》\n]*》|〔[^〕\n]*〕|\[[^\]\n]*\]|[(（]详见[^)）]*[)）]")
_PAREN = re.compile(r"[(（][^()（）]*[)）]")


def masked(text: str) -> str:
    """Titles, document numbers and cross-references blanked (same length, offsets kept)."""
    return _MASK.sub(lambda m: "□" * len(m.group(0)), text)


_LEAD_SET, _TRAIL_SET = set(_LEAD), set(_TRAIL)
NAMES = _name_rules()
_ONLY_TIME = {"每年", "每月", "每天", "每日", "年均", "每个"}
_VERB_END = re.compile(r"(新建|建设|改造|完成|新增|建成|实现|创建|选取出|选取|设置|划分为|提升)$")


def _strip_lead(name: str, res) -> str:
    scope = ""
    while name:
        name = name.lstrip(_PUNCT)
        tm = find_times(name)
        if tm and tm[0].start == 0:
            name = name[tm[0].end:]
            continue
        toks = [t for t, _ in res.tokens(name)]
        if not toks:
            break
        if not scope and toks[0] in _SCOPE and len(toks) > 1 and toks[1] in _LEAD_SET:
            scope, name = toks[0], name[len(toks[0]):]
            continue
        if toks[0] in _LEAD_SET and not _qualifies(toks, res):
            name = name[len(toks[0]):]
            continue
        break
    return scope + name if name else ""


_QUALIFIER_LEAD = {"主要", "重点", "其他", "其余"}


def _qualifies(toks: list[str], res) -> bool:
    """主要/重点 before a noun qualifies it (主要道路机械化清扫率 is not the city-wide rate)."""
    if toks[0] not in _QUALIFIER_LEAD or len(toks) < 2:
        return False
    nxt = res.pos_cut(toks[1])
    return bool(nxt) and nxt[0].flag[:1] == "n" and len(toks) > 2


def _strip_trail(name: str, res) -> str:
    while name:
        name = name.rstrip(_PUNCT.replace("”", ""))
        toks = [t for t, _ in res.tokens(name)]
        if toks and toks[-1] in _TRAIL_SET:
            name = name[:-len(toks[-1])]
            continue
        break
    return name


def clean_name(segment: str, res) -> str:
    name = _PAREN.sub("", segment).replace("□", "")
    name = _strip_trail(_strip_lead(name.strip(), res), res).strip(_PUNCT.replace("“”", ""))
    if name.count("“") > name.count("”"):
        name += "”"
    if name.startswith("”"):
        name = name[1:]
    if name.count("”") > name.count("“"):      # “四河三渠”截污纳管项目: the opening mark kept
        name = "“" + name
    for w in sorted(_SCOPE, key=len, reverse=True):    # 问题及时解决率全市: the scope is a property
        if name.endswith(w) and len(name) > len(w) + 2:
            name = name[:-len(w)]
            break
    return "" if name in _LEAD_SET or name in _TRAIL_SET or name in _SCOPE else name


def _verbish(name: str, res) -> bool:
    toks = res.pos_cut(name)
    return bool(toks) and all(t.flag[:1] in ("v", "d", "p", "c", "u") for t in toks)


def _head(name: str, res) -> str:
    toks = [t for t, _ in res.tokens(name)]
    while len(toks) > 1 and (toks[-1] in _SCOPE or _ELLIPTIC.match(toks[-1])):
        toks.pop()
    if not toks:
        return ""
    head = toks[-1]
    if len(head) <= 2 and len(toks) >= 2 and not _ELLIPTIC.match(toks[-2]) \
            and toks[-2] not in _SCOPE:
        head = toks[-2] + head
    return head


_BOUNDS = {"不低于": "≥", "不少于": "≥", "不小于": "≥", "不高于": "≤", "不超过": "≤", "不大于": "≤"}
_BOUND = re.compile("|".join(_BOUNDS))


_CHANGE_END = re.compile(r"(改造|建设|整治|提升|更新)$")


def _share_of_change(text: str, v: Value, limit: int, name: str, res) -> Optional[tuple[str, int]]:
    """A percentage followed directly by a change ("40%路灯改造"): the share of the named
    thing that undergoes it (其它道路路灯改造比例); (name, end) or None."""
    if v.unit != "%" or not re.match(r"[\u4e00-\u9fff]", text[v.end:v.end + 1]):
        return None
    m = re.match(r"[\u4e00-\u9fff]{2,8}?(?=[,，。;；、]|$)", text[v.end:limit])
    if not m or not _CHANGE_END.search(m.group(0)) or is_quantity(name, res.synonyms):
        return None
    return name + m.group(0) + "比例", v.end + m.end()


def _subject(name: str, raw_before: str, prev, before_clause: str,
             res) -> str:
    """A bare measure word gets its subject: inside brackets after a counted thing
    ("储配站48座(储气能力7693吨" -> 储配站储气能力), or, first in its sentence, from the clause
    before ("全力抓好中央生态环保督察整改,完成率90%以上" -> …整改完成率)."""
    syn = res.synonyms
    bare = name in syn.needs_subject or (len(name) <= 4 and is_quantity(name, syn))
    if not bare:
        return name
    if prev is not None and raw_before.lstrip().startswith(("(", "（")):
        return prev.name + name
    if prev is None and name in syn.needs_subject and before_clause and \
            not find_values(before_clause):
        subject = NAMES.strip_process(clean_name(before_clause, res))
        if 4 <= len(subject) <= 12 and not NAMES.junk(subject) and not _verbish(subject, res) \
                and not find_times(subject):
            return subject + name
    return name


def _tail_quantity(clause: str, res) -> str:
    """The quantity a clause's values bound when it ends "…的<quantity>" (…的储气能力)."""
    m = re.search(r"的([\u4e00-\u9fff]{2,10})$", clause)
    return m.group(1) if m and is_quantity(m.group(1), res.synonyms) else ""
