"""A question as a typed intent with typed slots (the first step of the decision model).

    q = parse(ctx, lex, "绍兴2020年污水处理率是多少")
    q.intent            -> Intent.BASELINE
    q.slots.period      -> PeriodAsk(kind="baseline", years=(2020,), words=("2020",))
    q.slots.quantity    -> QuantityAsk("percent", "率")

The intent is decided by explicit cue rules (qa/data/cues.toml) in a fixed order, recorded in
`q.why`; the slots are read by qa.analysis (places, terms) after the thesaurus rewrite.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Optional

from core.periods import five_year_span
from core.zh import norm
from qa.analysis import Analysis, analyze
from qa.context import QAContext
from qa.lexicon import Lexicon, Rewrite
from qa.quantity import asked_family


class Intent(str, Enum):
    VALUE = "value"              # a target (到2025年 …)
    BASELINE = "baseline"        # the plan's baseline / a past value (2020年, 十三五末, 现状)
    FACT = "fact"                # a quantity or statement, not asked as target or baseline
    EXPLAIN = "explain"          # why / how / which measures
    LIST = "list"                # regulations, projects, districts, indicators …
    COMPARE = "compare"          # the same thing in several plans
    ARITHMETIC = "arithmetic"    # difference, sum, ratio, which is higher


class ListOf(str, Enum):
    REGULATION = "regulation"
    PROJECT = "project"
    DISTRICT = "district"
    INDICATOR = "indicator"
    ISSUER = "issuer"


class Operation(str, Enum):
    DIFF = "diff"
    SUM = "sum"
    RATIO = "ratio"
    HIGHER = "higher"


@dataclass(frozen=True)
class PeriodAsk:
    """The period a question asks about, before it is read against a plan's own period."""
    kind: str = "any"            # any | baseline | target
    years: tuple[int, ...] = ()
    five_year: tuple[tuple[int, int, bool], ...] = ()   # (start, end, at_end) of 十X五 words
    words: tuple[str, ...] = ()

    def for_plan(self, period: Optional[tuple[int, int]]) -> str:
        """baseline | target | milestone | past | beyond | any, against a plan's (start, end)."""
        if period is None:
            return self.kind
        start, end = period
        kinds = []
        for s, e, _ in self.five_year:
            if (s, e) == (start, end) or s <= end <= e:
                kinds.append("target")
            elif e == start - 1:
                kinds.append("baseline")
            else:
                kinds.append("past" if e < start else "beyond")
        for y in self.years:
            if y == start - 1:
                kinds.append("baseline")
            elif y < start - 1:
                kinds.append("past")
            elif y == end:
                kinds.append("target")
            elif start <= y < end:
                kinds.append("milestone")
            else:
                kinds.append("beyond")
        if not kinds:
            return self.kind
        if self.kind == "baseline" and "target" in kinds and len(kinds) == 1:
            return "target"
        return kinds[0]


@dataclass(frozen=True)
class QuantityAsk:
    family: str = ""             # percent | money | length | count | … ("" = not named)
    word: str = ""


@dataclass
class Slots:
    doc_ids: list[str]
    cities: list[str]
    districts: list[tuple[str, str]]
    foreign: list[str]
    period: PeriodAsk
    quantity: QuantityAsk
    subject: str                 # the subject phrase (content words)
    terms: list[str]
    list_of: Optional[ListOf] = None
    operation: Optional[Operation] = None
    bindingness: Optional[str] = None

    def to_dict(self) -> dict:
        return {"plans": self.doc_ids, "cities": self.cities,
                "districts": [n for n, _ in self.districts], "foreign": self.foreign,
                "period": {"kind": self.period.kind, "years": list(self.period.years),
                           "words": list(self.period.words)},
                "quantity": self.quantity.family or None, "subject": self.subject,
                "list_of": self.list_of.value if self.list_of else None,
                "operation": self.operation.value if self.operation else None,
                "bindingness": self.bindingness}


