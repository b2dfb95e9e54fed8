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


# ---- issue 13 §6: ids, file kinds, encodings -----------------------------------------------

TRADITIONAL = ("臺北市城市管理規劃\n一、總體要求\n規劃期限為2021至2025年。到2025年，生活垃圾回收利用率"
               "達到60%，城市供水管網漏損率控制在9%以內。\n二、重點任務\n推進垃圾分類，建設污水處理廠三座。\n")


@pytest.mark.parametrize("bad", ["../x", "a b<c>\"d", "sub/dir", "", "-x", "名字", "x" * 65, ".."])
def test_catalog_refuses_ids_that_are_not_slugs(corpora_copy, tmp_path, bad):
    f = tmp_path / "plan.txt"
    f.write_text("某市城市管理规划\n一、目标\n到2025年垃圾分类覆盖率达到100%。\n", encoding="utf-8")
    before = (corpora_copy / "catalog.toml").read_bytes()
    with pytest.raises(CorpusError, match="letters, digits"):
        Catalog.load(corpora_copy).add(f, city="某市", title="某市规划", doc_id=bad)
    assert (corpora_copy / "catalog.toml").read_bytes() == before
    assert not (corpora_copy.parent / "x.txt").exists()


def test_catalog_accepts_a_slug_id(corpora_copy, tmp_path):
    f = tmp_path / "plan.txt"
    f.write_text("某市城市管理规划\n一、目标\n到2025年垃圾分类覆盖率达到100%。\n", encoding="utf-8")
    e = Catalog.load(corpora_copy).add(f, city="某市", title="某市规划", doc_id="Ning_bo-2")
    assert e.id == "Ning_bo-2" and (corpora_copy / "Ning_bo-2.txt").is_file()


def test_catalog_with_a_bad_id_is_refused_on_load(corpora_copy):
    path = corpora_copy / "catalog.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('id = "shaoxing"', 'id = "../x"'),
                    encoding="utf-8")
    with pytest.raises(CorpusError, match="letters, digits"):
        Catalog.load(corpora_copy)


@pytest.mark.parametrize("period", ["2025-2021", "明年", "abc"])
def test_catalog_refuses_unreadable_periods(corpora_copy, tmp_path, period):
    f = tmp_path / "plan.txt"
    f.write_text("某市城市管理规划\n一、目标\n到2025年垃圾分类覆盖率达到100%。\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="period"):
        Catalog.load(corpora_copy).add(f, city="某市", title="某市规划", period=period)


def test_catalog_refuses_a_fifo_at_once(corpora_copy, tmp_path):
    import os
    fifo = tmp_path / "plan.fifo"
    os.mkfifo(fifo)
    _refused(corpora_copy, fifo, "FIFO")        # returns: nothing ever writes to the FIFO


def test_catalog_refuses_a_device(corpora_copy):
    from pathlib import Path
    _refused(corpora_copy, Path("/dev/zero"), "not a regular file")


@pytest.mark.parametrize("enc", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_catalog_refuses_utf16_with_advice(corpora_copy, tmp_path, ingest_data, enc):
    f = tmp_path / f"plan-{enc}.txt"
    f.write_bytes((ingest_data / "chapter_plan.txt").read_text(encoding="utf-8").encode(enc))
    _refused(corpora_copy, f, "save as UTF-8")
    with pytest.raises(CorpusError) as e:
        decode_bytes(f.read_bytes(), "plan")
    assert str(e.value).index("UTF-8") > str(e.value).index("请另存为")   # Chinese first


def test_decode_utf16_of_pure_chinese_without_nul_bytes_is_refused():
    data = "规划垃圾分类处理能力提升城市管理精细化水平" * 20
    for enc in ("utf-16-le", "utf-16-be"):
        raw = data.encode(enc)
        assert b"\x00" not in raw
        with pytest.raises(CorpusError, match="UTF-16"):
            decode_bytes(raw, "plan")


def test_decode_big5_is_read_as_big5(corpora_copy, tmp_path):
    raw = TRADITIONAL.encode("big5")
    text, enc = decode_bytes(raw, "plan")
    assert enc == "big5" and text == TRADITIONAL
    f = tmp_path / "taipei.txt"
    f.write_bytes(raw)
    entry = Catalog.load(corpora_copy).add(f, city="臺北", title="臺北市城市管理規劃")
    doc = next(d for d in Catalog.load(corpora_copy).documents() if d.id == entry.id)
    assert doc.raw_text == TRADITIONAL and doc.encoding == "big5"


def test_decode_gb18030_still_gb18030(ingest_data):
    text = (ingest_data / "chapter_plan.txt").read_text(encoding="utf-8")
    assert decode_bytes(text.encode("gb18030"), "plan") == (text, "gb18030")


def test_concurrent_adds_lose_no_entry(corpora_copy, tmp_path):
    """Eight processes add eight different plans at once: all eight are in the catalog."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    procs = []
    for i in range(8):
        f = tmp_path / f"plan{i}.txt"
        f.write_text(f"某{i}市城市管理规划\n一、目标\n到2025年垃圾分类覆盖率达到{90 + i}%。\n", encoding="utf-8")
        procs.append(subprocess.Popen(
            [sys.executable, str(root / "app.py"), "--corpora", str(corpora_copy), "add", str(f),
             "--city", f"某{i}", "--title", f"某{i}市规划", "--id", f"plan{i}"],
            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    ids = {e.id for e in Catalog.load(corpora_copy).entries}
    assert {f"plan{i}" for i in range(8)} <= ids
    assert all((corpora_copy / f"plan{i}.txt").is_file() for i in range(8))
