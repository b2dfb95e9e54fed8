"""Last step of target extraction for one plan: the kind refined (baseline, milestone), the
scope, and the typed values (numbers in a coded unit, for targets and baselines alike)."""
from __future__ import annotations

import re

from kg.context import DocContext
from kg.model import FORWARD_KINDS, Target
from kg.scope import scopes
from kg.units import typed, typed_text
from kg.valuekind import refine_kind


def finish(ctx: DocContext, targets: list[Target]) -> list[Target]:
    sc = scopes()
    for t in targets:
        t.value_kind = refine_kind(t.value_kind, t.year, t.period, ctx.start_year,
                                   ctx.end_year, ctx.fyp)
        num, code = typed(t.value, t.unit)
        if code.endswith("/{person}") and t.name_as_written.startswith("人均"):
            code = code[:-len("/{person}")]       # 人均…16.9平方米/人 is 16.9 m2 per person
        t.unit_code = code
        if t.value_kind in FORWARD_KINDS:
            t.target_value = num
            if t.baseline:
                b = typed_text(t.baseline, t.unit)
                t.baseline_value, t.baseline_comparator = b.value, b.comparator
                if not t.unit_code:
                    t.unit_code = b.code
        else:
            t.target = None
            t.baseline_value, t.baseline_comparator = num, t.comparator
        evidence = ctx.raw[t.evidence_start:t.evidence_end]
        shown = t.target if t.value_kind in FORWARD_KINDS else t.baseline
        cut = evidence.find(shown) if shown else -1
        t.scope = sc.of(t.name_as_written, _sentence_before(ctx, t) +
                        (evidence[:cut] if cut >= 0 else evidence), ctx.places)
    return targets


def _sentence_before(ctx: DocContext, t: Target) -> str:
    """The text of the value's sentence before its evidence (其中…市区范围,…面积为2942平方公里)."""
    if t.source == "table":
        return ""
    lo = max(t.start, t.evidence_start - 200)
    head = ctx.raw[lo:t.evidence_start]
    return re.split(r"[。；;\n]", head)[-1]
