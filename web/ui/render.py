"""HTML fragments for the Gradio UI (pure functions, no gradio import).

Every string that comes from a document, a question, an answer or the graph goes through
`esc()` (html.escape) before it is put into markup: the UI renders these fragments with
gr.HTML (innerHTML), so unescaped text would be live markup.
"""
from __future__ import annotations

import html
from typing import Iterable, Optional, Sequence

from core.types import Answer, Citation, Corpus, Passage

SECTION_CHARS = 6000        # whole-section view: beyond this, show a window around the quote
SECTION_WINDOW = 2500       # chars either side of the quote when the section is long
QA_CONTEXT = 200            # passage chars shown either side of a quote (whole section on demand)

KIND_LABELS = {"indicator": "指标", "comparison": "对比", "list": "列举", "passage": "段落",
               "none": "未找到", "fact": "事实", "project": "项目", "regulation": "法规",
               "district": "区县"}


def esc(value: object) -> str:
    """HTML-escape any value (quotes included); None becomes ''."""
    return "" if value is None else html.escape(str(value), quote=True)


def message(text: str, level: str = "info") -> str:
    """A one-line inline notice; level is info | warn | error."""
    level = level if level in ("info", "warn", "error") else "info"
    return f'<div class="pg-msg pg-msg-{level}">{esc(text)}</div>'


def highlight(raw: str, start: int, end: int, mark_start: int, mark_end: int) -> str:
    """raw[start:end] escaped, with raw[mark_start:mark_end] wrapped in <mark>."""
    ms, me = max(start, min(mark_start, end)), max(start, min(mark_end, end))
    if me <= ms:
        return esc(raw[start:end])
    return (esc(raw[start:ms]) + "<mark>" + esc(raw[ms:me]) + "</mark>" + esc(raw[me:end]))


def _passage(corpus: Corpus, pid: str) -> Optional[Passage]:
    try:
        return corpus.passage(pid)
    except KeyError:
        return None


def doc_label(corpus: Corpus, doc_id: str) -> str:
    doc = corpus.documents.get(doc_id)
    return f"{doc.city}《{doc.title}》" if doc else doc_id


def _section_view(corpus: Corpus, passage: Optional[Passage], c: Citation) -> str:
    """The whole section around a citation (or a window of it), quote marked, in <details>."""
    raw = corpus.raw(c.doc) if c.doc in corpus.documents else ""
    sec = corpus.section(passage.section_id) if passage is not None else None
    if not raw:
        return ""
    if sec is not None:
        s, e, title = sec.start, sec.end, sec.path or f"{sec.number}{sec.title}"
    else:
        s, e, title = 0, len(raw), "全文"
    s, e = min(s, c.start), max(e, c.end)
    note = ""
    if e - s > SECTION_CHARS:
        s2, e2 = max(s, c.start - SECTION_WINDOW), min(e, c.end + SECTION_WINDOW)
        note = (f'<div class="pg-note">本节共 {e - s} 字,仅显示引文前后 '
                f'{SECTION_WINDOW} 字。</div>')
        s, e = s2, e2
    pre = "…" if sec is not None and s > sec.start else ""
    post = "…" if sec is not None and e < sec.end else ""
    return (f'<details class="pg-section"><summary>查看整节原文 · {esc(title)}</summary>'
            f'{note}<div class="pg-text">{pre}{highlight(raw, s, e, c.start, c.end)}{post}'
            f'</div></details>')


def _table_header(passage: Optional[Passage]) -> str:
    if passage is None or passage.kind != "table_row":
        return ""
    header = passage.meta.get("header") if isinstance(passage.meta, dict) else None
    if not header:
        return ""
    return f'<div class="pg-note">表头:{esc(" | ".join(str(h) for h in header))}</div>'


def citation_card(corpus: Corpus, c: Citation, n: int, with_section: bool = True,
                  context: int = 0) -> str:
    """One citation: plan, section path, the passage with the quote marked, the whole section.
    context > 0 trims the passage to that many characters either side of the quote."""
    passage = _passage(corpus, c.passage_id)
    raw = corpus.raw(c.doc) if c.doc in corpus.documents else ""
    if passage is not None and raw:
        ps, pe = min(passage.start, c.start), max(passage.end, c.end)
        pre = post = ""
        if context > 0:
            if c.start - ps > context:
                ps, pre = c.start - context, "…"
            if pe - c.end > context:
                pe, post = c.end + context, "…"
        body = pre + highlight(raw, ps, pe, c.start, c.end) + post
    else:
        body = f"<mark>{esc(c.quote)}</mark>"
    section = c.section or (passage.section_path if passage is not None else "")
    return (f'<li class="pg-cite" id="pg-cite-{n}"><div class="pg-cite-head">'
            f'<span class="pg-num">[{n}]</span> <b>{esc(doc_label(corpus, c.doc))}</b>'
            f'<span class="pg-path">{esc(section) or "(无章节)"}</span>'
            f'<span class="pg-off">字符 {c.start}–{c.end}</span></div>'
            f'{_table_header(passage)}<div class="pg-text">{body}</div>'
            f'{_section_view(corpus, passage, c) if with_section else ""}</li>')


