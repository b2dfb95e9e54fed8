"""The kind of a value stated in running text — baseline, status (an achievement), target or
milestone — and the period a value without its own time belongs to.

Order of evidence (the value's clause up to the number, its comparator word included):
1. a future/target verb (将达到, 力争, 确保, 计划, 预计, 争取, 即将, 目标 …) -> target;
   "将" only as the future auxiliary (将达到, 将新建), not as the object marker (将全市…划分为);
   inside a review of the last period (十三五成就) a future verb states where that period
   ends ("将达到80%以上"), a status, unless the clause names the plan's own time;
2. a past marker (已, 了, 截至, 目前, 累计完成 …) -> status; weak ones (累计, 共有, 现有) only
   outside a plan section ("5年累计新增…" in a 十四五 task is a target);
3. the time of the value: a year before the plan's first year, or an earlier five-year period,
   -> status; 到/至 a later year or the plan's own period -> target;
4. the section: review sections (十三五成就/回顾/现状) and descriptive opening sections
   (前言/总述/概况) -> status, others -> target.
Then (refine_kind): a status of the year before the plan (2020年, 十三五末) is the plan's
baseline; a target for a year before the plan's last year (2022年底) is a milestone.
"""
from __future__ import annotations

import re
from typing import Optional

from core.periods import PERIOD_RE, plan_number_of, previous_name

FUTURE = re.compile(
    r"力争|确保|争取|预计|预期|计划|目标|即将|有望|拟|"
    r"将(?:要|会|在|于|达到|达|实现|完成|新建|建成|建设|提高|提升|增加|增至|超过|控制|保持|"
    r"形成|突破|降至|降低|下降|上升|扩大|新增|全面|基本|进一步|逐步|累计)|"
    r"(?:到|至)\s*[“\"]?" + PERIOD_RE.pattern + r"|(?:到|至)\s*20\d\d")
STRONG_PAST = re.compile(r"已|(?<![为除])了(?!解)|截至|截止|目前|先后|相继|以来|曾经|累计完成")
WEAK_PAST = re.compile(r"累计|共有|现有|拥有|共计|总计")
# Opening sections that describe the plan's area as it is (规划范围…总面积8256平方公里).
DESCRIPTIVE_SECTION = re.compile(r"前言|总述|概况|概述|基本情况|市情")


def section_state(achieved_context: Optional[bool], section_path: str) -> Optional[bool]:
    """The review/plan state of a section (DocContext.is_achieved_context), with descriptive
    opening sections counted as stating the present."""
    if achieved_context is None and DESCRIPTIVE_SECTION.search((section_path or "").split(">")[0]):
        return True
    return achieved_context


def previous_period(fyp: str) -> str:
    """十四五 -> 十三五 ('' when unknown)."""
    return previous_name(fyp) or "" if fyp else ""


def value_kind(before: str, year: Optional[int], period: Optional[str],
               section_achieved: Optional[bool], start_year: Optional[int], fyp: str,
               name_span: Optional[tuple[int, int]] = None) -> str:
    """'target' or 'status' for a value whose clause text up to its number is `before`;
    markers starting inside `name_span` (the indicator's name) do not count."""
    def hits(rx):
        return [m for m in rx.finditer(before)
                if not (name_span and name_span[0] <= m.start() < name_span[1])]
    future = [m for m in hits(FUTURE)
              if not (m.group(0)[:1] in "到至" and _past_time(m.group(0), start_year, fyp))]
    own_time = bool((year and start_year and year >= start_year) or
                    (period and fyp and period.startswith(fyp)))
    if future:
        return "status" if section_achieved and not own_time else "target"
    if hits(STRONG_PAST):
        return "status"
    if hits(WEAK_PAST) and section_achieved is not False:
        return "status"
    if year and start_year:
        return "status" if year < start_year else "target"
    if period and fyp:
        return "target" if period.startswith(fyp) else "status"
    return "status" if section_achieved else "target"


def future_said(before: str, name_span: Optional[tuple[int, int]] = None) -> bool:
    """A future/target verb in `before` outside the indicator's name."""
    return any(not (name_span and name_span[0] <= m.start() < name_span[1])
               for m in FUTURE.finditer(before))


def refine_kind(kind: str, year: Optional[int], period: Optional[str],
                start_year: Optional[int], end_year: Optional[int], fyp: str) -> str:
    """status -> baseline for a value of the year before the plan (2020年 in a 2021-2025 plan,
    十三五末); target -> milestone for a year inside the plan before its last year."""
    prev = previous_period(fyp)
    if kind == "status":
        if (year and start_year and year == start_year - 1) or (prev and period == prev + "末"):
            return "baseline"
        return "status"
    if kind == "target" and year and start_year and end_year and start_year <= year < end_year:
        return "milestone"
    return kind


def _past_time(phrase: str, start_year: Optional[int], fyp: str) -> bool:
    """到2019年 / 至十三五 in a later plan: a time already past, not a target marker."""
    y = re.search(r"20\d\d", phrase)
    if y:
        return bool(start_year) and int(y.group(0)) < start_year
    p = PERIOD_RE.search(phrase)
    n, own = (plan_number_of(p.group(0)) if p else None), plan_number_of(fyp) if fyp else None
    return bool(n is not None and own is not None and n < own)


def default_period(kind: str, section_achieved: Optional[bool], fyp: str,
                   future: bool = False) -> Optional[str]:
    """Period of a value stated without a time of its own: a target belongs to the plan's
    period; a status in a review section to the last period (its end when the review says
    where the period will end: "将达到80%以上")."""
    if not fyp:
        return None
    if kind == "target":
        return fyp
    if section_achieved:
        prev = previous_period(fyp)
        return (prev + "末" if future else prev) if prev else None
    return None
