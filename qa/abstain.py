"""Deciding from evidence whether a plan answers the question.

Retrieval scores alone do not separate answerable from unanswerable questions, so the checks
look at what the evidence says: is the asked indicator (when the question names one that some
plan sets) written in this plan's passage; does the passage cover the question's content
words; does it give a number when a number is asked; does it mention the asked year when that
year is not the plan's target year. Messages say what is missing ("文件未提及…").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from qa.analysis import Analysis
from qa.context import DocInfo, IndicatorRef, QAContext
from qa.extractive import Scored
from qa.text import bigram_cover, has_number, lcs_cover, norm, substring_cover

MIN_SUPPORT = 0.42         # coverage of the question's content words by the best sentence/passage
STRONG_LABEL = 0.8         # share of an indicator label written in the question
MENTION = 0.8              # share of that label the evidence must contain
LEAD_CHARS = 60           # text before the shown sentence that still counts as its context
PHRASE_COVER = 0.7         # share of the asked indicator phrase (燃气普及率) the evidence must hold
NUMBER_ASKS = re.compile(r"多少|多大|多高|多长|(?<!哪)几(个|座|项|成|处|公里|吨|年)|比例|占比|百分之|数值|比率")


@dataclass
class Strong:
    """An indicator the question names almost verbatim (e.g. 建成区绿地率)."""
    ref: IndicatorRef
    core: str                # the part of its label written in the question


def strong_indicator(ctx: QAContext, a: Analysis) -> Optional[Strong]:
    """The indicator the question names (almost) verbatim, if any: most of one of its labels
    (places removed) is written as one piece in the question's content words."""
    topic = norm(a.topic)
    for ref, score in ctx.match_indicators(a.terms)[:5]:
        if score < 0.8:
            break
        for lab in ref.labels:
            lab = ctx._strip_places(lab)
            core = _common_substring(lab, topic)
            if len(core) >= 3 and len(core) >= STRONG_LABEL * len(lab):
                return Strong(ref, core)
    return None


def _common_substring(a: str, b: str) -> str:
    best = ""
    for i in range(len(a)):
        for j in range(len(a), i + len(best), -1):
            if a[i:j] in b:
                best = a[i:j]
                break
    return best


def asks_number(a: Analysis) -> bool:
    return bool(NUMBER_ASKS.search(a.text))


def mentions(core: str, text: str) -> bool:
    return substring_cover(core, text) >= MENTION or lcs_cover(core, text) >= 0.95


def check(ctx: QAContext, a: Analysis, best: Scored, doc: DocInfo,
          strong: Optional[Strong], texts: list[str]) -> Optional[str]:
    """None when the evidence answers the question, else the reason it does not.
    `texts` are the chosen answer spans (the evidence actually shown)."""
    shown = " ".join(texts)
    support = best.support
    topic = a.topic or a.text
    if strong is not None and doc.id not in strong.ref.doc_ids and \
            not mentions(strong.core, shown) and not mentions(strong.core, best.passage.text):
        return f"{doc.city}规划未提及{strong.core}"
    if support < MIN_SUPPORT:
        return f"{doc.city}规划未提及{topic}的相关内容"
    lead = best.passage.text[:best.start - best.passage.start][-LEAD_CHARS:]
    ctx_text = shown + " " + (best.passage.context if best.passage.kind == "table_row" else lead)
    if a.phrase and (asks_number(a) or a.wants_value) and not a.compare:
        if lcs_cover(a.phrase, ctx_text) < PHRASE_COVER:
            return f"{doc.city}规划未提及{a.phrase}"
    anchor = max((t for t in a.terms if len(t) >= 3 and t not in a.light_terms), key=len, default="")
    if anchor and not a.compare and not _near(anchor, ctx_text + " " + best.passage.text):
        return f"{doc.city}规划未提及{anchor}"
    if a.years:
        end = doc.period[1] if doc.period else None
        missing = [y for y in a.years if y != end and str(y) not in shown]
        if missing:
            return f"{doc.city}规划未给出{'、'.join(map(str, missing))}年的{topic}"
    if asks_number(a) and not a.compare and not has_number(shown):
        return f"{doc.city}规划未给出{topic}的具体数值"
    return None


def _near(term: str, text: str) -> bool:
    """The term, or most of it (shared bigrams, or its characters close and in order)."""
    t, x = norm(term), norm(text)
    if t in x or bigram_cover(t, x) >= 0.5:
        return True
    return len(t) <= 5 and bool(re.search(".{0,2}".join(map(re.escape, t)), x))


def not_found_text(reasons: list[str], fallback: str) -> str:
    body = ";".join(r for r in reasons if r) or fallback
    return f"文件未提及:{body}"
