"""Issue 14: process-wide runtime policy (GC thresholds and frozen heap, BLAS/OpenMP thread
pools) is applied by the entry points only. Importing every module, building, loading a
workspace and answering questions leave them as the interpreter started; app.py's answering
entry points change them. Each check runs in a fresh interpreter."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, _clean_env

pytestmark = pytest.mark.slow

PROBE = r'''
import gc, importlib, json, pkgutil, sys
sys.path.insert(0, sys.argv[1])
import numpy, faiss  # the pools a stage could limit are loaded before the baseline
from threadpoolctl import threadpool_info

def state():
    return {"gc": list(gc.get_threshold()), "frozen": gc.get_freeze_count(),
            "pools": sorted((p["internal_api"], p["filepath"], p["num_threads"])
                            for p in threadpool_info())}

before = state()
names = ["pipeline", "app"]
for pkg in ("core", "ingest", "kg", "index", "qa", "evaluation", "web", "parallel"):
    mod = importlib.import_module(pkg)
    names += [m.name for m in pkgutil.walk_packages(mod.__path__, pkg + ".")]
skipped = []
for name in names:
    try:
        importlib.import_module(name)
    except ImportError as e:           # an optional extra that is not installed
        skipped.append(f"{name}: {e}")
after_imports = state()

import pipeline, qa
from core.config import load_config
cfg = load_config({"corpora_dir": sys.argv[2], "data_dir": sys.argv[3]}, env={})
if sys.argv[4] == "build":
    pipeline.build(cfg, force=True, progress=lambda m: None)
ws = pipeline.Workspace(cfg)
ws.graph, ws.retriever, ws.embedder
for q in ("垃圾分类的目标是什么?", "两市的污水处理能力分别是多少?"):
    qa.answer(ws, q)
after_stages = state()
if sys.argv[5] == "entry":
    import app
    from core import runtime
    runtime.for_answering()
    app._prepare_answering(ws)
import os
print(json.dumps({"cores": len(os.sched_getaffinity(0)), "before": before, "imports": after_imports, "stages": after_stages,
                  "end": state(), "skipped": skipped, "n": len(names)}))
'''


def _untouched(got: dict, key: str) -> None:
    """GC as at start; every thread pool loaded at start keeps its size, and pools loaded
    later (torch's, by the build) have their default size (one thread per usable core)."""
    before, now = got["before"], got[key]
    assert now["gc"] == before["gc"] and now["frozen"] == before["frozen"] == 0
    sizes = {path: n for _, path, n in before["pools"]}
    for _, path, n in now["pools"]:
        assert n == sizes.get(path, got["cores"]), (path, n)


def _probe(corpora, data, build: bool, entry: bool) -> dict:
    r = subprocess.run([sys.executable, "-c", PROBE, str(ROOT), str(corpora), str(data),
                        "build" if build else "load", "entry" if entry else "stages"],
                       cwd=ROOT, env=_clean_env(), capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_imports_build_load_and_answers_leave_runtime_policy_alone(tmp_path):
    from core.catalog import Catalog
    corpora = tmp_path / "corpora"
    corpora.mkdir()
    (corpora / "catalog.toml").write_text("# catalog\n", encoding="utf-8")
    cat = Catalog.load(corpora)
    for doc_id, city, name in (("yunxi", "云溪", "yunxi.txt"), ("shihu", "石湖", "shihu.txt")):
        cat.add(ROOT / "tests" / "data" / "qa" / name, city=city, title=f"{city}市城市管理规划",
                period="2021-2025", doc_id=doc_id)
    got = _probe(corpora, tmp_path / "data", build=True, entry=False)
    assert got["n"] > 50 and not got["skipped"], got["skipped"]
    _untouched(got, "imports")
    _untouched(got, "stages")


def test_the_answering_entry_point_applies_it(built_cfg):
    got = _probe(built_cfg.corpora_dir, built_cfg.data_dir, build=False, entry=True)
    _untouched(got, "stages")
    from core import heap
    assert got["end"]["gc"][0] >= heap.YOUNG_THRESHOLD and got["end"]["frozen"] > 0
    blas = [p for p in got["end"]["pools"] if p[0] in ("openblas", "mkl", "blis")]
    assert blas and all(n == 1 for _, _, n in blas)
