"""GB18030 input decodes through core.catalog.decode_bytes and keeps offsets."""
from __future__ import annotations

from core.catalog import decode_bytes


def test_encoding_gb18030_snippet_ingests_with_offsets(ingest_text, ingest_data):
    text = (ingest_data / "chapter_plan.txt").read_text(encoding="utf-8")
    data = text.encode("gb18030")
    assert data != text.encode("utf-8")
    raw, enc = decode_bytes(data, "snippet")
    assert enc == "gb18030" and raw == text
    c = ingest_text(raw, encoding=enc)
    assert c.documents["snippet"].encoding == "gb18030"
    assert len([p for p in c.passages if p.kind == "table_row"]) == 3
    for p in c.passages:
        assert raw[p.start:p.end] == p.text
    for s in c.sections:
        assert raw[s.start:s.end].startswith(s.number)


def test_encoding_crlf_line_endings_keep_offsets(ingest_text, ingest_data):
    text = (ingest_data / "chapter_plan.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    c = ingest_text(text)
    assert c.passages
    for p in c.passages:
        assert text[p.start:p.end] == p.text and "\r" not in p.text
