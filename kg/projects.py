"""Projects: rows of project tables (ingest's tables; e.g. utility tunnels with district, road, start, end,
length) and named facilities and works in running text (…焚烧厂, …处理中心, …泵站, …工程,
…项目, …储配库, …气源站, …调峰储运站 …) with the attributes stated next to them.

Text: a sentence is cut into runs at punctuation (brackets protected); a run ending in a
facility word is a facility, starting after the last verb of the run (建设完成, 推进, 加快 …).
Runs joined by 、 share the facility word ("大件垃圾、园林垃圾处置项目"), or, when the earlier
items are places, the facility is repeated for each place ("嵊州市、新昌县…垃圾焚烧项目").
A place opening a sentence ("越城区建设完成…") is the district of every facility listed in it.
"""
from __future__ import annotations

import re
from typing import Optional

from core.types import Table, TableRow
from ingest.tables import header_name_unit
from kg import tables as tb
from kg.context import DocContext, iri
from kg.model import Project
from kg.nlp import sentences
from kg.targets import masked
from kg.values import find_times, find_values, unit_class

STRONG = sorted("""焚烧发电项目 焚烧厂 处理中心 处置中心 分拣中心 泵站 储配库 气源站 储运站 处理厂 水厂 填埋场
综合体 消纳场 停保基地 管廊 码头 产业园 工程 项目 处理站 中转站 转运站""".split(), key=len, reverse=True)
WEAK = ["服务平台", "平台", "绿地", "花海", "绿道网"]
_SUFFIX = re.compile("|".join(map(re.escape, STRONG + WEAK)))
_BOUNDARY = sorted("""建设完成 建成投用 已建成 建成 完成 实施 推进 加快 加强 开始使用 使用 正在实施 正在建设 新建
改建 建设 开展 启动 谋划 打造 包括 其中 以及 实现 依托 参照 抓好 推动 落实 如 对 在 将 把 督促 做好 出台
的 为 是 已 有 即 目前 就 于 宜 应 积极 重点 全面 进一步 计划 力争 推广 研究制定 负责 保证 通过 强化
兼顾 鼓励 发布 完善 优化 提高""".split(), key=len,
                   reverse=True)
_GENERIC = re.compile(r"^(重大|一般|重点|相关|各类|配套|民心|样板|示范|试点|这些|该|本|其他|一批|一系列|"
                      r"建设|基础设施|各项|重大建设|一般建设|城市管理建设|有关|专项)")
_COUNT = re.compile(r"\d+(?:\.\d+)?\s*(?:[座个处项条家段批%]|[万亿]?(?:公里|米|吨|平方米|立方米|元))")
_ONE_CHAR_P = set("以对在将把为向从由于")
_BAD_START = re.compile(r"^([一二三四五六七八九十]+[是)）、]|了|和|及|与|的|\d)")
_PLACE_END = re.compile(r"[山湖江岭港河村路桥镇区县市]$")


def _runs(text: str) -> list[tuple[int, int, str]]:
    """(start, end, separator after) pieces of a sentence; brackets are not split; 和/及/与
    right after a facility word separates two facilities."""
    ends = {m.end() for m in _SUFFIX.finditer(text)}
    out, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "(（":
            depth += 1
        elif ch in ")）" and depth:
            depth -= 1
        elif depth == 0 and (ch in ",，:：、等 \t" or (ch in "和及与" and i in ends)):
            out.append((start, i, ch))
            start = i + 1
    out.append((start, len(text), ""))
    return [(s, e, sep) for s, e, sep in out if e > s]


def _facility_end(run: str) -> Optional[tuple[int, str]]:
    hits = list(_SUFFIX.finditer(run))
    if not hits:
        return None
    m = hits[-1]
    end = m.end()
    pm = re.match(r"\s*[(（][^()（）]{1,24}[)）]", run[end:])
    if pm:
        end += pm.end()
    if run.count("“", 0, end) > run.count("”", 0, end) and run[end:end + 1] == "”":
        end += 1
    return end, m.group(0)


