"""Artifact folder: manifest.json + one file (or folder) per part; atomic replacement.

Layout of data/ (DESIGN §1, STYLE 7):
  manifest.json            schema version, model, dimension, corpus fingerprint, counts, and
                           `files`: the size and sha256 of every other file of the folder
  ingest/                  documents.json, sections.jsonl, passages.jsonl, cleaning.json,
                           tables.jsonl
  kg/                      graph.ttl, graph.trig, meta.json, store/ (the graph store)
  index/                   FAISS + BM25 files with their own params, warm_vectors.npz

A build writes into a staging folder of its own (`data.tmp-XXXX/`, beside data/), records
the checksums last, and exchanges it with data/ in one rename (core/buildlock.py keeps a
second build out meanwhile). Loading checks the checksums, so a damaged file or a folder
mixed from two builds is refused with the file's name instead of being half-read.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable, Optional

from core.errors import ArtifactError

SCHEMA_VERSION = 4          # 2: typed graph values; 3: manifest records every file's checksum;
#                            4: ingest/tables.jsonl
MANIFEST = "manifest.json"
PARTS = ("ingest", "kg", "index")
REBUILD = "run `python app.py build --force`"
_CHUNK = 1 << 20


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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def file_checksums(folder: Path) -> dict[str, dict]:
    """{relative path: {"bytes", "sha256"}} of every file under folder but the manifest."""
    folder = Path(folder)
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_file() and rel != MANIFEST:
            out[rel] = {"bytes": p.stat().st_size, "sha256": _sha256(p)}
    return out


class DamagedArtifact(ArtifactError):
    """A file of the artifact folder is missing, truncated or changed since its build."""

    def __init__(self, path: Path, what: str):
        super().__init__(f"数据文件已损坏 {path}，请重新构建 (damaged artifact: {what}; {REBUILD})")
        self.path = path


def verify(data_dir: Path, manifest: dict, parts: Optional[Iterable[str]] = None) -> None:
    """Check the files of `parts` (all when None) against the manifest's checksums; raises
    DamagedArtifact naming the first file that is missing or differs."""
    data_dir = Path(data_dir)
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise ArtifactError(f"{data_dir / MANIFEST} records no checksums; {REBUILD}")
    wanted = tuple(parts) if parts is not None else None
    for rel, rec in files.items():
        if wanted is not None and rel.split("/", 1)[0] not in wanted:
            continue
        path = data_dir / rel
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise DamagedArtifact(path, "missing") from None
        if size != rec.get("bytes"):
            raise DamagedArtifact(path, f"{size} bytes, the build wrote {rec.get('bytes')}")
        if _sha256(path) != rec.get("sha256"):
            raise DamagedArtifact(path, "checksum differs from the build's")


def read_manifest(data_dir: Path) -> dict:
    m = read_json(Path(data_dir) / MANIFEST)
    if m.get("schema_version") != SCHEMA_VERSION:
        raise ArtifactError(f"artifacts in {data_dir} have schema version "
                            f"{m.get('schema_version')!r}, this PlanGraph needs {SCHEMA_VERSION}; "
                            "run `python app.py build --force`")
    return m


def recover(data_dir: Path) -> None:
    """Finish an interrupted two-step swap: if data/ is missing but data.old/ exists, restore
    it. Only called with the build lock held (no build is between its two renames)."""
    old = data_dir.with_name(data_dir.name + ".old")
    if not data_dir.exists() and old.exists():
        os.replace(old, data_dir)


STAGING_PREFIX = ".tmp-"


def new_staging(data_dir: Path) -> Path:
    """A fresh staging folder of this build's own beside data_dir (same file system)."""
    data_dir = Path(data_dir)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=data_dir.name + STAGING_PREFIX, dir=data_dir.parent))


def stale_stagings(data_dir: Path) -> list[Path]:
    """Staging folders left by killed builds (remove them only with the build lock held)."""
    data_dir = Path(data_dir)
    return sorted(p for p in data_dir.parent.glob(data_dir.name + STAGING_PREFIX + "*")
                  if p.is_dir())


SNAPSHOT_PREFIX = ".snap-"


def link_snapshot(data_dir: Path, part: str) -> Optional[Path]:
    """Hard-link the files of one part (e.g. kg/) into a folder of this process's own beside
    data_dir (`data.snap-<pid>-XXXX/<part>/`), so that what the process loaded stays on disk,
    unchanged, after another build replaces data_dir (worker processes started later open the
    snapshot, not the new build). None where links cannot be made (read-only or another file
    system): the caller then uses data_dir itself. The caller checks that data_dir still holds
    its build after linking."""
    data_dir = Path(data_dir)
    try:
        snap = Path(tempfile.mkdtemp(prefix=f"{data_dir.name}{SNAPSHOT_PREFIX}{os.getpid()}-",
                                     dir=data_dir.parent))
    except OSError:
        return None
    try:
        for src in sorted((data_dir / part).rglob("*")):
            dst = snap / src.relative_to(data_dir)
            if src.is_dir():
                dst.mkdir(parents=True, exist_ok=True)
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                os.link(src, dst)
    except OSError:
        shutil.rmtree(snap, ignore_errors=True)
        return None
    return snap


def stale_snapshots(data_dir: Path) -> list[Path]:
    """Snapshot folders whose process is gone (killed before it could remove its own)."""
    data_dir = Path(data_dir)
    out = []
    for p in data_dir.parent.glob(data_dir.name + SNAPSHOT_PREFIX + "*"):
        pid = p.name[len(data_dir.name + SNAPSHOT_PREFIX):].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            out.append(p)
        except PermissionError:        # alive, another user's
            pass
    return sorted(out)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    rc = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(staging: Path, data_dir: Path) -> None:
    """Replace data_dir with staging. Where the kernel can exchange two folders in one rename,
    a reader sees either the old folder or the new one, never none; elsewhere data_dir is
    renamed to data.old first (recover() restores it after a crash between the two)."""
    staging, data_dir = Path(staging), Path(data_dir)
    if data_dir.exists() and _exchange(staging, data_dir):
        shutil.rmtree(staging, ignore_errors=True)        # now holds the previous build
        return
    old = data_dir.with_name(data_dir.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if data_dir.exists():
        os.replace(data_dir, old)
    os.replace(staging, data_dir)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
