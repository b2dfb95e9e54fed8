"""Organisations: issuing bodies and named departments — a place name (city, division,
国家/省/市/县/区 at a word boundary) followed by a name ending in 局/委员会/办公室/中心/公司/厅/部/
政府/领导小组 …, or a body named without a place after 是/由/与/会同/、 (主管部门是综合行政执法局,
与发改、征信中心等沟通). Bodies named in the catalog's issuer field are role "issuer"."""
from __future__ import annotations

import re

from kg.context import DocContext, iri
from kg.model import Organization

SUFFIX = ["委员会", "领导小组", "办公室", "指挥中心", "中心", "局", "厅", "公司", "集团", "政府",
          "部", "委", "院"]
_MID = r"[\u4e00-\u9fff]{0,16}?"
_BAD_MID = re.compile(r"[的是在对为了将等由向及或与]|城市管理工作|完成|建成|推进|实施")
_BEFORE_OK = set("同将由经与和、是为以,，:：省 ")
_BAD_END = re.compile(r"(格局|布局|大局|全局|当局|结局|新局|开局|法治政府|服务型政府)$")


def _pattern(places: list[str]) -> re.Pattern:
    pre = "|".join(map(re.escape, sorted(places, key=len, reverse=True)))
    suf = "|".join(map(re.escape, SUFFIX))
    return re.compile(rf"(?P<pre>{pre}|国家|省|市|县|区)(?P<mid>{_MID})(?P<suf>{suf})")


# A body named without a place: after 是/由/与/会同, or as an item of a list that follows one
# (主管部门是综合行政执法局, 与发改、征信中心等沟通); 中心 also names facilities and areas
# (处理中心, 行政中心), so a 中心 needs a head that is a function, not a facility.
_BARE = re.compile(r"(?:(?<=[是由与、])|(?<=会同))(?P<mid>[\u4e00-\u9fff]{2,10}?)"
                   r"(?P<suf>委员会|领导小组|办公室|局|中心)(?=[等和及与、,，;；。(（)）\s]|$)")
_FACILITY = re.compile(r"(处理|处置|分拣|转运|回收|收运|运营|物流|活动|培训|配送|交易|展示|体验|"
                       r"数据|服务|指挥|调度|监测|控制|研发|创新|商业|购物|文化|体育)$")
_AGENT_CUE = re.compile(r"(与|会同|由|联合|协同|配合|是)[^,，。；;:：()（）]*$")
_BARE_MID_BAD = re.compile(r"[的是在对为了将等由向及或与之一二三四五六七八九十个项]|建设|实施|推进|完成")


def _accept(text: str, s: int, m: re.Match, toks: dict, out: list) -> bool:
    e = m.end()
    if any(a <= s < b for a, b, _ in out):
        return False
    before_ok = s == 0 or text[s - 1] in _BEFORE_OK
    if not before_ok and (s not in toks or (len(m.group("pre")) == 1 and
                                            not m.group(0).startswith(toks[s]))):
        return False
    if _BAD_END.search(m.group(0)) or (m.group("suf") == "政府" and m.group("mid")):
        return False
    nxt = text[e:e + 1]
    if m.group("suf") == "部" and nxt == "门":
        return False
    mid = m.group("mid")
    if _BAD_MID.search(mid) or (len(m.group("pre")) == 1 and m.group("suf") in ("部", "院", "委")
                                and len(mid) < 1):
        return False
    if m.group("suf") in ("中心", "院", "部", "委") and len(mid) < 2 or \
            (m.group("suf") == "部" and len(m.group("pre")) == 1):
        return False
    if e < len(text) and re.match(r"[\u4e00-\u9fff]", nxt) and nxt in "长级城区":
        return False
    return True


def _bare(text: str, toks: dict, out: list) -> list[tuple[int, int, str]]:
    found = []
    for m in _BARE.finditer(text):
        s, e, mid = m.start(), m.end(), m.group("mid")
        if s not in toks or any(a <= s < b or a < e <= b for a, b, _ in out):
            continue
        if _BARE_MID_BAD.search(mid) or _BAD_END.search(m.group(0)):
            continue
        if m.group("suf") == "中心" and _FACILITY.search(mid):
            continue
        if text[s - 1] == "、" and not _AGENT_CUE.search(text[max(0, s - 30):s]):
            continue                        # a list item: a body only in a list of agents
        if _starts_with_verb(mid):
            continue                        # 是建立智慧城管中心: an act, not a body
        found.append((s, e, m.group(0)))
    return found


_ACT = re.compile(r"^(建立|建设|成立|组建|设立|打造|推进|完善|构建|形成|实现|加强|提升|推动|开展|实施|"
                  r"健全|依托|利用|发挥|整合|优化|升级|改造|新建|扩建)")


def _starts_with_verb(text: str) -> bool:
    return bool(_ACT.match(text))


def find(ctx: DocContext, text: str) -> list[tuple[int, int, str]]:
    g = ctx.res.gazetteer
    places = sorted(g.city_names() | set(g.divisions(ctx.doc.city)) | {"浙江省"})
    toks = dict((i, t) for t, i in ctx.res.tokens(text))
    out = []
    for m in re.finditer(r"市委[、,，]?市政府", text):
        out.append((m.start(), m.end(), m.group(0).replace("、", "").replace(",", "")))
    pat = _pattern(places)
    pos = 0
    while True:
        m = pat.search(text, pos)
        if m is None:
            break
        s = m.start()
        # the shortest acceptable name from this start (市局 before 城 is no name, but
        # 市局城市管理监督指挥中心 is)
        tries = (pat.fullmatch(text, s, e) for e in range(m.end(), min(len(text), s + 40) + 1))
        hit = next((x for x in tries if x and _accept(text, s, x, toks, out)), None)
        if hit is not None:
            out.append((s, hit.end(), hit.group(0)))
            pos = hit.end()
        else:
            pos = s + 1
    out += _bare(text, toks, out)
    return out


def extract(ctx: DocContext) -> list[Organization]:
    issuers = {x.strip() for x in re.split(r"[;；,，、]", str(ctx.doc.meta.get("issuer", ""))) if x.strip()}
    best: dict[str, Organization] = {}
    for p in ctx.passages:
        for s, e, name in find(ctx, p.text):
            if name in best:
                continue
            best[name] = Organization(iri=iri("organization", ctx.doc.id, name), doc_id=ctx.doc.id,
                                      name=name, role="issuer" if name in issuers else "mentioned",
                                      passage_id=p.id, start=p.start + s, end=p.start + e)
    return list(best.values())
