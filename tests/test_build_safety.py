"""Issue 13 §2 and §7: one build at a time per data folder, staging folders of their own,
every artifact file checksummed in the manifest and checked at load."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pipeline
from core import artifacts, buildlock
from core.artifacts import DamagedArtifact
from core.errors import ArtifactError
from tests.conftest import ROOT, _clean_env

VICTIMS = ("kg/store/*.sst", "kg/meta.json", "index/warm_vectors.npz", "index/dense.faiss")


@pytest.fixture
def copied(built_cfg, tmp_path):
    """A private copy of the session build, safe to damage."""
    data = tmp_path / "data"
    shutil.copytree(built_cfg.data_dir, data)
    return built_cfg.replace(data_dir=data)


def _victim(data: Path, pattern: str) -> Path:
    return max(data.glob(pattern), key=lambda p: p.stat().st_size)


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncate":
        path.write_bytes(bytes(data[: len(data) // 2]))
    else:                                   # flip one bit in the middle, size unchanged
        data[len(data) // 2] ^= 0x10
        path.write_bytes(bytes(data))


def _app(cfg, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "app.py"), "--corpora", str(cfg.corpora_dir),
                           "--data", str(cfg.data_dir), *args], cwd=ROOT, env=_clean_env(),
                          capture_output=True, text=True, timeout=timeout)


def test_manifest_records_every_file(built_cfg):
    m = json.loads((built_cfg.data_dir / "manifest.json").read_text())
    on_disk = {p.relative_to(built_cfg.data_dir).as_posix()
               for p in built_cfg.data_dir.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(m["files"]) == on_disk
    assert {"index/warm_vectors.npz", "index/dense.faiss", "kg/meta.json"} <= on_disk
    assert any(f.startswith("kg/store/") for f in on_disk)
    assert all(len(r["sha256"]) == 64 and r["bytes"] >= 0 for r in m["files"].values())


@pytest.mark.parametrize("how", ["truncate", "bitflip"])
@pytest.mark.parametrize("pattern", VICTIMS)
def test_damaged_file_is_named_at_load(copied, pattern, how):
    victim = _victim(copied.data_dir, pattern)
    _damage(victim, how)
    with pytest.raises(DamagedArtifact, match="build --force") as e:
        pipeline.Workspace(copied)
    assert str(victim) in str(e.value) and "\n" not in str(e.value)
    reason = pipeline.is_stale(copied)          # so `build` does not say "up to date"
    assert reason and str(victim) in reason


def test_damaged_file_one_line_from_the_cli(copied):
    victim = _victim(copied.data_dir, "kg/store/*.sst")
    _damage(victim, "bitflip")
    for args in (("sparql", "ASK {}"), ("ask", "垃圾分类的目标是什么?")):
        r = _app(copied, *args)
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
        assert str(victim) in lines[0] and "build --force" in lines[0]


def test_folder_mixed_from_two_builds_is_refused(copied, tmp_path):
    """Another build's index/ moved into this folder: detected by the checksums."""
    other = tmp_path / "other"
    shutil.copytree(copied.data_dir, other)
    m = json.loads((other / "manifest.json").read_text())
    warm = other / "index" / "warm_vectors.npz"
    warm.write_bytes(warm.read_bytes() + b"\0")
    shutil.rmtree(copied.data_dir / "index")
    shutil.copytree(other / "index", copied.data_dir / "index")
    assert m["files"]["index/warm_vectors.npz"]["bytes"] != warm.stat().st_size
    with pytest.raises(DamagedArtifact, match="warm_vectors"):
        pipeline.Workspace(copied)


def test_part_loaded_after_another_build_swapped_in_is_refused(copied):
    ws = pipeline.Workspace(copied)
    m = json.loads((copied.data_dir / "manifest.json").read_text())
    m["build_id"] = "another-build"
    artifacts.write_json(copied.data_dir / "manifest.json", m)
    with pytest.raises(ArtifactError, match="another build"):
        ws.graph


def test_second_build_refuses_at_once_while_one_runs(copied):
    with buildlock.build_lock(copied.data_dir):
        t0 = time.monotonic()
        r = _app(copied, "build", "--force", timeout=60)
        waited = time.monotonic() - t0
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    line = r.stderr.strip().splitlines()[-1]
    assert "另一个构建" in line and "another build" in line and "pid" in line
    assert waited < 30                       # refused, not built (a build takes longer)
    assert pipeline.is_stale(copied) is None


