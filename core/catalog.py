"""The corpus catalog (DESIGN §3): corpora/catalog.toml + the unchanged source files.

Files are stored byte-identical; decoding (UTF-8, else GB18030) happens on load.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import tomli_w

from core import buildlock
from core.encoding import decode_bytes
from core.errors import CorpusError, describe_os_error
from core.periods import parse_period
from core.types import Document

CATALOG_NAME = "catalog.toml"
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
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


def check_id(doc_id: str, where: str = "add --id") -> str:
    """A document id is a slug (letters, digits, - and _; at most 64): it names a file in
    corpora/ and an IRI in the graph."""
    if not isinstance(doc_id, str) or not ID_RE.fullmatch(doc_id):
        raise CorpusError(f"{where} {doc_id!r}: 编号只能包含字母、数字、- 和 _ "
                          "(an id may contain only letters, digits, - and _, at most 64, "
                          "not starting with - or _)")
    return doc_id


def check_period(period: str) -> str:
    """'' or a period parse_period reads (2021-2025, 2021—2060, 2021至2035年, 十四五)."""
    if period and parse_period(period) is None:
        raise CorpusError(f"add --period {period!r}: 无法识别的规划期，请写成 2021-2025 "
                          "(not a period; write it as START-END years, e.g. 2021-2025)")
    return period


def read_plan_file(file: Path) -> bytes:
    """The bytes of a regular file; refuses folders, FIFOs, devices and sockets at once
    (reading a FIFO would wait for a writer forever)."""
    try:
        st = os.stat(file)
    except FileNotFoundError:
        raise CorpusError(f"{file}: 文件不存在 (no such file)") from None
    except OSError as e:
        raise CorpusError(f"{file}: 无法读取 (cannot read: {e.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise CorpusError(f"{file}: 这是文件夹，不是规划文件 (is a directory, not a plan file)")
    if not stat.S_ISREG(st.st_mode):
        raise CorpusError(f"{file}: 不是普通文件 (not a regular file: a FIFO, device or socket "
                          "cannot be added; copy the plan into a file first)")
    try:
        with open(file, "rb") as f:
            return f.read()
    except OSError as e:
        raise CorpusError(f"{file}: 无法读取 (cannot read: {e.strerror})") from None


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
        ids = [check_id(e.id, f"catalog {path}: id") for e in entries]
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
            raise CorpusError("add: --city 和 --title 不能为空 (--city and --title must not be empty)")
        if doc_id is not None:
            check_id(doc_id)
        check_period(period)
        data = read_plan_file(file)
        decode_bytes(data, str(file))
        digest = sha256_bytes(data)
        with buildlock.folder_lock(self.dir):     # one add at a time: no lost update
            self.entries = Catalog.load(self.dir).entries
            return self._add_locked(file, data, digest, city, title, issuer, issued, period,
                                    source, doc_id)

    def _add_locked(self, file: Path, data: bytes, digest: str, city: str, title: str,
                    issuer: str, issued: str, period: str, source: str,
                    doc_id: Optional[str]) -> CatalogEntry:
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
        try:
            tmp.write_bytes(data)           # the bytes checked above, not a second read
            os.replace(tmp, target)
            self.entries.append(entry)
            self.save()
        except OSError as e:
            if self.entries and self.entries[-1] is entry:
                self.entries.pop()
            for p in (tmp, target, self.path.with_suffix(".toml.tmp")):
                with contextlib.suppress(OSError):
                    p.unlink(missing_ok=True)
            raise CorpusError(f"add: 无法写入 {self.dir}：{describe_os_error(e)}；规划未添加 "
                              "(cannot write; nothing was added)") from None
        return entry


def _make_id(stem: str, taken: set[str]) -> str:
    base = re.sub(r"[^0-9A-Za-z_-]+", "-", stem).strip("-").lower() or "plan"
    if base == "plan" or not re.search(r"[a-z]", base):
        base = "plan-" + sha256_bytes(stem.encode())[:8]
    doc_id, n = base, 2
    while doc_id in taken:
        doc_id, n = f"{base}-{n}", n + 1
    return doc_id
