"""Organisations: issuing bodies and named departments — a place name (city, division,
国家/省/市/县/区 at a word boundary) followed by a name ending in 局/委员会/办公室/中心/公司/厅/部/
政府/领导小组 …. Bodies named in the catalog's issuer field are role "issuer"."""
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


def find(ctx: DocContext, text: str) -> list[tuple[int, int, str]]:
    g = ctx.res.gazetteer
    places = sorted(g.city_names() | set(g.divisions(ctx.doc.city)) | {"浙江省"})
    toks = dict((i, t) for t, i in ctx.res.tokens(text))
    out = []
    for m in re.finditer(r"市委[、,，]?市政府", text):
        out.append((m.start(), m.end(), m.group(0).replace("、", "").replace(",", "")))
    for m in _pattern(places).finditer(text):
        s, e = m.start(), m.end()
        if any(a <= s < b for a, b, _ in out):
            continue
        before_ok = s == 0 or text[s - 1] in _BEFORE_OK
        if not before_ok and (s not in toks or (len(m.group("pre")) == 1 and
                                                not m.group(0).startswith(toks[s]))):
            continue
        if _BAD_END.search(m.group(0)) or (m.group("suf") == "政府" and m.group("mid")):
            continue
        nxt = text[e:e + 1]
        if m.group("suf") == "部" and nxt == "门":
            continue
        mid = m.group("mid")
        if _BAD_MID.search(mid) or (len(m.group("pre")) == 1 and m.group("suf") in ("部", "院", "委")
                                    and len(mid) < 1):
            continue
        if m.group("suf") in ("中心", "院", "部", "委") and len(mid) < 2 or \
                (m.group("suf") == "部" and len(m.group("pre")) == 1):
            continue
        if e < len(text) and re.match(r"[\u4e00-\u9fff]", nxt) and nxt in "长级城区":
            continue
        out.append((s, e, m.group(0)))
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
