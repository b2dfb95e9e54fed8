"""Plain-text rendering of an Answer for the command line: the answer, its confidence, then
numbered citations (plan, section, offsets, quote); related reading when nothing was found."""
from __future__ import annotations

from core.types import Answer, Citation

QUOTE_MAX = 200


def _cite_lines(n: int, c: Citation) -> list[str]:
    quote = c.quote if len(c.quote) <= QUOTE_MAX else c.quote[:QUOTE_MAX] + "…"
    where = f"{c.city}({c.doc})" + (f" · {c.section}" if c.section else "")
    return [f"  [{n}] {where} · [{c.start}, {c.end})", f"      “{quote}”"]


def render_text(ans: Answer) -> str:
    head = "答案" if ans.found else "未找到"
    lines = [f"{head}:{ans.answer}", f"置信度:{ans.confidence:.2f}  类型:{ans.kind}"]
    if ans.citations:
        lines.append("引用:")
        for i, c in enumerate(ans.citations, 1):
            lines += _cite_lines(i, c)
    if ans.related:
        lines.append("相关段落(供参考):")
        for i, c in enumerate(ans.related, 1):
            lines += _cite_lines(i, c)
    return "\n".join(lines)
