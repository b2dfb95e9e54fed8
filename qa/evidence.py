"""Evidence checks that the decision model reads as features (qa/candidates.py): does the
evidence name the indicator the question writes out (strong_indicator, mentions), hold the
question's most specific word or most of it (near), give a number when one is asked
(asks_number)? They decide nothing themselves; the fitted scorer weighs them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from core.zh import norm
from kg.vocabulary import IndicatorRef
from qa.analysis import Analysis
from qa.context import QAContext
from qa.text import bigram_cover, lcs_cover, substring_cover

STRONG_LABEL = 0.8         # share of an indicator label written in the question
MENTION = 0.8              # share of that label the evidence must contain
NUMBER_ASKS = re.compile(r"多少|多大|多高|多长|(?<!哪)几(个|座|项|成|处|公里|吨|年)"
                         r"|比例|占比|百分之|数值|比率")


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


def near(term: str, text: str) -> bool:
    """The term, or most of it (shared bigrams, or its characters close and in order)."""
    t, x = norm(term), norm(text)
    if t in x or bigram_cover(t, x) >= 0.5:
        return True
    return len(t) <= 5 and bool(re.search(".{0,2}".join(map(re.escape, t)), x))
