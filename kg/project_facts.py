"""Last step of project extraction for one plan: numbers (length in km, investment in 亿元),
status (planned / completed / ongoing), the district resolved through the gazetteer (a name
that is not one of the city's divisions — a river, a hill — is no district), junk names
dropped; and the totals a section states (项数, 总投资) kept as facts of their own.

Status, from the sentence up to the project and its section: 在建/正在 -> ongoing; a past
marker (已建成, 建成投用, 完成, 了) or a review section (十三五成就) -> completed; otherwise
planned (a plan's own tasks and project tables)."""
from __future__ import annotations

import re
from typing import Optional

from kg.context import DocContext, iri
from kg.model import Project, SectionFact
from kg.units import typed
from kg.valuekind import section_state
from kg.values import find_values, parse_cell

_ONGOING = re.compile(r"在建|正在(?:建设|实施)|续建")
_DONE = re.compile(r"已(?:经)?(?:建成|完成|投运|投用|实施)|建成投(?:用|运)|(?<![将计划])(?:建成|完成)了?|"
                   r"实施了|投入(?:使用|运营)")
_FUTURE = re.compile(r"将|计划|力争|推进|加快|启动|谋划|新建|拟|争取|到20\d\d|至20\d\d")
# names that are categories or fragments, not projects: a generic part (城市改造, 大型公建项目),
# a stage without its project (二期一阶段工程), a collective (两大…工程)
_GENERIC = re.compile(r"^(?:城市改造|大型公建项目|重大项目|一般项目|建设项目|工程项目|改造项目|"
                      r"民心工程|样板工程|重点工程|[^\w]*)$")
_STAGE = re.compile(r"^[一二三四五六七八九十\d]+期|^[一二三四五六七八九十]+阶段|[两三四五六七八九十]大")
_TOTAL = re.compile(r"(?:共|合计|总计)(?:安排|谋划|实施|推进|储备)?(\d+)\s*(?:个|项)(?:重大|重点)?(?:建设)?项目|"
                    r"项目[:：]?\s*(?:共|约|计)?(\d+)\s*(?:个|项)(?![\u4e00-\u9fff])|"
                    r"(?<=[,，。;；])总?投资(?:约|达|为)?\s*(\d+(?:\.\d+)?)\s*(亿元|万元)")


def _km(text: str) -> Optional[float]:
    v = parse_cell(text or "")
    if v is None:
        return None
    num, code = typed(v.value, v.unit or "公里")
    if code == "km":
        return num
    if code == "m":
        return num / 1000
    return None


def _yi(text: str) -> Optional[float]:
    v = parse_cell(text or "")
    if v is None:
        return None
    num, code = typed(v.value, v.unit or "亿元")
    return round(num / 1e8, 6) if code == "CNY" else None


def is_junk(name: str, ctx: DocContext) -> bool:
    n = name.strip()
    if len(n) < 4 or n.count("“") != n.count("”") or _STAGE.search(n) or \
            any(_GENERIC.match(part) for part in n.split("、")):
        return True
    items = n.split("、")
    return len(items) >= 3 and all(len(i) <= 3 for i in items[:-1])


def status_of(ctx: DocContext, pr: Project) -> str:
    p = next((x for x in ctx.passages if x.id == pr.passage_id), None)
    if p is None:
        return "planned"
    lead = ctx.raw[max(p.start, pr.start - 60):pr.end]
    lead = re.split(r"[。；;]", lead)[-1]
    if _ONGOING.search(lead):
        return "ongoing"
    years = [int(y) for y in re.findall(r"(20\d\d)\s*年", lead)]
    if years and ctx.start_year and max(years) >= ctx.start_year:
        return "planned"                        # 2022年建成…: a date inside the plan
    section = section_state(ctx.is_achieved_context(p), p.section_path)
    if _DONE.search(lead) and not _FUTURE.search(lead):
        return "completed"
    if section and not re.search(r"十[四五六七]五|20[2-3]\d", lead):
        return "completed"
    return "planned"


def finish(ctx: DocContext, projects: list[Project]) -> list[Project]:
    divisions = ctx.res.gazetteer.divisions(ctx.doc.city)
    short = {ctx.res.gazetteer.short(d): d for d in divisions}
    out = []
    for pr in projects:
        if is_junk(pr.name, ctx):
            continue
        if pr.district:
            d = pr.district.strip()
            pr.district = d if d in divisions else short.get(d)
        pr.length_km = _km(str(pr.attributes.get("length", "")))
        pr.investment_yi = _yi(str(pr.attributes.get("investment", "")))
        pr.status = status_of(ctx, pr)
        out.append(pr)
    return out


def section_facts(ctx: DocContext) -> list[SectionFact]:
    """Totals stated in project sections ("共安排重大项目32个,总投资约120亿元")."""
    out = []
    for p in ctx.passages:
        if "项目" not in p.text or p.kind == "table_row" or "项目" not in (p.section_path or "") \
                and not re.search(r"(?:共|合计|总计)\D{0,4}\d+\s*(?:个|项)", p.text):
            continue
        for m in _TOTAL.finditer(p.text):
            s, e = p.start + m.start(), p.start + m.end()
            if m.group(1) or m.group(2):
                label, measure, value, code = "项目数", "count", float(m.group(1) or m.group(2)), "{item}"
            else:
                yi = _yi(m.group(3) + m.group(4))
                if yi is None:
                    continue
                label, measure, value, code = "总投资", "investment", yi, "亿元"
            heading = (p.section_path or "").split(">")[-1].strip()
            out.append(SectionFact(iri=iri("fact", ctx.doc.id, s, e), doc_id=ctx.doc.id,
                                   label=f"{heading} {label}".strip(), measure=measure,
                                   value=value, unit_code=code, text=m.group(0), passage_id=p.id,
                                   start=s, end=e))
    return out


__all__ = ["finish", "section_facts", "is_junk", "status_of", "find_values"]
