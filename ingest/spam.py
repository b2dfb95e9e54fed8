"""Detection of injected web spam (SEO strings of gambling/streaming sites) in plan text.

Generic, vocabulary- and shape-based; no list of known spam strings. A clause (text between
punctuation) is spam when it carries gambling/advertising vocabulary AND some sign of the web
(a lower-case Latin/digit token such as `abc365bet`, a URL, `_`/`|`-joined SEO segments, or
site words like 官网/免费看). Upper-case acronyms (G20, LNG, PPP, 5G, APP, PM2.5, CBD) never
count, government URLs (.gov.cn) are ignored, and bars joining words are no evidence (table
cells are written that way). The removed span is trimmed to run from the
first to the last suspicious element of the clause, so the surrounding prose survives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.types import SpamSpan

# gambling / lottery / casino vocabulary (strong evidence, 2 points each)
GAMBLING = ("娱乐场", "娱乐城", "娱乐平台", "博彩", "棋牌", "真人视讯", "真人娱乐", "真人百家乐",
            "赌场", "赌博", "彩票", "百家乐", "老虎机", "时时彩", "六合彩", "体育官网", "体育投注",
            "投注", "下注", "电子游艺", "彩金", "注册送", "开户送", "首存", "开户")
GAMBLING_LATIN = re.compile(r"bet|casino|poker|slots?|lottery|baccarat", re.I)
# site/advertising words (weak evidence, 1 point; several also show the string is from the web)
WEB_WORDS = ("官网", "官方网站", "网址", "免费看", "免费观看", "在线观看", "在线看", "手机版",
             "客户端下载", "下载", "登录", "入口", "注册", "全集", "高清")
WEAK_ONLY = ("平台",)
PROMO = re.compile(r"(?:送|返|赠)\d+(?:元|%|％)?(?:彩金|红包)?")   # 注册送38元, 首存返100%
SEASON = re.compile(r"第[一二三四五六七八九十\d]+[季集]")
URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9_.\-/]+"
                 r"|[A-Za-z0-9_\-]+\.(?:com|net|cc|vip|top|xyz|org|cn|me|tv)(?![A-Za-z])", re.I)
LATIN = re.compile(r"[A-Za-z0-9_.]*[A-Za-z][A-Za-z0-9_.]*")
ALNUM = re.compile(r"[A-Za-z0-9]+")
# clause boundaries: sentence and clause punctuation, quotes, brackets, line breaks
BOUNDARY = re.compile(r"[，,、。；;：:！!？?“”‘’「」『』（）()《》〈〉【】\[\]\n]")
NEAR = 4            # digit runs this close to a suspicious element join the spam span
CHAIN = re.compile(r"(?<=[\w\u3400-\u9fff])[_|｜](?=[\w\u3400-\u9fff])")


@dataclass
class ClauseEvidence:
    score: int = 0
    web: bool = False                                   # some sign the string is from a web page
    strong: bool = False
    reasons: list[str] = field(default_factory=list)
    marks: list[tuple[int, int]] = field(default_factory=list)   # spans of suspicious elements


def _is_acronym(tok: str) -> bool:
    """Upper-case codes and units such as G20, LNG, 5G, PM2.5, APP, 2.0 (never spam evidence)."""
    return not re.search(r"[a-z]", tok)


def _is_gov_url(tok: str) -> bool:
    return bool(re.search(r"\.gov(\.cn)?\b|\.edu(\.cn)?\b", tok, re.I))


def clause_evidence(clause: str) -> ClauseEvidence:
    ev = ClauseEvidence()
    found_strong = [w for w in GAMBLING if w in clause]
    found_strong = [w for w in found_strong if not any(w != o and w in o for o in found_strong)]
    for w in found_strong:
        ev.score += 2
        ev.strong = True
        ev.marks += [(m.start(), m.end()) for m in re.finditer(re.escape(w), clause)]
    if found_strong:
        ev.reasons.append("gambling terms " + "/".join(found_strong))
    for m in LATIN.finditer(clause):
        tok = m.group()
        if _is_acronym(tok):
            continue
        if URL.fullmatch(tok) and _is_gov_url(tok):
            continue
        ev.marks.append((m.start(), m.end()))
        ev.web = True
        ev.score += 1
        ev.reasons.append(f"latin token {tok.strip('_.')}")
        if GAMBLING_LATIN.search(tok):
            ev.score += 2
            ev.strong = True
            ev.reasons.append("gambling word in latin token")
        if re.search(r"[A-Za-z]", tok) and re.search(r"\d", tok):
            ev.score += 1
    for m in URL.finditer(clause):
        if not _is_gov_url(m.group()):
            ev.web = True
            ev.score += 2
            ev.marks.append((m.start(), m.end()))
            ev.reasons.append(f"url {m.group()}")
    chains = [m for m in CHAIN.finditer(clause) if m.group() == "_"]   # bars also join cells
    if chains:
        ev.web = True
        ev.score += 1
        ev.reasons.append("segments joined by _")
    web_words = [w for w in WEB_WORDS if w in clause]
    web_words = [w for w in web_words if not any(w != o and w in o for o in web_words)]
    for w in web_words:
        ev.score += 1
        ev.web = True
        ev.marks += [(m.start(), m.end()) for m in re.finditer(re.escape(w), clause)]
    if web_words:
        ev.reasons.append("site words " + "/".join(web_words))
    for w in WEAK_ONLY:
        if w in clause:
            ev.score += 1
    for m in PROMO.finditer(clause):
        ev.marks.append((m.start(), m.end()))
    for m in SEASON.finditer(clause):
        ev.marks.append((m.start(), m.end()))
    return ev


def _digit_runs(clause: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in ALNUM.finditer(clause)]


def find_spam(raw: str, doc_id: str, min_score: int = 3) -> list[SpamSpan]:
    """All spam spans of a document, in text order, with the reasons they were flagged."""
    spans: list[SpamSpan] = []
    start = 0
    for b in list(BOUNDARY.finditer(raw)) + [None]:
        end = b.start() if b else len(raw)
        clause = raw[start:end]
        cs = start
        start = b.end() if b else len(raw)
        if not clause or not (re.search(r"[A-Za-z_|｜]", clause)
                              or any(w in clause for w in GAMBLING)):
            continue
        ev = clause_evidence(clause)
        if not (ev.strong and ev.web and ev.score >= min_score):
            continue
        marks = ev.marks + [(m.start(), m.end()) for m in CHAIN.finditer(clause)]
        s = min(m[0] for m in marks)
        e = max(m[1] for m in marks)
        # digit runs next to the suspicious elements (e.g. "365完美体育官网") belong to them
        for ds, de in _digit_runs(clause):
            if de >= s - NEAR and ds <= e + NEAR:
                s, e = min(s, ds), max(e, de)
        s, e = _trim_span(clause, s, e)
        if s < e:
            spans.append(SpamSpan(doc_id=doc_id, start=cs + s, end=cs + e, text=clause[s:e],
                                  reason="; ".join(dict.fromkeys(ev.reasons))))
    return spans


def _trim_span(clause: str, s: int, e: int) -> tuple[int, int]:
    while s < e and clause[s] in " \t\u3000_|｜-":
        s += 1
    while e > s and clause[e - 1] in " \t\u3000_|｜-":
        e -= 1
    return s, e


def mask(raw: str, spans: list[SpamSpan]) -> str:
    """raw_text with spam spans blanked by spaces: same length, so offsets stay valid."""
    chars = list(raw)
    for sp in spans:
        for i in range(sp.start, sp.end):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)