@dataclass
class Query:
    question: str
    text: str                    # after the thesaurus rewrite
    intent: Intent
    slots: Slots
    analysis: Analysis
    rewrites: list[Rewrite] = field(default_factory=list)
    why: str = ""                # the rule that set the intent
    sub_intent: Optional[Intent] = None   # for COMPARE/ARITHMETIC: what each side is asked

    def trace(self) -> dict:
        return {"intent": self.intent.value,
                "sub_intent": self.sub_intent.value if self.sub_intent else None,
                "intent_rule": self.why, "slots": self.slots.to_dict(),
                "rewrites": [{"said": r.said, "plan_term": r.plan_term} for r in self.rewrites],
                "neighbours": list(self.analysis.neighbours)}


FIVE = re.compile(r"(十[一二三四五六七八九]五)(末|期末|期间|时期)?")


def period_ask(text: str, years: list[int], lex: Lexicon) -> PeriodAsk:
    fy = []
    for m in FIVE.finditer(text):
        span = five_year_span(m.group(1))
        if span:
            fy.append((span[0], span[1], m.group(2) in ("末", "期末")))
    words = tuple(lex.found(text, "period", "baseline_words") + lex.found(text, "period", "target_words"))
    kind = "any"
    if lex.any_in(text, "period", "baseline_words"):
        kind = "baseline"
    elif lex.any_in(text, "period", "target_words"):
        kind = "target"
    return PeriodAsk(kind, tuple(years), tuple(fy), words + tuple(m.group(0) for m in FIVE.finditer(text)))


def _list_of(a: Analysis, text: str, lex: Lexicon) -> Optional[ListOf]:
    if a.asks_regulation:
        return ListOf.REGULATION
    if a.asks_district:
        return ListOf.DISTRICT
    if lex.any_in(text, "indicator_list", "words") and (
            lex.any_in(text, "indicator_list", "binding") or lex.any_in(text, "indicator_list", "expected")
            or re.search(r"(哪些|哪几(个|项|类)?|几(个|项|类))指标|指标(有|包括|都)", text)):
        return ListOf.INDICATOR
    if a.asks_project:
        return ListOf.PROJECT
    if re.search(r"(部门|单位|机关).{0,4}(印发|发布|制定|编制|出台)"
                 r"|(印发|发布|编制|出台).{0,4}(部门|单位|机关)", text):
        return ListOf.ISSUER
    return None


def _operation(text: str, lex: Lexicon, many: bool) -> Optional[Operation]:
    if lex.any_in(text, "intent", "arith_ratio"):
        return Operation.RATIO
    if lex.any_in(text, "intent", "arith_sum"):
        return Operation.SUM
    if many and lex.any_in(text, "intent", "arith_higher"):
        return Operation.HIGHER
    if lex.any_in(text, "intent", "arith_diff"):
        return Operation.DIFF
    return None


