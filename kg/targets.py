"""Targets and indicator values: from tables (header-aware) and from running text.

Running text: every stated value (see kg.values) inside a clause is named by the noun phrase
before it (verbs, scope words and time phrases trimmed), or, when nothing names it there
("对42项出厂水常规指标…"), by the phrase after it. Elliptical list items ("次干路达97%",
"其良好率", "一类44座") borrow the head or subject of the previous value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from core.types import Passage
from ingest.tables import BAR
from kg import coverage
from kg import tables as tb
from kg.context import DocContext, iri
from kg.measure import is_quantity, split_measure
from kg.model import Target
from kg.nlp import clauses, sentences
from kg.phrases import (
    _BOUND,
    _BOUNDS,
    _ELLIPTIC,
    _GENERIC,
    _ONLY_TIME,
    _PUNCT,
    _SCOPE,
    _VERB_END,
    NAMES,
    _head,
    _share_of_change,
    _subject,
    _tail_quantity,
    _verbish,
    clean_name,
    masked,
)
from kg.target_tables import from_table
from kg.typed import finish
from kg.valuekind import default_period, future_said, previous_period, section_state, value_kind
from kg.values import TimeRef, Value, find_times, find_values


@dataclass
class _Mention:
    value: Value
    name: str
    clause_start: int
    clause_end: int
    name_start: int
    name_end: int = 0


def _name_after(text: str, v: Value, limit: int, values: list[Value], res) -> tuple[str, int, bool]:
    """Phrase after a value up to a separator; (name, end, followed_by_value)."""
    j = v.end
    while j < limit and text[j] not in "、,，；;。:：)）□" and not text.startswith("进行", j) \
            and not (text[j] in "和及" and text[j + 1:j + 2].isdigit()):
        if text[j] in "(（":                      # 3个县(市)省级…: a note inside the name
            close = re.compile(r"[)）]").search(text, j, limit)
            if not close or close.start() - j > 8 or close.start() == j + 1:
                break
            j = close.end()
            continue
        if any(w.num_start == j or w.start == j for w in values):
            return clean_name(text[v.end:j], res), j, True
        j += 1
    after = clean_name(text[v.end:j], res)
    if text[v.end:v.end + 1] == "的":             # 以每年1/6的更新率: a rate named after it
        rest = clean_name(text[v.end + 1:j], res)
        return (rest if len(rest) <= 6 and is_quantity(rest, res.synonyms) else ""), j, False
    return after, j, False


def text_mentions(text: str, res, places: frozenset = frozenset()) -> list[_Mention]:
    """Named values of one passage text (offsets relative to the text). Names failing the
    checks of kg.names take the phrase after the value, or are dropped."""
    mtext = masked(text)
    cities = frozenset(res.gazetteer.city_names())
    out: list[_Mention] = []
    history: list[_Mention] = []
    for sent in sentences(mtext):
        prev: Optional[_Mention] = None
        last_clause = ""
        for cl in clauses(sent.text):
            before_clause, last_clause = last_clause, cl.text
            cs, ce = sent.start + cl.start, sent.start + cl.end
            vals = [v for v in find_values(mtext[cs:ce])]
            for v in vals:
                v.start += cs
                v.end += cs
                v.num_start += cs
            seg_start = cs
            tail = _tail_quantity(mtext[cs:ce], res)
            for v in vals:
                raw_before = mtext[seg_start:v.start]
                if _in_quote(mtext, cs, v.start):
                    continue
                bound = _BOUND.search(raw_before) if tail else None
                if bound:             # 形成不低于…日均3天需求量和不低于年用气量5%的储气能力
                    noun = re.match(r"[\u4e00-\u9fff]{0,6}?(?=和|及|的|$)", mtext[v.end:ce]).group(0)
                    v.comparator = _BOUNDS[bound.group(0)]
                    m = _Mention(v, f"{tail}({raw_before[bound.end():].strip()}{noun})", cs, ce,
                                 seg_start, v.end + len(noun))
                    out.append(m)
                    history.append(m)
                    prev, seg_start = m, v.end + len(noun)
                    continue
                name = clean_name(raw_before, res)
                nstart, nend_used = seg_start, v.end
                qi = bool(re.match(r"\s*其(?![他余中次实])", raw_before))
                verbish = name not in _GENERIC and bool(name) and _verbish(name, res)
                stripped = NAMES.strip_process(name) if name else name
                process = stripped != name
                junk = bool(name) and bool(NAMES.junk(stripped, places, cities))
                generic = name in _GENERIC and (prev is None or prev.clause_start != cs)
                if not name or name.endswith("等") or name in _SCOPE or verbish or junk \
                        or process or generic or name in _ONLY_TIME or _VERB_END.search(name):
                    after, nend, followed = _name_after(mtext, v, ce, vals, res)
                    if followed:
                        seg_start = v.end
                        continue
                    if (not name or name.endswith("等") or name in _SCOPE or verbish or junk) \
                            and after:
                        name = after
                    elif process and not junk:
                        name = stripped + after         # 建立保护区24小时应急响应机制
                    elif generic:
                        name = after + name             # 长度约17.7公里地下综合管廊建设工程
                    elif after:
                        name = name + after
                    seg_start = nend if after else v.end
                    nend_used = nend if after else v.end
                    if mtext.startswith(("和", "及"), seg_start):
                        seg_start += 1
                else:
                    seg_start = v.end
                    share = _share_of_change(mtext, v, ce, name, res)
                    if share:                        # 其它道路40%路灯改造: a share of a change
                        name, seg_start = share
                if not name and prev is not None and prev.clause_start == cs and \
                        raw_before.strip() in ("、", "和", "及"):
                    name = prev.name            # 1127幢、47262户: one thing counted twice
                if not name and not raw_before.strip() and cl.start > 0 and \
                        sent.text[cl.start - 1] in ":：":
                    head = sent.text[:cl.start - 1]
                    name = clean_name(re.split(r"[,，；;]", head)[-1], res)
                if not name:
                    continue
                name = _complete(name, v, prev, res, places, history, qi,
                                 listed=raw_before.lstrip().startswith("、") or (
                                     mtext[v.start - len(raw_before) - 1:][:1] in (",", "，")))
                name = _subject(name, raw_before, prev, before_clause, res)
                if NAMES.junk(name, places, cities):
                    continue
                m = _Mention(v, name, cs, ce, nstart, nend_used)
                out.append(m)
                history.append(m)
                prev = m
    return out


def _in_quote(text: str, lo: int, pos: int) -> bool:
    """True when pos lies inside a “…” quotation opened after lo (a quoted name)."""
    open_at = text.rfind("“", lo, pos)
    return open_at >= 0 and text.find("”", open_at, pos) < 0


def _complete(name: str, v: Value, prev: Optional[_Mention], res, places,
              history: list, qi: bool = False, listed: bool = False) -> str:
    same = [h for h in history if h.value.unit == v.unit and h.name not in places]
    if (_ELLIPTIC.match(name) or name in places) and same:
        head = _head(same[-1].name, res)
        if head and not name.endswith(head) and head not in places:
            return name + head
    if prev is None:
        return name
    subject = re.sub(r"(计划|完成|累计|新建|建设)$", "", prev.name)
    for g in sorted(_GENERIC, key=len, reverse=True):  # …工程长度 + 投资: 工程投资
        if subject.endswith(g) and len(subject) > len(g) + 1:
            subject = subject[:-len(g)]
            break
    lead = re.match(r"(每年|年均|每月)?(新增|新建|提升改造|改造|改建|累计|更新)?", prev.name).group(0)
    if listed and lead and len(name) <= 4 and not name.startswith(lead) and \
            not is_quantity(name, res.synonyms) and name not in _GENERIC and \
            re.sub(r"^(计划|完成|累计|日)", "", name) not in _GENERIC and \
            not res.pos_cut(name)[0].flag.startswith("v"):
        return lead + name                  # 每年新增服务点30—50处、车辆2000辆: 每年新增车辆
    if qi:
        head = _head(prev.name, res)
        base = prev.name[:-len(head)] if head and prev.name.endswith(head) else prev.name
        return base + name
    if name in _GENERIC or re.sub(r"^(计划|完成|累计|日)", "", name) in _GENERIC \
            or name.startswith("占"):
        return subject + name
    return name


def _time_for(text: str, m: _Mention, passage_times: list[TimeRef]) -> Optional[TimeRef]:
    times = find_times(text)
    inside = [t for t in times if m.clause_start <= t.start < m.value.start]
    if inside:
        return inside[-1]
    lead = [t for t in times if t.start < m.value.start and
            not re.search(r"[。；;]", text[t.end:m.value.start])]
    if lead:
        return lead[-1]
    return passage_times[0] if passage_times else None


def _kind(ctx: DocContext, p: Passage, text: str, m: _Mention, t: Optional[TimeRef],
          section: Optional[bool]) -> tuple[str, bool]:
    """(target | status, whether a future verb was said in a review section)."""
    before = text[m.clause_start:m.value.num_start]
    i = before.find(m.name)                 # 计划用水覆盖率 is a name, not a plan
    name_span = (i, i + len(m.name)) if i >= 0 else None
    tyear = t.year if t else None
    tperiod = t.period if t and t.period and not text.startswith("规划", t.end) else None
    kind = value_kind(before, tyear, tperiod, section, ctx.start_year, ctx.fyp, name_span)
    if re.search(r"对\s*$", text[m.clause_start:m.value.start]):
        kind = "status"             # 对42项出厂水常规指标进行检测: a practice described, not a target
    return kind, bool(kind == "status" and section and future_said(before, name_span))


def from_text(ctx: DocContext, p: Passage) -> list[Target]:
    text = p.text
    out = []
    lead_times = [t for t in find_times(text[:30]) if t.start < 15]
    for m in text_mentions(text, ctx.res, ctx.places):
        v = m.value
        t = _time_for(text, m, lead_times)
        section = section_state(ctx.is_achieved_context(p), p.section_path)
        kind, future = _kind(ctx, p, text, m, t, section)
        period = t.period if t and t.period else None
        year = t.year if t else None
        span = re.search(r"((?:19|20)\d\d)\s*年?\s*(至|到|—|-|~)?\s*$", text[:t.start]) \
            if t and t.year else None
        if span and not (span.group(2) or t.text.startswith(("至", "到"))):
            span = None
        if span and kind != "target":            # 2018年至2020年,共有…: over years, not a level of 2020
            period, year = f"{span.group(1)}-{t.year}", None
        if not period and not (t and t.year):
            period = default_period(kind, section, ctx.fyp, future)
        elif future and period and period == previous_period(ctx.fyp):
            period += "末"                    # 十三五期间…将达到80%: where that period ends
        bind = re.search(r"约束性|预期性", text[m.clause_start:m.clause_end])
        es, ee = p.start + m.name_start, p.start + max(v.end, m.name_end)
        while es < ee and ctx.raw[es] in _PUNCT:
            es += 1
        for name in split_coordinated(m.name, ctx.res):
            out.append(Target(
                iri=iri("target", ctx.doc.id, es, ee, name, v.text), doc_id=ctx.doc.id,
                city=ctx.doc.city, indicator_iri="", indicator_label="", name_as_written=name,
                baseline=v.text if kind != "target" else None,
                target=v.text if kind == "target" else None, value=v.value, unit=v.unit,
                comparator=v.comparator, year=year, period=period,
                bindingness=bind.group(0) if bind else None, value_kind=kind,
                category=ctx.res.categories.of(name, p.section_path), passage_id=p.id,
                start=p.start, end=p.end, evidence_start=es, evidence_end=ee,
                value_max=v.value_max, approximate=v.approx, source="text"))
    return out


def split_coordinated(name: str, res) -> list[str]:
    """One value for several quantities: "垃圾处置无害化率、资源化率达到100%" names
    垃圾处置无害化率 and 垃圾处置资源化率 (a part without an object of its own takes the first
    part's object). Names whose parts are not all quantities stay whole."""
    parts = [x for x in name.split("、") if x]
    if len(parts) < 2 or not all(is_quantity(x, res.synonyms) for x in parts):
        return [name]
    obj = split_measure(parts[0], res)[0]
    return [parts[0]] + [x if split_measure(x, res)[0] or not obj else obj + x
                         for x in parts[1:]]


def extract(ctx: DocContext) -> list[Target]:
    out: list[Target] = []
    read = tb.bodies(ctx.tables)
    for t, rows in read:
        out.extend(from_table(ctx, t, rows))
    table_spans = tb.body_spans(read)
    for p in ctx.passages:
        if p.kind == "table_row" or any(s <= p.start < e for s, e in table_spans):
            continue
        if len(BAR.findall(p.text)) >= 2:
            continue
        out.extend(from_text(ctx, p))
        out.extend(coverage.extract(ctx, p))
    seen, uniq = set(), []
    for t in out:
        key = (t.evidence_start, t.evidence_end, t.name_as_written, t.value, t.year)
        if key not in seen:
            seen.add(key)
            uniq.append(t)
    return finish(ctx, uniq)
