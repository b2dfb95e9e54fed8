"""extractive.passage_table: the question-independent reading of a passage's sentences equals
its definition on every passage of the real plans (offsets, texts, headings, flags)."""
from __future__ import annotations

from core.zh import norm
from ingest.sentences import sentence_spans
from qa import extractive
from qa.text import has_number, numbers


def test_passage_table_matches_its_definition(corpus):
    checked = 0
    for p in corpus.passages:
        if p.kind == "heading":
            continue
        table = extractive.passage_table(p)
        assert table.all_text == norm(p.context + " " + p.text)
        spans = [(0, len(p.text))] if p.kind == "table_row" else \
            sentence_spans(p.text, 0, len(p.text))
        head = p.context if p.kind == "table_row" else p.section_path
        want = []
        for n, (s, e) in enumerate(spans):
            sent = p.text[s:e]
            if len(norm(sent)) < 4:
                continue
            ls = spans[max(0, n - 2)][0]
            want.append((s, e, sent, norm(sent + " " + head),
                         norm(p.text[ls:e] + " " + head) if ls < s else None,
                         has_number(sent), bool(extractive.TARGET_RE.search(sent)),
                         any(w in p.section_path for w in extractive.RETRO_WORDS) or "十三五" in sent,
                         len(set(numbers(sent))) if p.kind != "table_row" else 0,
                         "、" in sent, bool(extractive.PROJECT_RE.search(sent))))
        got = [(r.start, r.end, r.text, r.cover_text, r.local_text, r.number, r.target, r.retro,
                r.distinct_numbers, r.enumerates, r.project) for r in table.sentences]
        assert got == want, p.id
        for r in table.sentences:      # offsets point into the unchanged text
            assert corpus.raw(p.doc_id)[p.start + r.start:p.start + r.end] == r.text
        checked += len(got)
    assert checked > 500
