"""Artifact folder: manifest.json + one file (or folder) per part; atomic replacement.

Layout of data/ (DESIGN §1, STYLE 7):
  manifest.json            schema version, model, dimension, corpus fingerprint, counts
  ingest/                  documents.json, sections.jsonl, passages.jsonl, cleaning.json
  kg/                      graph.ttl (+ the fast-loading store)
  index/                   FAISS + BM25 files with their own params
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Iterable

from core.errors import ArtifactError

SCHEMA_VERSION = 2
MANIFEST = "manifest.json"


def write_json(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"missing artifact {path}; run `python app.py build`") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ArtifactError(f"corrupt artifact {path} ({e}); run `python app.py build --force`") from None


def write_jsonl(path: Path, rows: Iterable[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def read_jsonl(path: Path) -> list[dict]:
    try:
        with Path(path).open(encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        raise ArtifactError(f"missing artifact {path}; run `python app.py build`") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ArtifactError(f"corrupt artifact {path} ({e}); run `python app.py build --force`") from None


def read_manifest(data_dir: Path) -> dict:
    m = read_json(Path(data_dir) / MANIFEST)
    if m.get("schema_version") != SCHEMA_VERSION:
        raise ArtifactError(f"artifacts in {data_dir} have schema version "
                            f"{m.get('schema_version')!r}, this PlanGraph needs {SCHEMA_VERSION}; "
                            "run `python app.py build --force`")
    return m


def recover(data_dir: Path) -> None:
    """Finish an interrupted swap: if data/ is missing but data.old/ exists, restore it."""
    old = data_dir.with_name(data_dir.name + ".old")
    if not data_dir.exists() and old.exists():
        os.replace(old, data_dir)


def swap_in(staging: Path, data_dir: Path) -> None:
    """Atomically-as-possible replace data_dir with staging (both on one file system)."""
    old = data_dir.with_name(data_dir.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if data_dir.exists():
        os.replace(data_dir, old)
    os.replace(staging, data_dir)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
