"""Targets stated without a number: "…实现全覆盖" / "…达到全覆盖" (coverage 100%) and
"完成…所有…改造" (all of them: 100%). Read only in the plan's own sections (a review saying
"实现全覆盖" states an achievement, left to the passages); the value is written "全覆盖" or
"所有" and typed as 100 %.

Name: the phrase before 全覆盖 (process verbs, 实现/达到 and 在 dropped; of a 、-list only the
last item) + 覆盖率; a short name right after another coverage target of the same sentence
borrows its subject ("推进数字城管在全市建成区全覆盖,全市建制镇全覆盖")."""
from __future__ import annotations

import re
from typing import Optional

from core.types import Passage
from kg.context import DocContext, iri
from kg.model import Target
from kg.names import rules
from kg.nlp import clauses, sentences
from kg.scope import scopes
from kg.valuekind import section_state

_FULL = re.compile(r"(?:实现|达到|基本实现)?全覆盖")
_ALL = re.compile(r"完成(?P<obj>[\u4e00-\u9fff]{2,12}?)(?:所有|全部)(?P<thing>[\u4e00-\u9fff]{1,8}?)"
                  r"(?P<act>[\u4e00-\u9fff]{0,4}(?:改造|建设|整治|提升))")
_AT_SCOPE = re.compile(r"在(?=全市|市区|主城区|中心城区|全域)")


def _name(before: str) -> str:
    part = re.split(r"[、]", before)[-1].strip()
    prev = None
    while prev != part:                         # 推动和落实…, 推进…
        prev = part
        part = re.sub(r"^(?:和|及|并)", "", rules().strip_process(part))
    part = re.sub(r"(?:基本)?(?:实现|达到)", "", part)     # 主城区实现管输天然气区域
    return _AT_SCOPE.sub("", part)                     # 数字城管在全市建成区


def _borrow(subject: str, name: str) -> str:
    """全市建制镇 after 数字城管…: 全市数字城管建制镇 (a scope word stays in front)."""
    for w in scopes().words:
        if name.startswith(w):
            return w + subject + name[len(w):]
    return subject + name


def _subject(name: str) -> Optional[str]:
    """The thing covered before a place: 数字城管 of 数字城管全市建成区."""
    m = re.match(r"([\u4e00-\u9fff]{2,6}?)(?=全市|市区|主城区|中心城区|建成区)", name)
    return m.group(1) if m else None


def extract(ctx: DocContext, p: Passage) -> list[Target]:
    if section_state(ctx.is_achieved_context(p), p.section_path):
        return []
    out: list[Target] = []
    for sent in sentences(p.text):
        subject: Optional[str] = None
        for cl in clauses(sent.text):
            text = cl.text
            found = []
            m = _FULL.search(text)
            if m and m.start() >= 2:
                name = _name(text[:m.start()])
                if subject and len(name) <= 5:
                    name = _borrow(subject, name)
                if len(name) >= 4 and not rules().junk(name):
                    subject = subject or _subject(name)
                    found.append((name + "覆盖率", 0, m.end(), "全覆盖"))
            a = _ALL.search(text)
            if a:
                found.append((a.group("obj") + a.group("thing") + a.group("act") + "比例",
                              a.start(), a.end(), "所有"))
            for name, s, e, shown in found:
                es = p.start + sent.start + cl.start + s
                ee = p.start + sent.start + cl.start + e
                out.append(Target(
                    iri=iri("target", ctx.doc.id, es, ee, name, shown), doc_id=ctx.doc.id,
                    city=ctx.doc.city, indicator_iri="", indicator_label="",
                    name_as_written=name, baseline=None, target=shown, value=100.0, unit="%",
                    comparator="=", year=None, period=ctx.fyp or None, bindingness=None,
                    value_kind="target", category=ctx.res.categories.of(name, p.section_path),
                    passage_id=p.id, start=p.start, end=p.end, evidence_start=es,
                    evidence_end=ee, source="text"))
    return out
