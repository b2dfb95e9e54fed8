"""UI HTML fragments: escaping, quote highlighting, honest not-found rendering."""
from __future__ import annotations

from core.types import Answer
from web.ui.render import answer_html, citation_card, esc, highlight, message


def _row(corpus):
    return next(p for p in corpus.passages if p.kind == "table_row" and len(p.text) > 12)


def test_ui_render_escapes_script_in_answer_and_quote(corpus):
    p = _row(corpus)
    cite = corpus.citation(p)
    ans = Answer("<script>alert(1)</script>", True, "<img src=x onerror=alert(2)>", "passage",
                 0.9, [cite])
    html = answer_html(corpus, ans)
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_ui_render_message_escapes_user_text():
    assert "<b>" not in message("bad value <b>x</b>", "warn")


def test_ui_render_highlight_marks_only_the_quote():
    raw = "前文<甲>目标65%后文"
    out = highlight(raw, 0, len(raw), 5, 8)
    assert out == esc("前文<甲>") + "<mark>目标6</mark>" + esc("5%后文")


def test_ui_render_citation_card_marks_subspan_inside_passage(corpus):
    p = next(x for x in corpus.passages if x.kind == "paragraph" and len(x.text) > 40)
    cite = corpus.citation(p, p.start + 10, p.start + 20)
    html = citation_card(corpus, cite, 3)
    assert f"<mark>{esc(cite.quote)}</mark>" in html
    assert esc(p.text[:10]) in html            # the passage around the quote is shown
    assert "[3]" in html and "查看整节原文" in html
    assert esc(corpus.documents[p.doc_id].title) in html


def test_ui_render_not_found_is_shown_honestly_with_related(corpus):
    p = _row(corpus)
    ans = Answer("宁波的目标?", False, "两份规划均未涉及宁波", "none", 0.1, [],
                 related=[corpus.citation(p)])
    html = answer_html(corpus, ans)
    assert "文件未提及" in html and "相关段落" in html
    assert "pg-notfound" in html


def test_ui_render_comparison_positions_reference_citations(corpus):
    a, b = [p for p in corpus.passages if p.kind == "paragraph"][:2]
    ca = corpus.citation(a)
    details = {"positions": [
        {"doc": a.doc_id, "city": "甲市", "found": True, "answer": "65%", "citations": [ca.to_dict()]},
        {"doc": b.doc_id, "city": "乙市", "found": False, "answer": "", "citations": [],
         "reason": "未提出该项具体目标"}]}
    ans = Answer("q", True, "甲市:65%;乙市规划未提出", "comparison", 0.7, [ca], details=details)
    html = answer_html(corpus, ans)
    assert "甲市" in html and "乙市" in html and "未提出" in html
    assert '65%<span class="pg-sup">[1]</span>' in html
