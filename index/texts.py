"""What gets indexed: passage texts with their context, and the domain vocabulary.

- index_text: Passage.search_text (section path, table header and filled category cells,
  then the text); a very short paragraph (a signature line, a date, a one-line title) also
  carries its neighbours' text, since alone it says too little to be found.
- Vocabulary for the lexical user dictionary: the graph's labels when a graph is given,
  plus what the corpus itself shows: table cells and 《titles》.
- Synonyms for query handling come from the graph (duck-typed accessors, so a graph
  without one of them is simply not used for it); district places: kg.vocabulary.
"""
from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Callable, Optional, Protocol, Sequence

from core.types import Corpus, Passage

if TYPE_CHECKING:                   # types only (the graph's records)
    from kg.model import Indicator

SHORT_PASSAGE = 40                 # characters; shorter paragraphs borrow their neighbours
NO_NEIGHBOURS = ("table_row", "heading")
_TITLE = re.compile(r"《([^《》\n]{2,60})》")
_CJK2 = re.compile(r"[\u4e00-\u9fff]{2}")


def index_texts(passages: Sequence[Passage]) -> list[str]:
    """Text to index for each passage (same order)."""
    order = sorted(range(len(passages)), key=lambda i: (passages[i].doc_id, passages[i].start))
    prev: dict[int, int] = {}
    nxt: dict[int, int] = {}
    for a, b in zip(order, order[1:]):
        if passages[a].doc_id == passages[b].doc_id:
            prev[b], nxt[a] = a, b
    out = []
    for i, p in enumerate(passages):
        t = p.search_text
        if len(p.text.strip()) < SHORT_PASSAGE and p.kind not in NO_NEIGHBOURS:
            around = [passages[j].text for j in (prev.get(i), nxt.get(i)) if j is not None]
            if around:
                t = t + "\n" + " ".join(around)
        out.append(t)
    return out


def fit_window(texts: Sequence[str], passages: Sequence[Passage],
               count_tokens: Optional[Callable[[str], int]], max_tokens: int) -> list[str]:
    """Texts for the embedding model: an indexed text whose context would push it past the
    model's window falls back to the passage text alone, so the passage itself is never cut
    off (ingest already splits passages longer than the window)."""
    if count_tokens is None:
        return list(texts)
    out = []
    for t, p in zip(texts, passages):
        # a word-piece token covers at least one character: short texts need no counting
        if len(t) + 2 > max_tokens and t != p.text and count_tokens(t) > max_tokens:
            t = p.text
        out.append(t)
    return out


def corpus_hash(passages: Sequence[Passage], texts: Sequence[str]) -> str:
    """Fingerprint of what an index holds: passage ids, spans and indexed texts, in order."""
    h = hashlib.sha256()
    for p, t in zip(passages, texts):
        h.update(f"{p.id}\x1f{p.doc_id}\x1f{p.start}\x1f{p.end}\x1f{t}\x1e".encode("utf-8"))
    return h.hexdigest()


def corpus_terms(corpus: Corpus) -> set[str]:
    """Domain terms visible in the corpus without a graph: table cells with Chinese text
    (indicator names, districts, roads, categories) and book titles 《…》."""
    terms: set[str] = set()
    for p in corpus.passages:
        if p.kind == "table_row":
            for cell in p.meta.get("cells", []) or []:
                if isinstance(cell, str) and _CJK2.search(cell) and len(cell) <= 30:
                    terms.add(cell.strip())
        terms.update(m.group(1) for m in _TITLE.finditer(p.text))
    return {t for t in terms if t}


class VocabularySource(Protocol):
    """What the index reads of a graph: entity labels and indicator concepts."""

    def labels(self) -> list[str]: ...

    def indicators(self) -> list[Indicator]: ...


def graph_terms(graph: VocabularySource) -> set[str]:
    """Every entity label of the graph plus each indicator's preferred and alternative labels."""
    terms = {t for t in graph.labels() if t}
    for ind in graph.indicators():
        terms.update(t for t in [ind.pref_label, *ind.alt_labels] if t)
    return terms


def graph_synonyms(graph: VocabularySource) -> dict[str, list[str]]:
    """term -> the other labels of the same indicator concept (prefLabel + altLabels)."""
    out: dict[str, list[str]] = {}
    for ind in graph.indicators():
        names = list(dict.fromkeys(n for n in [ind.pref_label, *ind.alt_labels] if n))
        if len(names) < 2:
            continue
        for n in names:
            out.setdefault(n, [])
            out[n].extend(m for m in names if m != n and m not in out[n])
    return out