def _cut(candidate: str, suffix: str, res) -> str:
    starts = res.token_starts(candidate)
    best = 0
    for w in _BOUNDARY:
        for m in re.finditer(re.escape(w), candidate):
            cut = m.end()
            if m.start() in starts and cut in starts | {len(candidate)} and \
                    len(candidate) - cut - len(suffix) >= 3 and cut > best:
                best = cut
    for m in _COUNT.finditer(candidate):
        if len(candidate) - m.end() - len(suffix) >= 2 and m.end() > best:
            best = m.end()
    name = candidate[best:].lstrip("“”\"( （)）")
    tm = find_times(name)
    if tm and tm[0].start == 0 and len(name) - tm[0].end - len(suffix) >= 2:
        name = name[tm[0].end:]                     # 2018年市餐厨垃圾处理中心
    return _strip_verbs(name, suffix, res)


def _strip_verbs(name: str, suffix: str, res) -> str:
    toks = res.pos_cut(name)
    i, cut = 0, 0
    while i < len(toks) - 1:
        w, f = toks[i].word, toks[i].flag
        if (len(w) >= 2 and f[:1] in ("v", "p", "d", "c", "u") and f != "vn") or w in _ONE_CHAR_P:
            cut += len(w)
            i += 1
            continue
        break
    rest = name[cut:]
    return rest if len(rest) - len(suffix) >= 2 else name


def _place_at(text: str, ctx: DocContext) -> Optional[str]:
    hit = _place_len(text, ctx)
    return hit[0] if hit else None


def _place_len(text: str, ctx: DocContext) -> Optional[tuple[str, int]]:
    """(full division name, length of the form written) of a division opening text."""
    divs = ctx.res.gazetteer.divisions(ctx.doc.city)
    for name in sorted(divs, key=len, reverse=True):
        for form in (name, ctx.res.gazetteer.short(name)):
            if text.startswith(form):
                return name, len(form)
    return None


def _attributes(rest: str) -> dict:
    attrs = {}
    for v in find_values(masked(rest)):
        cls = unit_class(v.unit)
        key = {"length": "length", "money": "investment"}.get(cls)
        if key is None and ("吨" in v.unit or "立方米" in v.unit) and "/" in v.unit:
            key = "capacity"
        if key and key not in attrs:
            attrs[key] = v.text
    for t in find_times(rest):
        if t.year and re.search(r"投入运营|投运|投用|建成|完成", rest[t.end:t.end + 12]):
            attrs.setdefault("year", str(t.year))
    return attrs


def _is_place(item: str, ctx: DocContext) -> bool:
    item = item.strip()
    return bool(_place_at(item, ctx) and len(item) <= 6) or (
        2 <= len(item) <= 4 and bool(_PLACE_END.search(item)))