def test_loading_waits_for_a_running_build(copied, tmp_path):
    marker = tmp_path / "holder-done"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; sys.path.insert(0, sys.argv[1]); from core import buildlock\n"
        "from pathlib import Path\n"
        "with buildlock.build_lock(Path(sys.argv[2])):\n"
        "    print('held', flush=True); time.sleep(1.5); Path(sys.argv[3]).write_text('x')"),
        str(ROOT), str(copied.data_dir), str(marker)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    said = []
    with buildlock.build_lock(copied.data_dir, wait=True, progress=said.append):
        assert marker.exists()                # written by the holder while it held the lock
    assert said and "waiting" in said[0] and "pid" in said[0]
    holder.wait()


def test_leftover_staging_folders_are_removed_by_the_next_build_lock_holder(copied):
    left = artifacts.new_staging(copied.data_dir)
    assert left in artifacts.stale_stagings(copied.data_dir)
    pipeline.build(copied, force=False, progress=lambda m: None)     # up to date: no rebuild
    assert not left.exists()


@pytest.mark.slow
def test_two_concurrent_forced_builds_leave_a_consistent_folder(copied):
    before = json.loads((copied.data_dir / "manifest.json").read_text())["build_id"]
    cmd = [sys.executable, str(ROOT / "app.py"), "--corpora", str(copied.corpora_dir),
           "--data", str(copied.data_dir), "build", "--force"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, env=_clean_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    codes = sorted(p.returncode for p in procs)
    errs = [e for _, e in outs]
    assert codes == [0, 2], errs
    assert not any("Traceback" in e for e in errs), errs
    refused = errs[[p.returncode for p in procs].index(2)]
    assert "another build" in refused.strip().splitlines()[-1]
    assert pipeline.is_stale(copied) is None
    ws = pipeline.Workspace(copied)
    assert ws.manifest["build_id"] != before
    assert ws.manifest["counts"]["passages"] == len(ws.corpus.passages)
    assert ws.graph.meta and len(ws.retriever.search("垃圾分类", k=3)) == 3
    assert not artifacts.stale_stagings(copied.data_dir)


@pytest.mark.slow
def test_serve_path_rebuilds_a_damaged_folder(copied):
    _damage(_victim(copied.data_dir, "index/dense.faiss"), "bitflip")
    said: list[str] = []
    ws = pipeline.Workspace.open(copied, build_if_needed=True, progress=said.append)
    assert any("dense.faiss" in s for s in said)
    assert pipeline.is_stale(copied) is None and ws.corpus.passages


def test_loaded_graph_keeps_its_store_after_another_build_is_swapped_in(copied, tmp_path):
    """A server's SPARQL workers start at any time: they must open the store the server
    loaded, not the one a later build put in data/."""
    import gc

    from pyoxigraph import Store
    ws = pipeline.Workspace(copied)
    graph = ws.graph
    loc = graph.location
    assert loc is not None and copied.data_dir not in loc.parents
    n = len(graph.store)
    newer = tmp_path / "newer"
    shutil.copytree(copied.data_dir, newer)
    m = json.loads((newer / "manifest.json").read_text())
    m["build_id"] = "newer-build"
    artifacts.write_json(newer / "manifest.json", m)
    shutil.rmtree(newer / "kg" / "store")             # the newer build's store differs
    artifacts.swap_in(newer, copied.data_dir)
    assert not (copied.data_dir / "kg" / "store").exists()
    assert len(Store.read_only(str(loc))) == n        # what a worker started now would open
    snap = loc.parent.parent
    del ws, graph
    gc.collect()
    assert not snap.exists()                          # removed with the graph


def test_snapshots_of_dead_processes_are_removed_by_the_next_build(copied):
    dead = copied.data_dir.with_name(copied.data_dir.name + artifacts.SNAPSHOT_PREFIX + "999999-x")
    mine = artifacts.link_snapshot(copied.data_dir, "kg")
    dead.mkdir()
    assert artifacts.stale_snapshots(copied.data_dir) == [dead]
    pipeline.build(copied, force=False, progress=lambda m: None)
    assert not dead.exists() and mine.exists()
    shutil.rmtree(mine)