def parse(ctx: QAContext, lex: Lexicon, question: str) -> Query:
    text0 = norm(question)
    text, rewrites = lex.rewrite(text0, ctx.in_plans)
    a = analyze(ctx, text, lex)
    a.question = question
    a.terms = _clean_terms(a.terms, lex)
    a.topic = "".join(a.terms)
    a.neighbours = neighbours(ctx, lex, a.terms)
    many = len(a.doc_ids) > 1
    fam, word = asked_family(text, lex)
    slots = Slots(doc_ids=a.doc_ids, cities=a.cities, districts=a.districts, foreign=a.foreign,
                  period=period_ask(text0, a.explicit_years, lex), quantity=QuantityAsk(fam, word),
                  subject=a.topic, terms=a.terms)
    slots.operation = _operation(text, lex, many)
    slots.list_of = _list_of(a, text, lex)
    if lex.any_in(text, "indicator_list", "binding"):
        slots.bindingness = "约束性"
    elif lex.any_in(text, "indicator_list", "expected"):
        slots.bindingness = "预期性"
    # a number is asked: a quantity word (多少辆, 率, 投资 …) or a number-asking cue; 目标/要求
    # alone ask for a statement, not a figure
    value_like = bool(fam) or lex.any_in(text, "intent", "number")
    asked = slots.period.for_plan(_first_period(ctx, a))
    if slots.period.kind == "baseline" or asked in ("baseline", "past"):
        side, side_why = Intent.BASELINE, "baseline period word or year"
    elif slots.period.kind == "target" or a.wants_target:
        side, side_why = Intent.VALUE, "target word or the plan's years"
    elif lex.any_in(text, "intent", "explain") and not value_like:
        side, side_why = Intent.EXPLAIN, "explain cue without a quantity"
    elif value_like:
        was = lex.any_in(text, "intent", "baseline")
        side, side_why = (Intent.BASELINE if was else Intent.VALUE), "quantity asked"
    else:
        side, side_why = Intent.FACT, "no cue"
    if side in (Intent.VALUE, Intent.BASELINE) and not value_like:
        side = Intent.EXPLAIN if lex.any_in(text, "intent", "explain") else Intent.FACT
        side_why += "; no quantity asked"
    if slots.operation is not None and (many or side in (Intent.VALUE, Intent.BASELINE)
                                        or slots.operation in (Operation.SUM, Operation.RATIO)):
        intent, why = Intent.ARITHMETIC, f"arithmetic cue ({slots.operation.value})"
    elif a.compare:
        intent, why = Intent.COMPARE, "several plans named or a comparison cue"
    elif slots.list_of is not None and (
            a.wants_list or slots.list_of in (ListOf.REGULATION, ListOf.DISTRICT, ListOf.ISSUER)):
        intent, why = Intent.LIST, f"list of {slots.list_of.value}"
    else:
        intent, why = side, side_why
    q = Query(question=question, text=text, intent=intent, slots=slots, analysis=a,
              rewrites=rewrites, why=why,
              sub_intent=side if intent in (Intent.COMPARE, Intent.ARITHMETIC) else None)
    return q


def _clean_terms(terms: list[str], lex: Lexicon) -> list[str]:
    """Content words without question words and cue words (为什么, 怎么办, 更高 …), which are
    about the asking, not the subject: the evidence need not contain them."""
    cues = sorted(set(lex.words("noise", "words")) | set(lex.words("intent", "explain"))
                  | set(lex.words("intent", "arith_higher")) | set(lex.words("intent", "arith_diff"))
                  | set(lex.words("intent", "arith_sum")), key=len, reverse=True)
    out = []
    for t in terms:
        for c in cues:
            if c in t and (len(t) - len(c) >= 2 or t == c):
                t = t.replace(c, "")
        if len(t) >= 2 or (t and t.isascii() and t.isalnum()):
            out.append(t)
    return out


def neighbours(ctx: QAContext, lex: Lexicon, terms: list[str]) -> list[str]:
    """Embedding neighbours over the graph's vocabulary: for each content word the plans never
    write, the indicator label closest to it by m3e cosine, when at least the lexicon's
    [neighbours] min_cosine (a paraphrase bridge beside the thesaurus)."""
    unseen = [t for t in terms if len(t) >= 2 and not ctx.in_plans(t)]
    floor = float(lex.cues.get("neighbours", {}).get("min_cosine", 1.1))
    if not unseen or ctx.embed is None or floor > 1.0:
        return []
    vecs = ctx.label_vectors()
    labels = ctx._distinct_labels()
    if vecs is None or not labels:
        return []
    sims = ctx.embed(unseen) @ vecs.T
    out = []
    for row in sims:
        j = int(row.argmax())
        if row[j] >= floor and labels[j] not in out:
            out.append(labels[j])
    return out


def _first_period(ctx: QAContext, a: Analysis) -> Optional[tuple[int, int]]:
    for d in a.doc_ids:
        if ctx.docs[d].period:
            return ctx.docs[d].period
    return None