def from_sentence(ctx: DocContext, text: str) -> list[tuple[int, int, str, Optional[str], dict]]:
    """(start, end, name, district, attributes) of the facilities named in one sentence."""
    text_m = masked(text)
    out = []
    lead_place = None
    runs = _runs(text_m)
    pending: list[tuple[int, int]] = []       # earlier 、-items without a facility word
    for ri, (s, e, sep) in enumerate(runs):
        run = text_m[s:e]
        place = _place_at(run, ctx)
        if place and re.match(r"[^，,]{0,6}(建设完成|建成|完成|推进|实施|新建|建设)",
                              run[len(place):]):
            lead_place = place
        fe = _facility_end(run)
        if fe is None:
            pending = pending + [(s, e)] if sep == "、" else []
            continue
        end, suffix = fe
        name = _cut(run[:end], suffix, ctx.res)
        nstart = s + end - len(name)
        if suffix in WEAK and not (place or "“" in name or _place_at(name, ctx)):
            pending = []
            continue
        before = run[:end - len(name)]
        if before and not (_place_at(before, ctx) and len(before) <= 7):
            pending = []
        items = [text_m[a:b] for a, b in pending]
        names = []
        if items and all(_is_place(_cut(i, "", ctx.res) or i, ctx) for i in items):
            hit = _place_len(before + name, ctx)
            own_form = (before + name)[:hit[1]] if hit else ""
            base = (before + name)[len(own_form):].lstrip("的")
            for i in items:
                pl = _cut(i, "", ctx.res) or i
                names.append((_place_at(pl, ctx) or pl, pl + base))
            names.append((hit[0] if hit else None, own_form + base))
        elif items:
            first = _cut(items[0], "", ctx.res) or items[0]
            joined = "、".join([first] + items[1:]) + "、" + name
            nstart = pending[0][0] + (len(items[0]) - len(first))
            names.append((None, joined))
        else:
            names.append((None, name))
        pending = []
        for dist, nm in names:
            nm = nm.strip()
            stem = nm[:-len(suffix)] if nm.endswith(suffix) else nm
            if len(stem) < 2 or _GENERIC.match(nm) or nm in STRONG or _BAD_START.match(nm) \
                    or nm.count(")") > nm.count("(") or nm.count("）") > nm.count("（"):
                continue
            district = dist or _place_at(nm, ctx) or lead_place
            if district and not _place_at(nm, ctx) and not nm.startswith(district) \
                    and not re.match(r"[\u4e00-\u9fff]{2,3}市", nm):
                nm = district + nm
            if "(" in nm and nm.count("(") > nm.count(")"):
                nm = nm[:nm.index("(")]             # 污水处理厂(诸暨浣东再生水厂、… cut off
            if _fragment(nm) or not (is_named(nm, ctx) or _EVENT.search(run)):
                continue
            out.append((nstart, s + end, nm, district, _attributes(text[s + end:])))
    return out + _bracket_instances(ctx, text_m, {o[2] for o in out})


# a facility that opens, runs or is completed is a particular one, even without a name
_EVENT = re.compile(r"开始使用|建成投用|投入运营|投入使用|投运|投用|正式运行|试运行|竣工|正式建成")
_BRACKET = re.compile(r"[(（]([^()（）]{4,60})[)）]")


def _bracket_instances(ctx: DocContext, text: str, seen: set) -> list:
    """Named instances listed in brackets after a kind of facility:
    "2座污水处理厂(诸暨浣东再生水厂、嵊新污水处理厂)" names two plants."""
    out = []
    for m in _BRACKET.finditer(text):
        pos = m.start(1)
        for item in m.group(1).split("、"):
            a, pos = pos, pos + len(item) + 1
            item = item.strip()
            if not _SUFFIX.search(item) or not any(item.endswith(x) for x in STRONG):
                continue
            if item in seen or not is_named(item, ctx) or _fragment(item):
                continue
            out.append((a, a + len(item), item, _place_at(item, ctx), {}))
    return out


_PHASE = re.compile(r"[一二三四五六七八九十\d]+期|[一二三四五六七八九十\d]+阶段")
_OWN = re.compile(r"^(市|区|县|主城区|中心城区|市区|城区)(?![级内域(（])")
_NAME_FLAGS = ("ns", "nr", "nrt")


def is_named(name: str, ctx: DocContext) -> bool:
    """True when a text facility is a particular one, not a kind of facility (亮化工程,
    地下综合管廊, 综合性中转站): it names a place (a division, the city, a rare place or person
    word such as 大坞岙, 眉岱, 钱塘江), a phase (二期), or belongs to the city itself
    (市餐厨垃圾处理中心, 主城区水厂…改造工程)."""
    g = ctx.res.gazetteer
    places = set(g.divisions(ctx.doc.city)) | g.city_names()
    places |= {g.short(n) for n in g.divisions(ctx.doc.city)}
    if any(p in name for p in places if len(p) >= 2) or _PHASE.search(name) or _OWN.match(name):
        return True
    freq = ctx.res.word_freq
    toks = ctx.res.pos_cut(name)
    for i, t in enumerate(toks):
        w = t.word
        if not re.fullmatch(r"[\u4e00-\u9fff]+", w):
            continue
        if len(w) >= 2 and t.flag in _NAME_FLAGS and freq(w) < 500:
            return True
        if len(w) == 1 and freq(w) < 100:           # a rare character: 岙, 岱, 嵊
            return True
        if len(w) == 1 and w in _PLACE_CHARS and i > 0 and \
                toks[i - 1].flag[:1] in ("n", "f") and re.fullmatch(r"[\u4e00-\u9fff]+", toks[i - 1].word):
            return True                                     # 镜子+山, 珊瑚+沙, 中+河
    return False


