"""Human-readable summary of an ingested corpus (printed by `app.py build`)."""
from __future__ import annotations

from collections import Counter

from core.types import Corpus


def report(corpus: Corpus) -> str:
    lines = [f"ingest: {len(corpus.documents)} documents, {len(corpus.sections)} sections, "
             f"{len(corpus.passages)} passages, {len(corpus.spam)} spam spans removed"]
    for doc in corpus.documents.values():
        secs = [s for s in corpus.sections if s.doc_id == doc.id]
        pas = [p for p in corpus.passages if p.doc_id == doc.id]
        kinds = Counter(p.kind for p in pas)
        tables = {p.meta.get("table_id") for p in pas if p.kind == "table_row"}
        inferred = sum(1 for s in secs if s.inferred)
        top = [s for s in secs if s.level == 1]
        lines.append(f"- {doc.id} ({doc.city}, {doc.encoding}, {len(doc.raw_text)} chars): "
                     f"{len(secs)} sections ({inferred} inferred, {len(top)} top-level), "
                     f"{len(pas)} passages ("
                     + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) + "), "
                     f"{len(tables)} tables / {kinds.get('table_row', 0)} table rows")
        if secs and inferred == len(secs):
            lines.append("    no headings found: sections inferred from paragraph keywords "
                         "(plan parts, then fields), smoothed into contiguous blocks")
        elif inferred:
            lines.append("    text before the first heading: inferred section [推断] 前言")
        for s in top:
            lines.append(f"      {s.path.split(' > ')[-1]}"
                         f"  [{s.start}:{s.end}]")
        spam = [s for s in corpus.spam if s.doc_id == doc.id]
        for s in spam:
            lines.append(f"    spam [{s.start}:{s.end}] {s.text!r} ({s.reason})")
        if not spam:
            lines.append("    spam: none found")
    return "\n".join(lines)
