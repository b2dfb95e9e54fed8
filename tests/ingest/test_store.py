"""save/load round trip and the report."""
from __future__ import annotations

import json

import pytest

import ingest
from core.errors import ArtifactError


def test_store_round_trip(real_corpus, tmp_path):
    ingest.save(real_corpus, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"documents.json", "sections.jsonl",
                                                   "passages.jsonl", "cleaning.json",
                                                   "tables.jsonl"}
    back = ingest.load(tmp_path)
    assert [p.id for p in back.passages] == [p.id for p in real_corpus.passages]
    assert [s.id for s in back.sections] == [s.id for s in real_corpus.sections]
    assert back.spam == real_corpus.spam
    assert back.tables == real_corpus.tables and back.tables
    for doc_id, doc in real_corpus.documents.items():
        assert back.raw(doc_id) == doc.raw_text
        assert back.documents[doc_id].clean_text == doc.clean_text
    p = real_corpus.passages[5]
    assert back.passage(p.id).meta == p.meta


def test_store_load_refuses_mismatched_text(real_corpus, tmp_path):
    ingest.save(real_corpus, tmp_path)
    rows = (tmp_path / "passages.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(rows[0])
    first["start"] += 1
    rows[0] = json.dumps(first, ensure_ascii=False)
    (tmp_path / "passages.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ArtifactError, match="does not match"):
        ingest.load(tmp_path)


@pytest.mark.parametrize("where", ["header", "row"])
def test_store_load_refuses_a_table_cell_off_its_text(real_corpus, tmp_path, where):
    ingest.save(real_corpus, tmp_path)
    path = tmp_path / "tables.jsonl"
    rows = path.read_text(encoding="utf-8").splitlines()
    first = json.loads(rows[0])
    spans = first["header_spans"] if where == "header" else first["rows"][0]["spans"]
    cell = first["header"][0] if where == "header" else first["rows"][0]["full"][0]
    doc = real_corpus.documents[first["doc_id"]]
    spans[0] = [spans[0][0] + 1, spans[0][1] + 1]
    assert doc.clean_text[spans[0][0]:spans[0][1]] != cell        # the shift moves the cell
    rows[0] = json.dumps(first, ensure_ascii=False)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(ArtifactError, match=f"table {first['id']} does not match"):
        ingest.load(tmp_path)


def test_store_load_missing_folder_is_artifact_error(tmp_path):
    with pytest.raises(ArtifactError):
        ingest.load(tmp_path / "nope")


def test_store_report_lists_plans_and_spam(real_corpus):
    text = ingest.report(real_corpus)
    for doc_id in real_corpus.documents:
        assert f"- {doc_id} " in text
    for s in real_corpus.spam:
        assert f"[{s.start}:{s.end}]" in text and s.text in text
    assert "table rows" in text
