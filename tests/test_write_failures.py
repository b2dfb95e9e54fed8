"""Issue 13 §8 (build side): a read-only folder or a full disk during `build` or `add` gives one
line (Chinese first) and exit code 2, no OSError traceback, and loses nothing.

The read-only folder is real: chmod for an ordinary user; as root (whom permissions do not
stop) a read-only bind mount in a private mount namespace (`unshare -m`). A full disk is
simulated by making one write raise ENOSPC."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import app
import pipeline
from core.catalog import Catalog
from core.errors import ArtifactError, CorpusError
from tests.conftest import CORPORA, ROOT, _clean_env

PLAN = "某市城市管理规划\n一、目标\n到2025年垃圾分类覆盖率达到100%。\n"


def _run_readonly(folder: Path, args: list[str]) -> subprocess.CompletedProcess:
    """Run `python app.py ARGS` with `folder` read-only."""
    cmd = [sys.executable, str(ROOT / "app.py"), *args]
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return subprocess.run(cmd, cwd=ROOT, env=_clean_env(), capture_output=True,
                                  text=True, timeout=300)
        finally:
            folder.chmod(0o755)
    if shutil.which("unshare") is None:
        pytest.skip("root without unshare: cannot make a folder read-only")
    script = ('mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" || exit 97; '
              'shift; exec "$@"')
    r = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(folder), *cmd], cwd=ROOT,
                       env=_clean_env(), capture_output=True, text=True, timeout=300)
    if r.returncode == 97 or "unshare failed" in r.stderr:
        pytest.skip(f"cannot mount read-only here: {r.stderr.strip()[:200]}")
    return r


def _one_line(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr, r.stderr
    lines = [line for line in r.stderr.strip().splitlines() if line.startswith("error:")]
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_build_into_a_read_only_folder_is_one_line(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    line = _one_line(_run_readonly(ro, ["--corpora", str(CORPORA), "--data", str(ro / "data"),
                                        "build"]))
    assert "只读" in line or "权限" in line
    assert not (ro / "data").exists()


def test_add_into_a_read_only_corpus_folder_is_one_line(tmp_path):
    corpora = tmp_path / "corpora"
    shutil.copytree(CORPORA, corpora)
    before = (corpora / "catalog.toml").read_bytes()
    f = tmp_path / "plan.txt"
    f.write_text(PLAN, encoding="utf-8")
    line = _one_line(_run_readonly(corpora, ["--corpora", str(corpora), "add", str(f),
                                             "--city", "某市", "--title", "某市规划"]))
    assert "无法写入" in line and "nothing was added" in line
    assert (corpora / "catalog.toml").read_bytes() == before


def test_reading_a_read_only_data_folder_works(built_cfg, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(built_cfg.data_dir, data)
    r = _run_readonly(tmp_path, ["--corpora", str(CORPORA), "--data", str(data), "sparql",
                                 "ASK { ?s ?p ?o }"])
    assert r.returncode == 0 and "true" in r.stdout.lower(), r.stderr


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "simulated")


def test_full_disk_during_build_is_one_line_and_keeps_the_old_build(built_cfg, tmp_path,
                                                                   monkeypatch, capsys):
    import ingest
    data = tmp_path / "data"
    shutil.copytree(built_cfg.data_dir, data)
    before = (data / "manifest.json").read_bytes()
    monkeypatch.setattr(ingest, "save", _enospc)
    code = app.main(["--corpora", str(CORPORA), "--data", str(data), "build", "--force"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err[-1].startswith("error: 构建失败：磁盘已满"), err
    assert "Traceback" not in "\n".join(err)
    assert (data / "manifest.json").read_bytes() == before
    assert pipeline.is_stale(built_cfg.replace(data_dir=data)) is None
    assert not list(tmp_path.glob("data.tmp-*"))


def test_full_disk_during_build_raises_artifact_error(cfg, monkeypatch):
    import ingest
    monkeypatch.setattr(ingest, "save", _enospc)
    with pytest.raises(ArtifactError, match="磁盘已满"):
        pipeline.build(cfg, force=True, progress=lambda m: None)


def test_full_disk_during_add_is_one_line_and_changes_nothing(tmp_path, monkeypatch):
    corpora = tmp_path / "corpora"
    shutil.copytree(CORPORA, corpora)
    before = sorted((p.name, p.read_bytes()) for p in corpora.iterdir())
    f = tmp_path / "plan.txt"
    f.write_text(PLAN, encoding="utf-8")
    monkeypatch.setattr(Path, "write_text", _enospc)       # catalog.toml cannot be written
    with pytest.raises(CorpusError, match="磁盘已满") as e:
        Catalog.load(corpora).add(f, city="某市", title="某市规划")
    assert "\n" not in str(e.value)
    monkeypatch.undo()
    assert sorted((p.name, p.read_bytes()) for p in corpora.iterdir()) == before