def citation_list(corpus: Corpus, citations: Sequence[Citation], title: str = "引文",
                  first: int = 1, with_section: bool = True, context: int = 0) -> str:
    if not citations:
        return ""
    items = "".join(citation_card(corpus, c, first + i, with_section, context)
                    for i, c in enumerate(citations))
    head = f"<h4>{esc(title)}({len(citations)})</h4>" if title else ""
    return f'<div class="pg-cites">{head}<ol class="pg-cite-list">{items}</ol></div>'


def confidence_badge(conf: float) -> str:
    conf = max(0.0, min(1.0, float(conf)))
    level = "high" if conf >= 0.7 else "mid" if conf >= 0.4 else "low"
    word = {"high": "高", "mid": "中", "low": "低"}[level]
    pct = round(conf * 100)
    return (f'<span class="pg-conf pg-conf-{level}" title="置信度:经校准的正确概率 {conf:.2f}'
            f'(由训练问题拟合,见回答 JSON 的 details.trace)">'
            f'置信度 {word} {pct}%<span class="pg-bar"><span style="width:{pct}%"></span>'
            f'</span></span>')


def _positions(answer: Answer) -> str:
    """Per-plan positions of a comparison (answer.details["positions"], as the QA stage gives
    them), one card each, with [n] references into the answer's citation list."""
    pos = answer.details.get("positions") if isinstance(answer.details, dict) else None
    if not isinstance(pos, list) or len(pos) < 2 or not all(isinstance(p, dict) for p in pos):
        return ""
    index = {(c.passage_id, c.start, c.end): n for n, c in enumerate(answer.citations, 1)}
    cards = []
    for p in pos:
        refs = []
        for c in p.get("citations") or []:
            n = index.get((c.get("passage_id"), c.get("start"), c.get("end"))) \
                if isinstance(c, dict) else None
            if n and n not in refs:
                refs.append(n)
        sup = "".join(f'<span class="pg-sup">[{n}]</span>' for n in refs)
        text = str(p.get("answer") or p.get("text") or "")
        if p.get("found", True):
            body = f'<div class="pg-answer-text">{esc(text)}{sup}</div>'
        else:
            body = (f'<div class="pg-answer-text pg-gap">未提出{sup}</div>'
                    + (f'<div class="pg-note">{esc(p.get("reason") or text)}</div>'
                       if (p.get("reason") or text) else ""))
        cards.append(f'<div class="pg-pos"><div class="pg-pos-city">{esc(p.get("city") or p.get("doc"))}'
                     f'</div>{body}</div>')
    return f'<div class="pg-positions">{"".join(cards)}</div>'


def answer_html(corpus: Corpus, answer: Answer) -> str:
    """The answer box, then its citations (or, when not found, the nearest passages)."""
    kind = KIND_LABELS.get(answer.kind, answer.kind)
    head = (f'<div class="pg-answer-head"><span class="pg-kind">{esc(kind)}</span>'
            f'{confidence_badge(answer.confidence)}</div>')
    if answer.found:
        positions = _positions(answer)
        text = positions or f'<div class="pg-answer-text">{esc(answer.answer)}</div>'
        box = f'<div class="pg-answer pg-found">{head}{text}</div>'
        related = citation_list(corpus, answer.related, "其他相关段落",
                                first=len(answer.citations) + 1) if answer.related else ""
        return box + citation_list(corpus, answer.citations, "引文", context=QA_CONTEXT) + related
    text = answer.answer or "文件未提及该问题的答案。"
    if not text.startswith("文件未"):
        text = "文件未提及:" + text
    box = (f'<div class="pg-answer pg-notfound">{head}<div class="pg-answer-text">'
           f'{esc(text)}</div><div class="pg-note">规划文件中没有找到能回答该问题的内容;'
           f'下面是最接近的段落,供核对。</div></div>')
    near = list(answer.related) or list(answer.citations)
    return box + citation_list(corpus, near, "相关段落")


def question_echo(question: str) -> str:
    return f'<div class="pg-question">问:{esc(question)}</div>' if question else ""


def table_html(headers: Sequence[str], rows: Iterable[Sequence[str]],
               raw_cells: bool = False, classes: str = "pg-table") -> str:
    """A plain HTML table. Cells are escaped unless raw_cells (caller escaped them)."""
    th = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        tds = "".join(f"<td>{c if raw_cells else esc(c)}</td>" for c in row)
        body.append(f"<tr>{tds}</tr>")
    return (f'<div class="pg-table-wrap"><table class="{esc(classes)}"><thead><tr>{th}</tr>'
            f'</thead><tbody>{"".join(body)}</tbody></table></div>')
