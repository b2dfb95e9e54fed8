"""List answers from the graph, complete and in document order, filtered by what the question
asks: regulations by status (修编/修订 -> to_revise, 出台/制定 -> to_issue) and kind, projects
in a named district or on the asked topic, districts by role (指导 -> guided, 重点 -> key_area),
the issuing organisations. Each item is cited; the sentence holding the items is cited too.
"""
from __future__ import annotations

import re
from typing import Any, Optional

from core.protocols import Workspace
from core.zh import norm
from ingest.sentences import sentence_spans
from qa.analysis import Analysis
from qa.context import QAContext
from qa.evidence import asks_number
from qa.graphview import GraphView
from qa.position import Position
from qa.text import bigram_cover

ROLE_CUES = {"guided": ("指导",), "key_area": ("重点",), "in_scope": ("范围", "覆盖", "涵盖")}
ISSUER_CUES = ("印发", "发布", "联合发文", "发文", "编制单位", "制定单位", "出台单位", "哪个部门发",
               "哪些部门发", "哪两个部门", "哪几个部门")
MIN_TOPIC_MATCH = 0.34
SOURCE_MAX = 200          # longest source sentence shown next to a list
REG_GENERIC = ("法规", "条例", "办法", "规章", "规定", "标准", "规范", "文件", "政策", "规划", "计划",
               "方案", "修编", "修订", "修改", "出台", "制定", "完成", "力争", "制订", "颁布", "细则",
               "导则", "地方", "性", "哪")
GENERIC_PROJECT = ("项目", "工程", "建设", "建成", "完成", "新建", "要建", "重点", "重大")


def _text_order(ws: Workspace, item: Any) -> tuple[int, int]:
    """Document order of an item: where (the longest written prefix of) its name appears in
    its passage, as extracted names may be completed (镜子山、临安、余杭易腐…项目)."""
    start = item.start
    try:
        p = ws.corpus.passage(item.passage_id)
    except KeyError:
        return start, 0
    name = getattr(item, "name", "") or getattr(item, "title", "")
    for k in range(len(name), 1, -1):
        i = p.text.find(name[:k])
        if i >= 0:
            return p.start + i, 0
    return start, 0


def _strip_generic(text: str) -> str:
    t = norm(text)
    for g in sorted(GENERIC_PROJECT, key=len, reverse=True):
        t = t.replace(g, "")
    return t


def _year_before(p: Any, start: int) -> bool:
    y = str((p.attributes or {}).get("year", ""))
    return y.isdigit() and int(y) < start


def _sentence_citation(ws: Workspace, passage_id: str, start: int, end: int):
    """The sentence around [start, end) in its passage (the list's context)."""
    p = ws.corpus.passage(passage_id)
    for s, e in sentence_spans(p.text, 0, len(p.text)):
        if p.start + s <= start and end <= p.start + e:
            return ws.corpus.citation(p, p.start + s, p.start + e)
    return ws.corpus.citation(p, start, end)


def _cites(ws: Workspace, items: list) -> list:
    out, seen = [], set()
    for it in items:
        try:
            c = _sentence_citation(ws, it.passage_id, it.start, it.end)
        except KeyError:
            continue
        k = (c.doc, c.start, c.end)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


def _position(ws: Workspace, ctx: QAContext, doc_id: str, names: list[str], items: list) -> Position:
    sep = "" if all(n.startswith("《") for n in names) else "、"
    return Position(doc_id, ctx.docs[doc_id].city, True, sep.join(names), kind="list",
                    citations=_cites(ws, items))


def regulations(ws: Workspace, ctx: QAContext, gv: GraphView, a: Analysis,
                doc_id: str) -> Optional[Position]:
    if not a.asks_regulation or a.reg_status is None:
        return None
    regs = [r for r in gv.regulations(doc_id) if r.status == a.reg_status]
    if a.reg_kind and a.reg_kind not in ("规划", "计划"):
        regs = [r for r in regs if r.kind == a.reg_kind or a.reg_kind in r.title]
    elif "法规" in a.text or "规章" in a.text:
        regs = [r for r in regs if r.kind in ("条例", "办法", "规定", "细则", "规章", "法规")] or regs
    specific = [norm(t) for t in a.terms if t not in a.light_terms and not any(
        g in t for g in REG_GENERIC)]
    if specific:                 # 资源化利用的扶持政策: only titles about that topic
        regs = [r for r in regs if any(bigram_cover(t, r.title) >= 0.5
                                       for t in specific)]
    if not regs:
        return None
    regs.sort(key=lambda r: r.start)
    names = list(dict.fromkeys(r.title for r in regs))
    return _position(ws, ctx, doc_id, names, regs)


