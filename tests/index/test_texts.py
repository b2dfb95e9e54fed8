"""What gets indexed: context, neighbours of short passages, vocabulary from corpus/graph."""
from __future__ import annotations

from index.texts import corpus_hash, corpus_terms, graph_synonyms, graph_terms, index_texts
from tests.fakes import IndexGraphFake
from tests.index.conftest import make_corpus


def test_texts_table_row_carries_header_context():
    c = make_corpus()
    texts = index_texts(c.passages)
    row = next(i for i, p in enumerate(c.passages) if p.kind == "table_row")
    assert "上虞区" in texts[row] and "创五路" in texts[row]


def test_texts_short_paragraph_borrows_neighbours():
    c = make_corpus()
    texts = index_texts(c.passages)
    i = next(i for i, p in enumerate(c.passages) if p.text == "2021年8月5日")
    assert "综合行政执法局" in texts[i]
    long_i = next(i for i, p in enumerate(c.passages) if p.text.startswith("到2025年"))
    assert texts[long_i] == c.passages[long_i].search_text


def test_texts_corpus_terms_from_cells():
    terms = corpus_terms(make_corpus())
    assert {"创五路", "长海公路", "科二路"} <= terms
    assert "0.8" not in terms


def test_texts_corpus_hash_changes_with_text():
    c = make_corpus()
    t = index_texts(c.passages)
    assert corpus_hash(c.passages, t) == corpus_hash(c.passages, list(t))
    assert corpus_hash(c.passages, t) != corpus_hash(c.passages, t[:-1] + [t[-1] + "x"])


def test_texts_graph_vocabulary_synonyms_places():
    g = IndexGraphFake(labels=["上虞区"], indicators=[("城市供水管网漏损率", ["管网漏损率"])],
                  districts={"alpha": ["上虞区"], "beta": []})
    assert {"上虞区", "城市供水管网漏损率", "管网漏损率"} <= graph_terms(g)
    assert graph_synonyms(g)["管网漏损率"] == ["城市供水管网漏损率"]


def test_texts_fit_window_drops_context_that_overflows():
    from index.texts import fit_window
    c = make_corpus()
    texts = index_texts(c.passages)
    fitted = fit_window(texts, c.passages, count_tokens=len, max_tokens=20)
    for t, f, p in zip(texts, fitted, c.passages):
        assert f == (p.text if len(t) > 20 else t)
    assert fit_window(texts, c.passages, None, 20) == texts
