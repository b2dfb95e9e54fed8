"""Heading recognition for Chinese plans: 第一章 / 第一节 / 一、 / (一)（一） / 1、1. / (1)（1） / ①.

A line is a *standalone* heading when it starts with a numbering marker, is short and has no
sentence inside it; it is an *inline* heading when the marker is followed by a short lead
sentence and then body text ("1、提高垃圾综合治理绩效。推进…"): the lead is the title.
Levels are ranks of the marker styles present in the document (so 一、 is level 1 in a plan
without chapters and level 3 under 第一章/第一节).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

CN = "〇零一二三四五六七八九十百"
# (style, rank, pattern of the marker at line start)
STYLES: list[tuple[str, int, re.Pattern]] = [
    ("part", 0, re.compile(rf"^第[{CN}\d]+[篇部分]+\s*")),
    ("chapter", 1, re.compile(rf"^第[{CN}\d]+章\s*")),
    ("jie", 2, re.compile(rf"^第[{CN}\d]+节\s*")),
    ("cn_dun", 3, re.compile(rf"^[{CN}]+\s*[、．.]\s*")),
    ("cn_paren", 4, re.compile(rf"^[(（]\s*[{CN}]+\s*[)）]\s*")),
    ("num_dun", 5, re.compile(r"^\d{1,2}\s*(?:、|[.．](?!\d))\s*")),
    ("num_paren", 6, re.compile(r"^[(（]\s*\d{1,2}\s*[)）]\s*")),
    ("circled", 7, re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]\s*")),
]
MAX_HEADING = 50        # characters of a standalone heading line
MAX_LEAD = 30           # characters of an inline heading's lead sentence
LEAD_END = re.compile(r"[。：:；;！？]")


@dataclass(frozen=True)
class Heading:
    style: str
    rank: int
    number: str          # the marker as written, e.g. "(二)", "3、", "第一章 "
    title: str           # heading title (inline: the lead sentence without its 。)
    start: int           # offset of the marker
    title_end: int       # offset after the title
    inline: bool         # the line continues with body text


def match_heading(text: str, start: int) -> Optional[Heading]:
    """Heading of one trimmed line (text == raw[start:start+len(text)]), or None."""
    for style, rank, pat in STYLES:
        m = pat.match(text)
        if not m:
            continue
        body = text[m.end():]
        number = text[:m.end()].rstrip()
        if not body or not re.match(r"[\u3400-\u9fff“《\"'A-Za-z0-9]", body):
            return None
        if re.match(r"[是要则]", body) and style in ("cn_dun", "num_dun"):
            return None
        if re.search(r"[；;，,、]$", text):
            return None          # an item of a list written one per line, not a heading
        if len(text) <= MAX_HEADING and not re.search(r"[。；;！？!?]", text[:-1]) \
                and (not text.endswith("。") or len(body) <= MAX_LEAD):
            # a short line, at most one short sentence: "（一）加强组织领导。" is a heading too
            return Heading(style, rank, number, body.strip().rstrip("。"), start,
                           start + len(text), inline=False)
        lead = LEAD_END.search(body)
        if lead and 2 <= lead.start() <= MAX_LEAD and lead.end() < len(body):
            title = body[:lead.start()].strip()
            return Heading(style, rank, number, title, start,
                           start + m.end() + lead.start(), inline=True)
        return None
    return None


def assign_levels(headings: list[Heading]) -> dict[int, int]:
    """rank -> level (1-based) over the ranks present in the document."""
    ranks = sorted({h.rank for h in headings})
    return {r: i + 1 for i, r in enumerate(ranks)}