def projects(ws: Workspace, ctx: QAContext, gv: GraphView, a: Analysis,
             doc_id: str) -> Optional[Position]:
    if not a.asks_project or not (a.wants_list or "叫什么" in a.text or "名称" in a.text):
        return None
    names = a.district_names(doc_id)
    items = gv.projects(doc_id)
    if names:
        items = [p for p in items if any(n in (p.district or "") or
                                         n in p.name for n in names)]
    elif not a.wants_list:
        return None
    topic = _strip_generic("".join(t for t in a.terms if t not in a.light_terms))
    period = ctx.docs[doc_id].period
    if period and a.wants_target:            # 十四五 projects, not those finished before the plan
        items = [p for p in items if not _year_before(p, period[0])]
    scored = []
    for p in items:
        desc = p.name + " " + " ".join(str(v) for v in (p.attributes or {}).values())
        s = bigram_cover(topic, desc) if topic else 1.0
        if s >= MIN_TOPIC_MATCH:
            scored.append((s, p))
    scored = [(s, p) for s, p in scored if len(_strip_generic(p.name)) >= 2]
    if not scored:
        return None
    if not a.wants_list:                     # "叫什么": the single best match
        scored = [max(scored, key=lambda x: x[0])]
    chosen = sorted((p for _, p in scored), key=lambda p: _text_order(ws, p))
    labels = []
    for p in chosen:
        attrs = p.attributes or {}
        shown = [str(v) for k, v in attrs.items()
                 if v and k not in ("district", "type", "period", "source", "name")
                 and str(v) not in p.name]
        labels.append(p.name + (f"({','.join(shown)})" if shown else ""))
    pos = _position(ws, ctx, doc_id, labels, chosen)
    return _with_source_list(pos, [p.name for p in chosen]) \
        if a.wants_list else pos


def districts(ws: Workspace, ctx: QAContext, gv: GraphView, a: Analysis,
              doc_id: str) -> Optional[Position]:
    if not a.asks_district:
        return None
    roles = [r for r, cues in ROLE_CUES.items() if any(c in a.text for c in cues)][:1]
    items = [d for d in gv.districts(doc_id) if not roles or d.role in roles]
    if roles == ["in_scope"]:
        items += [d for d in gv.districts(doc_id) if d.role == "key_area"]
    if not items or not roles:
        return None
    items.sort(key=lambda d: d.start)
    names = list(dict.fromkeys(d.name for d in items))
    return _position(ws, ctx, doc_id, names, items)


def issuers(ws: Workspace, ctx: QAContext, gv: GraphView, a: Analysis,
            doc_id: str) -> Optional[Position]:
    if not any(c in a.text for c in ISSUER_CUES) or not re.search(r"部门|单位|机关|谁|哪", a.text):
        return None
    orgs = [o for o in gv.organizations(doc_id) if o.role == "issuer"]
    if not orgs:
        return _catalog_issuers(ws, ctx, doc_id)
    orgs.sort(key=lambda o: o.start)
    names = list(dict.fromkeys(o.name for o in orgs))
    return _position(ws, ctx, doc_id, names, orgs)


def _catalog_issuers(ws: Workspace, ctx: QAContext, doc_id: str) -> Optional[Position]:
    """The catalog's issuer field, cited where the plan text names each issuer."""
    names = [n.strip() for n in re.split(r"[;；,，、]", ctx.docs[doc_id].issuer) if n.strip()]
    raw = ws.corpus.raw(doc_id)
    cites = []
    for n in names:
        i = raw.find(n)
        p = next((p for p in ws.corpus.passages if p.doc_id == doc_id and p.start <= i
                  and i + len(n) <= p.end), None) if i >= 0 else None
        if p is None:
            return None                  # only what the plan itself says can be cited
        cites.append(ws.corpus.citation(p, i, i + len(n)))
    if not names:
        return None
    return Position(doc_id, ctx.docs[doc_id].city, True, "、".join(names), kind="list",
                    citations=cites)


def _with_source_list(pos: Position, names: list[str]) -> Position:
    """Project names are extracted; when their source sentence enumerates more than the
    names found (…A工程建设,推进B和C工程…), show that sentence too, so nothing is lost."""
    for c in pos.citations[:2]:
        rest = c.quote
        for n in sorted(names, key=len, reverse=True):
            rest = rest.replace(n, "")
        if re.search(r"[、和及与]", rest) and len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 8 \
                and len(c.quote) <= SOURCE_MAX:
            pos.text += f"(原文:“{c.quote}”)"
            break
    return pos


def with_context(ws: Workspace, a: Analysis, pos: Position) -> Position:
    """When the question also asks a figure (面积多大, 多长) that the list items do not state,
    add the cited sentence that holds the items."""
    if not asks_number(a) or any(ch.isdigit() for ch in pos.text) or not pos.citations:
        return pos
    quote = pos.citations[0].quote
    pos.text += f"(原文:“{quote if len(quote) <= 160 else quote[:160] + '…'}”)"
    pos.has_value = any(ch.isdigit() for ch in quote)
    return pos
