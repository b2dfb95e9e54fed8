"""The corpus catalog (DESIGN §3): corpora/catalog.toml + the unchanged source files.

Files are stored byte-identical; decoding (UTF-8, else GB18030) happens on load.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import tomli_w

from core.errors import CorpusError
from core.types import Document

CATALOG_NAME = "catalog.toml"
FIELDS = ("id", "file", "city", "title", "issuer", "issued", "period", "sha256", "source")


@dataclass
class CatalogEntry:
    id: str
    file: str
    city: str
    title: str
    sha256: str
    issuer: str = ""
    issued: str = ""
    period: str = ""
    source: str = ""

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in FIELDS}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_bytes(data: bytes, name: str = "file") -> tuple[str, str]:
    """Decode a plan's bytes: UTF-8 first, then GB18030. Refuses empty and binary data."""
    if not data.strip():
        raise CorpusError(f"{name}: file is empty")
    if b"\x00" in data[:65536]:
        raise CorpusError(f"{name}: looks binary (contains NUL bytes), not a text plan")
    for enc in ("utf-8", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        ctrl = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\r\n\t\f\v")
        if ctrl > max(3, len(text[:20000]) // 200):
            raise CorpusError(f"{name}: looks binary (control characters), not a text plan")
        if not re.search(r"[\u4e00-\u9fff]", text):
            raise CorpusError(f"{name}: contains no Chinese text; PlanGraph expects a Chinese plan")
        return text, enc
    raise CorpusError(f"{name}: not valid UTF-8 or GB18030 text")


@dataclass
class Catalog:
    dir: Path
    entries: list[CatalogEntry] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.dir / CATALOG_NAME

    @classmethod
    def load(cls, corpora_dir: Path) -> "Catalog":
        corpora_dir = Path(corpora_dir)
        path = corpora_dir / CATALOG_NAME
        if not path.is_file():
            raise CorpusError(f"no catalog at {path}; create it or pass --corpora DIR")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise CorpusError(f"catalog {path} is malformed: {e}") from None
        entries = []
        for i, d in enumerate(data.get("document", [])):
            missing = [k for k in ("id", "file", "city", "title") if not d.get(k)]
            if missing:
                raise CorpusError(f"catalog {path}: document #{i + 1} lacks {', '.join(missing)}")
            entries.append(CatalogEntry(**{k: str(d.get(k, "")) for k in FIELDS}))
        ids = [e.id for e in entries]
        if len(set(ids)) != len(ids):
            raise CorpusError(f"catalog {path}: duplicate document ids")
        return cls(corpora_dir, entries)

    def save(self) -> None:
        """Atomic write of catalog.toml."""
        body = "# PlanGraph corpus catalog (DESIGN §3). Files are kept byte-identical.\n"
        body += tomli_w.dumps({"document": [e.to_dict() for e in self.entries]})
        tmp = self.path.with_suffix(".toml.tmp")
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, self.path)

    def get(self, doc_id: str) -> CatalogEntry:
        for e in self.entries:
            if e.id == doc_id:
                return e
        raise CorpusError(f"no document {doc_id!r} in catalog; known: "
                          f"{', '.join(e.id for e in self.entries)}")

    def load_document(self, entry: CatalogEntry, verify: bool = True) -> Document:
        path = self.dir / entry.file
        try:
            data = path.read_bytes()
        except OSError as e:
            raise CorpusError(f"{path}: cannot read ({e.strerror})") from None
        digest = sha256_bytes(data)
        if verify and entry.sha256 and digest != entry.sha256:
            raise CorpusError(f"{path}: sha256 {digest[:12]}… differs from catalog "
                              f"{entry.sha256[:12]}…; the file was changed")
        text, enc = decode_bytes(data, str(path))
        meta = {k: getattr(entry, k) for k in ("issuer", "issued", "period", "source")}
        return Document(id=entry.id, city=entry.city, title=entry.title, raw_text=text,
                        sha256=digest, file=entry.file, encoding=enc, meta=meta)

    def documents(self) -> list[Document]:
        return [self.load_document(e) for e in self.entries]

    def fingerprint(self) -> str:
        """Hash of the catalog content: changes whenever a document or its metadata changes."""
        return sha256_bytes("\n".join(sorted(repr(e.to_dict()) for e in self.entries)).encode())

    def add(self, file: Path, city: str, title: str, issuer: str = "", issued: str = "",
            period: str = "", source: str = "", doc_id: Optional[str] = None) -> CatalogEntry:
        """Copy a plan into corpora/ and register it. Refuses with CorpusError, leaving the
        catalog and the folder untouched."""
        file = Path(file)
        if not city.strip() or not title.strip():
            raise CorpusError("add: --city and --title must not be empty")
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            raise CorpusError(f"{file}: no such file") from None
        except IsADirectoryError:
            raise CorpusError(f"{file}: is a directory, not a plan file") from None
        except OSError as e:
            raise CorpusError(f"{file}: cannot read ({e.strerror})") from None
        decode_bytes(data, str(file))
        digest = sha256_bytes(data)
        for e in self.entries:
            if e.sha256 == digest:
                raise CorpusError(f"{file}: duplicate of catalog document {e.id!r} (same sha256)")
        doc_id = doc_id or _make_id(file.stem, {e.id for e in self.entries})
        if any(e.id == doc_id for e in self.entries):
            raise CorpusError(f"add: document id {doc_id!r} already exists")
        target = self.dir / f"{doc_id}{file.suffix or '.txt'}"
        if target.exists():
            raise CorpusError(f"add: {target} already exists in corpora/")
        entry = CatalogEntry(id=doc_id, file=target.name, city=city.strip(), title=title.strip(),
                             sha256=digest, issuer=issuer, issued=issued, period=period,
                             source=source or f"added from {file.name}")
        tmp = target.with_name(target.name + ".part")
        shutil.copyfile(file, tmp)
        os.replace(tmp, target)
        self.entries.append(entry)
        try:
            self.save()
        except OSError:
            self.entries.pop()
            target.unlink(missing_ok=True)
            raise
        return entry


def _make_id(stem: str, taken: set[str]) -> str:
    base = re.sub(r"[^0-9A-Za-z_-]+", "-", stem).strip("-").lower() or "plan"
    if base == "plan" or not re.search(r"[a-z]", base):
        base = "plan-" + sha256_bytes(stem.encode())[:8]
    doc_id, n = base, 2
    while doc_id in taken:
        doc_id, n = f"{base}-{n}", n + 1
    return doc_id
