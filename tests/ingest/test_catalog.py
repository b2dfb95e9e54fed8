"""Catalog refusals: empty, binary, duplicate and unreadable files raise CorpusError and leave
catalog.toml byte-for-byte unchanged (on a temporary copy of corpora/)."""
from __future__ import annotations

import shutil

import pytest

from core.catalog import Catalog, decode_bytes
from core.errors import CorpusError


@pytest.fixture
def corpora_copy(tmp_path, corpora_dir):
    dst = tmp_path / "corpora"
    shutil.copytree(corpora_dir, dst)
    return dst


def _refused(corpora, path, match):
    before = (corpora / "catalog.toml").read_bytes()
    files_before = sorted(p.name for p in corpora.iterdir())
    cat = Catalog.load(corpora)
    with pytest.raises(CorpusError, match=match):
        cat.add(path, city="某市", title="某市城市管理规划")
    assert (corpora / "catalog.toml").read_bytes() == before
    assert sorted(p.name for p in corpora.iterdir()) == files_before
    assert len(Catalog.load(corpora).entries) == len(cat.entries)


def test_catalog_refuses_empty_file(corpora_copy, tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"  \n\n")
    _refused(corpora_copy, f, "empty")


def test_catalog_refuses_binary_file(corpora_copy, tmp_path):
    f = tmp_path / "plan.pdf"
    f.write_bytes(b"%PDF-1.7\x00\x01\x02" + bytes(range(256)) * 4)
    _refused(corpora_copy, f, "binary")


def test_catalog_refuses_duplicate_file(corpora_copy, tmp_path):
    entry = Catalog.load(corpora_copy).entries[0]
    f = tmp_path / "copy-of-plan.txt"
    shutil.copyfile(corpora_copy / entry.file, f)
    _refused(corpora_copy, f, "duplicate")


def test_catalog_refuses_missing_file(corpora_copy, tmp_path):
    _refused(corpora_copy, tmp_path / "no-such-plan.txt", "no such file")


def test_catalog_refuses_directory(corpora_copy, tmp_path):
    d = tmp_path / "a-folder"
    d.mkdir()
    _refused(corpora_copy, d, "directory")


def test_catalog_refuses_text_without_chinese(corpora_copy, tmp_path):
    f = tmp_path / "english.txt"
    f.write_text("This is not a Chinese plan.\n", encoding="utf-8")
    _refused(corpora_copy, f, "no Chinese")


def test_catalog_adds_gb18030_plan_and_ingests_it(corpora_copy, ingest_data, ingest_cfg):
    import ingest
    f = corpora_copy.parent / "gb-plan.txt"
    f.write_bytes((ingest_data / "chapter_plan.txt").read_text(encoding="utf-8")
                  .encode("gb18030"))
    cat = Catalog.load(corpora_copy)
    entry = cat.add(f, city="某市", title="某市城乡环境规划")
    docs = Catalog.load(corpora_copy).documents()
    doc = next(d for d in docs if d.id == entry.id)
    assert doc.encoding == "gb18030"
    c = ingest.ingest_corpus(docs, ingest_cfg, progress=lambda m: None)
    assert len(c.documents) == len(docs)
    assert any(p.doc_id == entry.id and p.kind == "table_row" for p in c.passages)
    assert decode_bytes(f.read_bytes())[0] == doc.raw_text


def test_catalog_changed_file_is_refused_on_load(corpora_copy):
    entry = Catalog.load(corpora_copy).entries[0]
    path = corpora_copy / entry.file
    path.write_bytes(path.read_bytes() + "。".encode("utf-8"))
    with pytest.raises(CorpusError, match="sha256"):
        Catalog.load(corpora_copy).documents()
