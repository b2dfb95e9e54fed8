"""Regulations and documents: every 《…》 title, with its kind (from the title's last word)
and its status from the verbs of the clause that contains it.

Status rules, applied to a run of titles sharing one verb (《A》《B》、《C》等):
- the plan's own title -> mentioned;
- the nearest verb before the run: "…了"/"已" -> existing; 修编/修订 -> to_revise;
  出台/制定/制订/编制/起草 -> to_issue (existing in a review section); 按照/依据/根据/结合/衔接/
  参照/落实/执行/贯彻 … -> existing;
- no verb before: the first verb after the run in the clause (…的修订工作, …等标准规范制订);
- still none: the status of the previous run of the clause, else mentioned;
- a title existing or mentioned whose paragraph later says it must be revised (应/需要…修订
  in a sentence without another title) -> to_revise.
One Regulation per plan and title; when a title occurs several times the strongest status wins
(to_revise, to_issue > existing > mentioned).
"""
from __future__ import annotations

import re
from typing import Optional

from core.zh import name_key
from kg.context import DocContext, iri
from kg.model import Regulation
from kg.nlp import clauses, sentences
from kg.values import find_times

TITLE = re.compile(r"《([^《》\n]{2,80})》")
KINDS = ["条例", "办法", "规划", "标准", "规范", "规定", "方案", "导则", "指南", "通知", "纲要",
         "计划", "意见", "建议", "规程", "手册", "辞典", "细则", "定额", "决定", "公告", "制度"]
_RUN_SEP = re.compile(r"^\s*(?:[(（][^()（）《》]{0,30}[)）])?\s*(?:、|和|及|以及|与|或)?\s*$")
_REVISE = r"修编|修订"
_ISSUE = r"力争出台|研究出台|研究制定|出台|制定|制订|编制|起草|发布|新编"
_EXIST = (r"按照|依据|根据|结合|衔接|参照|落实|执行|贯彻|遵照|依照|对照|遵循|通过|对接|符合|"
          r"审议通过|印发|颁布")
_CUE = re.compile(rf"(?P<rev>{_REVISE})|(?P<iss>{_ISSUE})|(?P<ex>{_EXIST})|(?P<done>完成)")
PRIORITY = {"to_revise": 3, "to_issue": 3, "existing": 2, "mentioned": 1}


def kind_of(title: str) -> str:
    core = re.sub(r"([(（][^()（）]*[)）])+$", "", title.strip("《》"))
    for k in sorted(KINDS, key=len, reverse=True):
        if core.endswith(k):
            return k
    return "other"


def _prefix_status(prefix: str, achieved: bool, start_year: Optional[int] = None) -> Optional[str]:
    if "已" in prefix:
        return "existing"
    if start_year and any(t.year and t.year < start_year - 1 for t in find_times(prefix)):
        achieved = True                         # 如2014年编制的《…》
    cues = list(_CUE.finditer(prefix))
    if not cues:
        return None
    c = cues[-1]
    after = prefix[c.end():c.end() + 1]
    if after == "了":
        return "existing"
    if c.group("rev"):
        return "to_revise"
    if c.group("iss"):
        return "existing" if achieved else "to_issue"
    if c.group("ex"):
        return "existing"
    return "done"


def _suffix_status(suffix: str, achieved: bool) -> Optional[str]:
    c = _CUE.search(suffix)
    if not c or c.group("ex") or c.group("done"):
        return None
    if suffix[c.end():c.end() + 1] == "了":
        return "existing"
    if c.group("rev"):
        return "to_revise"
    return "existing" if achieved else "to_issue"


def _runs(clause: str) -> list[list[re.Match]]:
    runs: list[list[re.Match]] = []
    for m in TITLE.finditer(clause):
        if runs and _RUN_SEP.match(clause[runs[-1][-1].end():m.start()]):
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def statuses(text: str, achieved: bool, own_title: str,
             start_year: Optional[int] = None) -> list[tuple[int, int, str, str]]:
    """(start, end, title with 《》, status) for every title of a passage text."""
    out = []
    own = name_key(own_title.strip("《》"))
    sents = sentences(text)
    for si, sent in enumerate(sents):
        prev_clause_text = ""
        for cl in clauses(sent.text):
            base = sent.start + cl.start
            last: Optional[str] = None
            pos = 0
            for run in _runs(cl.text):
                prefix = cl.text[pos:run[0].start()]
                if not prefix.strip(" ,，") and prev_clause_text.endswith((":", "：")):
                    prefix = prev_clause_text
                st = _prefix_status(prefix, achieved, start_year)
                if st in (None, "done"):
                    suf = _suffix_status(cl.text[run[-1].end():], achieved)
                    if suf:
                        st = suf
                    elif st == "done":
                        st = "existing" if achieved else "to_issue"
                st = st or last or "mentioned"
                if st in ("existing", "mentioned") and _revised_later(sents[si + 1:]):
                    st = "to_revise"
                last = st
                pos = run[-1].end()
                for m in run:
                    s_ = "mentioned" if name_key(m.group(1)) == own else st
                    out.append((base + m.start(), base + m.end(), m.group(0), s_))
            prev_clause_text = cl.text + (sent.text[cl.end:cl.end + 1] if cl.end < len(sent.text) else "")
    return out


def _revised_later(later) -> bool:
    """A later sentence says, without naming another title, that it must be revised."""
    return any(re.search(rf"(应|需|需要|亟待|有待|亟需)[^。；]{{0,6}}({_REVISE})", s.text)
               and "《" not in s.text for s in later)


def extract(ctx: DocContext) -> tuple[list[Regulation], list[tuple[str, str]]]:
    """Regulations of one plan, and (passage_id, regulation iri) mention pairs."""
    best: dict[str, Regulation] = {}
    mentions = []
    for p in ctx.passages:
        if "《" not in p.text:
            continue
        achieved = bool(ctx.is_achieved_context(p))
        for s, e, title, st in statuses(p.text, achieved, ctx.doc.title, ctx.start_year):
            key = name_key(title)
            reg_iri = iri("regulation", ctx.doc.id, key)
            mentions.append((p.id, reg_iri))
            cur = best.get(key)
            if cur is None:
                best[key] = Regulation(iri=reg_iri, doc_id=ctx.doc.id, title=title,
                                       kind=kind_of(title), status=st, passage_id=p.id,
                                       start=p.start + s, end=p.start + e)
            elif PRIORITY[st] > PRIORITY[cur.status]:
                cur.status = st
    return list(best.values()), mentions



__all__ = ["extract", "kind_of", "statuses"]
