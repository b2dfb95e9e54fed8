"""The index folder: manifest.json + one file or folder per part.

  manifest.json   format version, model, dimension, corpus hash, counts, parameters
  passages.json   passage ids in index row order
  dense.faiss     FAISS index (flat or HNSW), with vector_store = "faiss"
  milvus.json     otherwise: the Milvus collection, each plan's revision and every row's key
  lexical/        bm25s files + userdict.txt
  query.json      districts (name, plan, aliases) and synonyms taken from the graph
  warm_vectors.npz  sentence and label vectors readers compare with (index/warm.py)

The manifest is written last, so an interrupted build leaves a folder that refuses to load.
Loading refuses any mismatch (model, dimension, corpus) with an ArtifactError saying to rebuild.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from core.artifacts import REBUILD, read_json, write_json
from core.errors import ArtifactError

FORMAT = "plangraph-index"
VERSION = 2                  # 2: query.json lists districts (name, plan, aliases)


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    write_json(Path(folder) / "manifest.json", {"format": FORMAT, "version": VERSION, **manifest})


def read_manifest(folder: Path) -> dict[str, Any]:
    m = read_json(Path(folder) / "manifest.json")
    if m.get("format") != FORMAT or m.get("version") != VERSION:
        raise ArtifactError(f"index in {folder} has format {m.get('format')!r} version "
                            f"{m.get('version')!r}, this PlanGraph reads {FORMAT} v{VERSION}; "
                            f"{REBUILD}")
    return m


def check_manifest(m: dict[str, Any], folder: Path, *, model: str, corpus: str,
                   dim: int | None = None) -> None:
    """Refuse an index built with another model, dimension or corpus."""
    if m.get("model") != model:
        raise ArtifactError(f"index in {folder} was built with model {m.get('model')!r} but "
                            f"the config asks for {model!r}; {REBUILD}")
    if m.get("corpus") != corpus:
        raise ArtifactError(f"index in {folder} was built from another corpus (hash "
                            f"{str(m.get('corpus'))[:12]}, current {corpus[:12]}); {REBUILD}")
    if dim is not None and m.get("dim") != dim:
        raise ArtifactError(f"index in {folder} holds {m.get('dim')}-dimensional vectors, "
                            f"expected {dim}; {REBUILD}")
