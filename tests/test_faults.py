"""Faults: killed builds, stale/mismatched/corrupt artifacts (issue: reliability)."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import pipeline
from core import artifacts
from core.errors import ArtifactError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def copied(built_cfg, tmp_path):
    """A private copy of the session build, safe to damage."""
    data = tmp_path / "data"
    shutil.copytree(built_cfg.data_dir, data)
    return built_cfg.replace(data_dir=data)


@pytest.mark.slow
def test_faults_killed_build_leaves_previous_artifacts_loadable(copied):
    before = json.loads((copied.data_dir / "manifest.json").read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANGRAPH_")}
    proc = subprocess.Popen([sys.executable, "app.py", "--corpora", str(copied.corpora_dir),
                             "--data", str(copied.data_dir), "build", "--force"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    def started() -> bool:
        return any((s / "ingest").exists() for s in artifacts.stale_stagings(copied.data_dir))
    deadline = time.time() + 120
    while time.time() < deadline and not started():
        time.sleep(0.05)
    assert started(), "build never started writing its staging folder"
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    ws = pipeline.Workspace(copied)
    assert json.loads((copied.data_dir / "manifest.json").read_text()) == before
    assert len(ws.corpus.passages) > 0
    import qa
    ans = qa.answer(ws, ws.corpus.passages[len(ws.corpus.passages) // 2].text[:30])
    assert all(c.quote == ws.corpus.raw(c.doc)[c.start:c.end] for c in ans.citations)


def test_faults_leftover_staging_does_not_affect_loading(copied):
    staging = artifacts.new_staging(copied.data_dir)
    (staging / "manifest.json").write_text("half-written")
    assert pipeline.is_stale(copied) is None
    assert pipeline.Workspace(copied).corpus.passages


def test_faults_manifest_from_other_model_is_refused(copied):
    with pytest.raises(ArtifactError, match="build"):
        pipeline.Workspace(copied.replace(model="BAAI/bge-small-zh-v1.5"))


def test_faults_manifest_from_other_schema_is_refused(copied):
    m = json.loads((copied.data_dir / "manifest.json").read_text())
    m["schema_version"] = 999
    (copied.data_dir / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ArtifactError, match="rebuild|build --force"):
        pipeline.Workspace(copied)
    assert "schema" in pipeline.is_stale(copied)


def test_faults_corrupt_artifact_says_rebuild(copied):
    victim = next((copied.data_dir / "ingest").glob("passages*"))
    victim.write_bytes(b"\x00\xff{not json")
    with pytest.raises(ArtifactError, match="build"):
        pipeline.Workspace(copied)


def test_faults_missing_manifest_says_build(copied):
    (copied.data_dir / "manifest.json").unlink()
    with pytest.raises(ArtifactError, match="build"):
        pipeline.Workspace(copied)
    assert pipeline.is_stale(copied)


def test_faults_interrupted_swap_is_recovered(copied):
    old = copied.data_dir.with_name(copied.data_dir.name + ".old")
    os.replace(copied.data_dir, old)
    ws = pipeline.Workspace(copied)
    assert ws.corpus.passages and copied.data_dir.exists() and not old.exists()


def test_faults_changed_catalog_makes_artifacts_stale(copied, tmp_path):
    corp = tmp_path / "corpora"
    shutil.copytree(copied.corpora_dir, corp)
    from core.catalog import Catalog
    cat = Catalog.load(corp)
    cat.entries[0].title += "(修订)"
    cat.save()
    reason = pipeline.is_stale(copied.replace(corpora_dir=corp))
    assert reason and "catalog" in reason