_PLACE_CHARS = set("山河湖江岭沙港湾岛桥村浦塘岙坞峰溪")


_FRAGMENT_WORDS = re.compile(r"^到|[由对把被将从向]|的|未|进行|参与|购买|之间|上述|共有|范围内")


def _fragment(name: str) -> bool:
    """A clause cut out of a sentence rather than a name (部分建筑垃圾由垃圾填埋场,
    环境卫生管理部门未参与上述项目, 市政道路404公里、桥梁22座…)."""
    bare = re.sub(r"[(（][^()（）]*[)）]", "", name)
    return bool(_FRAGMENT_WORDS.search(bare) or _COUNT.search(bare))


def from_table(ctx: DocContext, t: Table, rows: list[TableRow]) -> list[Project]:
    """Projects of one table with its body `rows` (kg.tables.bodies)."""
    if tb.table_kind(t, rows) != "projects":
        return []
    subject = tb.subject_of_title(t.caption)
    c_dist = tb.col(t, "区域", "区县", "所在区", "行政区", "地区", "县市")
    c_name = tb.col(t, "名称", "道路", "项目", "工程", exclude=("起点", "终点"))
    out = []
    for row in rows:
        attrs: dict = {}
        for ci, h in enumerate(t.header):
            hname, unit = header_name_unit(h)
            cell = row.full[ci].strip()
            if not cell or ci in (c_dist, c_name):
                continue
            key = ("start" if "起点" in hname else "end" if "终点" in hname else
                   "length" if "长度" in hname or "里程" in hname else
                   "investment" if "投资" in hname else "capacity" if "规模" in hname or
                   "能力" in hname else "year" if "年" in hname else hname)
            attrs[key] = cell + (unit if unit and re.fullmatch(r"[\d.]+", cell) else "")
        district = row.full[c_dist].strip() if c_dist is not None else None
        if district:
            district = _place_at(district, ctx) or district
        base = row.full[c_name].strip() if c_name is not None else row.full[0].strip()
        if not base:
            continue
        if c_name is not None and "道路" in t.header[c_name]:
            attrs["road"] = base
        name = base if subject and subject in base else base + subject
        p = ctx.passage_at(row.start, row.end)
        out.append(Project(iri=iri("project", ctx.doc.id, row.start, name), doc_id=ctx.doc.id,
                           name=name, district=district, attributes=attrs,
                           passage_id=p.id if p else "", start=row.start, end=row.end,
                           source="table"))
    return out


def extract(ctx: DocContext) -> list[Project]:
    out: list[Project] = []
    read = tb.bodies(ctx.tables)
    for t, rows in read:
        out.extend(from_table(ctx, t, rows))
    spans = tb.body_spans(read)
    seen = {p.name for p in out}
    for p in ctx.passages:
        if p.kind in ("table_row", "heading") or any(a <= p.start < b for a, b in spans):
            continue
        for sent in sentences(p.text):
            for s, e, name, district, attrs in from_sentence(ctx, sent.text):
                if name in seen:
                    continue
                seen.add(name)
                a = p.start + sent.start + s
                out.append(Project(iri=iri("project", ctx.doc.id, a, name), doc_id=ctx.doc.id,
                                   name=name, district=district, attributes=attrs,
                                   passage_id=p.id, start=a, end=p.start + sent.start + e))
    return out
