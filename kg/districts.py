"""Districts and counties of the plan's city (gazetteer kg/data/gazetteer.toml, found with the
spaCy EntityRuler), towns and sub-districts by pattern (某某镇/街道 starting at a word boundary and ending before a separator), and the role each plays.

Short forms (柯桥, 桐庐) count only inside lists (followed or preceded by 、/和/及) or before a
collective such as 三区/三县(市). Roles, from the sentence of a mention:
key_area (重点/市区 … 范围/包括), in_scope (规划范围/范围为/适用于/覆盖), guided (指导 before the
name), else mentioned. A district keeps its strongest role.
"""
from __future__ import annotations

import re

from kg.context import DocContext, iri
from kg.model import District
from kg.nlp import sentences

ROLE_RANK = {"key_area": 4, "in_scope": 3, "guided": 2, "mentioned": 1}
_TOWN = re.compile(r"([\u4e00-\u9fff]{2,4}?)(镇|街道)")
_TOWN_STOP = set("市县区乡镇村各每该全本其等建制中心示范重点城级个和与及的在对省小大新老多街")
_COLLECTIVE = re.compile(r"^[一二三四五六七八九十两\d]*个?(区|县|县市|县\(市\)|县（市）|市)")


def _role(sentence: str, pos: int) -> str:
    before = sentence[:pos]
    if "指导" in before:
        return "guided"
    if re.search(r"重点|核心|中心城区|市区范围", before) and re.search(r"范围|包括", sentence):
        return "key_area"
    if re.search(r"规划范围|范围为|范围覆盖|范围包括|适用于|覆盖全市|规划区", sentence):
        return "in_scope"
    return "mentioned"


def find(ctx: DocContext, text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, full name, level) of the divisions mentioned in text."""
    divs = ctx.res.gazetteer.divisions(ctx.doc.city)
    hits = []
    doc = ctx.res.nlp(text)
    for ent in doc.ents:
        if ent.label_ == "DISTRICT" and ent.text in divs:
            hits.append((ent.start_char, ent.end_char, ent.text, divs[ent.text]))
    for name, level in divs.items():
        short = ctx.res.gazetteer.short(name)
        if short == name:
            continue
        for m in re.finditer(re.escape(short), text):
            s, e = m.start(), m.end()
            if any(a <= s < b for a, b, _, _ in hits):
                continue
            nxt, prv = text[e:e + 1], text[s - 1:s]
            if nxt in "、,，和及与" or prv == "、" or _COLLECTIVE.match(text[e:]):
                hits.append((s, e, name, level))
    starts = ctx.res.token_starts(text)
    towns: dict[int, re.Match] = {}
    for start in sorted(starts):
        m = _TOWN.match(text, start)
        if m and (m.end() in starts or m.end() == len(text)):
            towns[m.end()] = m                  # the latest start wins: shortest name
    for m in towns.values():
        stem = m.group(1)
        if any(ch in _TOWN_STOP for ch in stem) or any(a < m.end() and m.start() < b
                                                      for a, b, _, _ in hits):
            continue
        hits.append((m.start(), m.end(), m.group(0), m.group(2)))
    return sorted(hits)


def extract(ctx: DocContext) -> tuple[list[District], list[tuple[str, str]]]:
    best: dict[str, District] = {}
    mentions = []
    for p in ctx.passages:
        for sent in sentences(p.text):
            for s, e, name, level in find(ctx, sent.text):
                role = _role(sent.text, s)
                d_iri = iri("district", ctx.doc.id, name)
                mentions.append((p.id, d_iri))
                cur = best.get(name)
                if cur is None or ROLE_RANK[role] > ROLE_RANK[cur.role]:
                    best[name] = District(iri=d_iri, doc_id=ctx.doc.id, name=name,
                                          level=level, role=role, passage_id=p.id,
                                          start=p.start + sent.start + s,
                                          end=p.start + sent.start + e, city=ctx.doc.city)
    return list(best.values()), sorted(set(mentions))
