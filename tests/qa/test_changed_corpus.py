"""A copy of the shipped corpus whose numbers were changed: answers must follow the text."""
from __future__ import annotations

import shutil

import pytest

import qa
from tests.conftest import CORPORA, _clean_env

pytestmark = pytest.mark.slow

NEW_VALUE = "73.5%"


def test_changed_corpus_answer_follows_the_text(built, tmp_path):
    import pipeline
    from core.catalog import Catalog, sha256_bytes
    from core.config import load_config
    t = next(t for t in built.graph.targets() if t.source == "table" and t.value_kind == "target"
             and t.target and t.target.endswith("%") and not t.year and len(t.indicator_label) >= 6)
    raw = built.corpus.raw(t.doc_id)
    row = raw[t.evidence_start:t.evidence_end]
    assert raw.count(row) == 1 and f"| {t.target} |" in row
    corpora = tmp_path / "corpora"
    shutil.copytree(CORPORA, corpora)
    cat = Catalog.load(corpora)
    entry = cat.get(t.doc_id)
    changed = raw.replace(row, row.replace(f"| {t.target} |", f"| {NEW_VALUE} |"))
    # the same value written in the text, right after the indicator's name, changes too
    changed = changed.replace(f"{t.indicator_label}达到{t.target}", f"{t.indicator_label}达到{NEW_VALUE}")
    data = changed.encode(built.corpus.documents[t.doc_id].encoding)
    (corpora / entry.file).chmod(0o644)
    (corpora / entry.file).write_bytes(data)
    entry.sha256 = sha256_bytes(data)
    cat.save()
    cfg = load_config({"corpora_dir": corpora, "data_dir": tmp_path / "data"}, env=_clean_env())
    pipeline.build(cfg, force=True, progress=lambda m: None)
    ws = pipeline.Workspace(cfg)
    ans = qa.answer(ws, f"{t.city}{t.indicator_label}目标是多少?")
    assert ans.found and NEW_VALUE in ans.answer, ans.answer
    assert all(ws.corpus.raw(c.doc)[c.start:c.end] == c.quote for c in ans.citations)
