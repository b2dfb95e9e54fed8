"""Warm-up: the texts question answering embeds over and over (indicator labels and every
candidate answer sentence of the corpus), encoded once at build time so that a question only
encodes itself. Used by pipeline.build; the vectors are stored beside the index."""
from __future__ import annotations

from typing import Any

from core.protocols import Workspace
from qa.router import state_for
from qa.text import sentence_spans


def candidate_texts(corpus: Any) -> list[str]:
    """The sentence texts extractive answering scores (table rows whole, headings skipped)."""
    out: list[str] = []
    for p in corpus.passages:
        if p.kind == "heading":
            continue
        if p.kind == "table_row":
            out.append(p.text)
            continue
        out.extend(p.text[s:e] for s, e in sentence_spans(p.text, 0, len(p.text)))
    return list(dict.fromkeys(out))


def warm(ws: Workspace) -> None:
    """Encode the labels and candidate sentences through ws.embedder (which remembers them)."""
    st = state_for(ws)
    st.ctx.match_indicators(["预热"])
    ws.embedder.encode(candidate_texts(ws.corpus))
    # the names graph-target candidates are compared by (qa/candidates.py _semantic)
    names = [(t.name_as_written or t.indicator_label)[:200] for t in st.gv.targets()]
    ws.embedder.encode(list(dict.fromkeys(n for n in names if n)))
