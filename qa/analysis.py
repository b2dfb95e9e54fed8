"""Question analysis: which plans (cities, districts), which years or period, which indicator,
and what kind of answer is wanted (value, list, comparison, a regulation's status ...).

Everything is read against the QAContext (catalog cities, the graph's districts and
indicator labels); nothing names a particular city.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Optional

from core.periods import PERIOD_RE, plan_span
from core.question import five_year, years
from core.zh import aliases_of, norm
from qa.context import QAContext
from qa.lexicon import Lexicon, load_lexicon
from qa.text import has_cjk, unique

# the head word of an indicator name (…利用率, …比例, …密度)
HEAD = re.compile(r"(率|比例|占比|比重|密度|面积|数量|总量|规模|能力|频次|覆盖率|普及率)$")
# words that say nothing about the topic (removed from the topic phrase)
NOISE = set("""的 了 吗 呢 吧 啊 呀 么 嘛 是 有 和 与 及 或 在 对 把 被 将 从 由 向 以 为 于 之 其 该 此 这 那
 都 又 就 还 也 要 会 能 可 请 问 请问 一下 里 中 上 下 等 个 什么 啥 哪 哪个 哪些 哪几 几 多少 多大 多高
 多长 怎么 怎样 如何 怎么样 怎么说 是否 有没有 有无 具体 分别 各自 各 都是 又是 是多少 目标 要求 目标值
 指标 计划 打算 准备 达到 要达到 达 到 至 末 期末 年末 期间 时期 现在 目前 现状 当前 规划 本 规划期 文件
 提出 提了 提 定了 定 设定 设置 安排 数值 水平 情况 方面 多少钱 城市 两市 两地 两个 两座 各市 各地 对比
 比较 比一比 有何 不同 区别 异同 差异 相比 说 讲 写 规定 哪一 哪里 哪儿 叫 名字 叫什么 呢 啦 吗 了 得
 达成 实现 提高 提升 上升 下降 控制 十四五 十三五 计划 我 我们 你 想 知道 告诉 一个 多 少 占 市 又
 怎么样了 新 所 的话 来说 内容 有关 关于 相关 情况 怎样 应该 需要 这个 那个 只 做 要建 建 叫做
 哪几个 哪几部 哪几段 哪几类 哪几项 哪几句 几句话 句话 哪四个 哪三个 哪两个 哪五个 给 让 被 按 归 大
 占 比 用 跟 同 同比 自 当年 今年 明年 去年 座 项 条 家 处 辆 盏 吨 只 件 台 套 户 段 部
 类 种 名 位""".split())
# words that carry little topic but help find the sentence (kept as low-weight search terms)
SOFT = set("""目标 要求 目标值 指标 计划 文件 设定 设置 安排 数值 水平 规定 实现 提高 提升 上升 下降 控制
 达到 提出 规划 主题 部门 单位 名称 面积 长度 多长 区 县 市 镇""".split())
QWORD_PREFIX = re.compile(r"^(哪些|哪个|哪几个|哪几|哪|什么|多少|几个)(?=[\u4e00-\u9fff]{2})")
QUANT_WORD = re.compile(r"哪?[几一二三四五六七八九十两]+(个|部|段|类|项|句|句话|条|种|座|家|大类)?")


@dataclass
class Analysis:
    question: str
    text: str                                  # normalised question
    cities: list[str] = field(default_factory=list)         # catalog cities named
    districts: list[tuple[str, str]] = field(default_factory=list)   # (name as written, doc_id)
    doc_ids: list[str] = field(default_factory=list)        # plans the question is about
    all_plans: bool = False                    # 两市 / 各地 … (every plan)
    foreign: list[str] = field(default_factory=list)        # places not in the catalog
    years: list[int] = field(default_factory=list)
    period: Optional[str] = None               # target | baseline (十四五末 / 十三五)
    compare: bool = False
    wants_list: bool = False
    wants_value: bool = False
    wants_baseline: bool = False
    wants_target: bool = False
    reg_status: Optional[str] = None           # to_revise | to_issue | existing
    reg_kind: Optional[str] = None
    asks_regulation: bool = False
    asks_project: bool = False
    asks_district: bool = False
    topic: str = ""                            # content words, joined
    terms: list[str] = field(default_factory=list)          # content words
    soft_terms: list[str] = field(default_factory=list)     # low-weight search words (目标, 文件 …)
    explicit_years: list[int] = field(default_factory=list)  # written as 2023年 (not 十四五末)
    query: str = ""                            # retrieval query (question minus place names)
    phrase: str = ""                           # the indicator-like phrase (…燃气普及率), if any
    light_terms: list[str] = field(default_factory=list)    # verbs (新建, 实现): half weight
    neighbours: list[str] = field(default_factory=list)     # plan words near unplanned terms

    @property
    def empty_topic(self) -> bool:
        return not self.terms

    def district_names(self, doc_id: str) -> list[str]:
        """Every way of writing the asked districts of one plan (越城区, 越城)."""
        return [al for name, d in self.districts if d == doc_id for al in aliases_of(name)]


def _foreign_places(ctx: QAContext, text: str, known: set[str]) -> list[str]:
    """Place names (jieba's ns tag) that are neither catalog cities nor their districts."""
    generic = set(load_lexicon().words("places", "generic"))
    features = ("江", "河", "湖", "山", "路", "街", "桥", "港", "湾", "岛", "园", "馆", "场", "站", "溪",
                "渠", "线", "塘", "门", "寺", "峰", "坝", "谷")
    # a place jieba tags as one (ns), or a word the question writes with an administrative
    # suffix (宁波市); a word that only some dictionary place extends (新建 -> 新建县) is not
    cands = [w for w, f in ctx.pos_words(text) if len(w) >= 2 and (
        f == "ns" or (ctx.is_place_word(w, f) and any(w + suf in text for suf in "市县省")))]
    out: list[str] = []
    for w in cands:
        if ctx.word_uses(w) >= 2:      # the plans use it as a word (新建, 长度), not as a place
            continue
        base = re.sub(r"(市|省|县|区)$", "", w)
        if w in generic or base in generic or len(base) < 2 or w.endswith(features):
            continue
        if any(base in k or k in w for k in known) or any(base in o or o in w for o in out):
            continue
        out.append(w)
    return out


def _topic_terms(ctx: QAContext, text: str, remove: list[str]) -> tuple[list[str], list[str]]:
    t = text
    for r in sorted(remove, key=len, reverse=True):
        t = t.replace(r, " ")
    t = re.sub(r"(?:19|20)\d\d\s*年?|[〇零一二三四五六七八九]{4}年|"
               f"{PERIOD_RE.pattern}(?:末|期末|期间|时期)?", " ", t)
    toks = [QWORD_PREFIX.sub("", w) or w for w in ctx.words(t)]
    soft = unique(w for w in toks if w in SOFT or (w in "区县市镇" and len(w) == 1))
    toks = [w for w in toks if w not in SOFT or w in NOISE]
    keep = [not (w in NOISE or QUANT_WORD.fullmatch(w) or re.fullmatch(r"[0-9.]+", w)
                 or not re.search(r"[\u4e00-\u9fffa-z0-9]", w)) for w in toks]
    words: list[str] = []
    joined_prev = False          # the last emitted word ends right before the current token
    i = 0
    while i < len(toks):
        w = toks[i]
        if not keep[i]:
            joined_prev = False
            i += 1
            continue
        if len(w) == 1 and not re.fullmatch(r"[a-z0-9]", w):
            # a single character belongs to its neighbour (再生+水, 亮灯+率), else it is dropped
            if joined_prev and words:
                words[-1] += w
            elif i + 1 < len(toks) and keep[i + 1]:
                toks[i + 1] = w + toks[i + 1]
            i += 1
            continue
        words.append(w)
        joined_prev = True
        i += 1
    return words, soft


def _indicator_phrase(terms: list[str], max_chars: int = 12) -> str:
    """The words that end in the last indicator head word (燃气 普及率 -> 燃气普及率)."""
    for i in range(len(terms) - 1, -1, -1):
        if HEAD.search(terms[i]):
            out = terms[i]
            for j in range(i - 1, -1, -1):
                if len(out) + len(terms[j]) > max_chars:
                    break
                out = terms[j] + out
            return out if len(out) >= 4 else ""
    return ""


def analyze(ctx: QAContext, question: str, lex: Optional[Lexicon] = None) -> Analysis:
    lex = lex or load_lexicon()

    text = norm(re.sub(r"<[^>]{0,200}>", " ", question))
    a = Analysis(question=question, text=text)
    if not has_cjk(text):
        return a
    # places: catalog cities, then districts of the plans (core.question, as retrieval reads them)
    found = ctx.place_index.find(text)
    cities = ctx.city_names()
    a.cities, a.districts = found.cities, list(found.districts)
    removed, masked = list(found.removed), found.masked
    known = ctx.known_places()
    for w in _foreign_places(ctx, masked, known):
        # a place a plan writes as an administrative unit (诸暨市, 上虞区) belongs to that plan
        base = re.sub(r"(市|省|县|区)$", "", w)
        owners = [d for d, raw in ctx.texts.items() if any(base + suf in raw for suf in "市区县")]
        if owners:
            written = next((base + suf for suf in "市区县" if base + suf in masked), w)
            removed.append(written)
            masked = masked.replace(written, "")
            a.districts += [(w, d) for d in owners if (w, d) not in a.districts]
        else:
            a.foreign.append(w)
    a.all_plans = bool(found.every)
    # the plans of the named districts, those the foreign-place check added included
    a.doc_ids = replace(found, districts=a.districts).plans(list(ctx.docs))
    # years and period
    a.years = years(text)
    a.explicit_years = list(a.years)
    fy = five_year(text)
    for n, kind in fy:
        s, e = plan_span(n)
        if kind == "end":
            a.years = unique(a.years + [e])
    a.wants_baseline = lex.any_in(text, "intent", "baseline")
    current = [n for n, _ in fy if any(d.period and plan_span(n)[1] >= d.period[0]
                                       for d in ctx.docs.values())]
    a.wants_target = lex.any_in(text, "intent", "target") or bool(current) or any(
        any(d.period and y >= d.period[0] for d in ctx.docs.values()) for y in a.years)
    # intents
    many = len(a.doc_ids) > 1
    a.compare = many and (len(a.cities) > 1 or a.all_plans or lex.any_in(text, "intent", "compare")
                          or lex.any_in(text, "intent", "split") or "都" in text)
    a.wants_list = lex.any_in(text, "intent", "list") or bool(lex.pattern("intent", "list_re").search(text))
    a.wants_value = lex.any_in(text, "intent", "value")
    status_cue = any(c in text for c in lex.words("regulation", "revise") + lex.words("regulation", "issue")
                     + lex.words("regulation", "existing"))
    a.asks_regulation = lex.any_in(text, "regulation", "words") or "《" in text or (
        status_cue and bool(re.search(r"(规划|计划|方案)(有|是|包括|都|呢|吗|[?？]|$)"
                                      r"|哪(些|几)[^?？]{0,4}(规划|计划|方案)", text)))
    if a.asks_regulation:
        if lex.any_in(text, "regulation", "existing"):
            a.reg_status = "existing"
        elif lex.any_in(text, "regulation", "revise"):
            a.reg_status = "to_revise"
        elif lex.any_in(text, "regulation", "issue"):
            a.reg_status = "to_issue"
        kinds = lex.found(text, "regulation", "kinds")
        a.reg_kind = kinds[0] if len(kinds) == 1 else None
    a.asks_project = lex.any_in(text, "project", "words")
    a.asks_district = bool(re.search(r"哪(几|些)个?(区|县|县\(市\)|县市|区县|街道|乡镇)", text))
    a.terms, a.soft_terms = _topic_terms(ctx, text, removed)
    a.topic = "".join(a.terms)
    a.phrase = _indicator_phrase(a.terms)
    verbs = {w for w, f in ctx.pos_words(text) if f in ("v", "vd", "ad", "d", "a")}
    a.light_terms = [t for t in a.terms if t in verbs]
    q = text
    for r in sorted(removed, key=len, reverse=True):
        if any(r == ctx.docs[d].city or r in cities for d in ctx.docs):
            q = q.replace(r, " ")
    a.query = re.sub(r"\s+", " ", q).strip() or text
    return a
