"""Passage vectors in Milvus: a server or cluster by URL (http://host:19530), or a milvus-lite
file (a path ending in .db, opened in this process; one process at a time). pymilvus's
MilvusClient speaks to both.

One collection per embedding model and schema version (`collection_name`); its properties
record the model and dimension, and a collection that disagrees is refused. A row is one
passage of one plan revision:

  pk          sha1(model, plan revision, passage id, embedded text): the content key
  doc_id      the plan (catalog id)
  rev         the plan revision: sha1(model, plan id, every embedded text of the plan, in order)
  passage_id, start, end   the passage of that revision and its offsets
  vector      the L2-normalised embedding (inner product, as FAISS)

A build upserts only the keys the collection lacks (an unchanged corpus upserts nothing) and
records its plans' revisions and its row keys in index/milvus.json. Retrieval filters by the
current revisions inside Milvus (`rev in [...]`), so passages of older revisions (a changed
plan) or of other corpora sharing the collection are never returned, and a build never
deletes rows that a server still running the previous build reads. Rows of revisions that no
build uses any longer stay until the collection is dropped (see README). The retriever reads the
collection through index/milvus_dense.py.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import urlparse

import numpy as np

from core.artifacts import REBUILD
from core.errors import ArtifactError
from index.dense import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_M

SCHEMA_VERSION = 1
MAX_TOPK = 16_384            # Milvus's cap on the results of one search
UPSERT_BATCH = 512
GET_BATCH = 1_000
CONNECT_TIMEOUT_S = 10.0
# no keepalive pings on an idle connection: gRPC servers with default settings (milvus-lite's)
# answer them with GOAWAY "too_many_pings" after a few, which gRPC then logs to stderr
GRPC_OPTIONS = {"grpc.keepalive_permit_without_calls": 0}
KEY_FIELDS = {"pk": 64, "doc_id": 128, "rev": 40, "passage_id": 128}

Progress = Callable[[str], None]


def is_milvus(uri: str) -> bool:
    return uri != "faiss"


def is_lite(uri: str) -> bool:
    return uri.endswith(".db") and "://" not in uri


def store_label(uri: str) -> str:
    """The store as shown in messages and manifests: no user name or password."""
    if not is_milvus(uri) or is_lite(uri):
        return uri
    p = urlparse(uri)
    return p._replace(netloc=p.hostname + (f":{p.port}" if p.port else "")).geturl()


def store_kind(uri: str) -> str:
    """"faiss", "milvus-lite" or "milvus <url>" (bench reports it)."""
    if not is_milvus(uri):
        return "faiss"
    return "milvus-lite" if is_lite(uri) else f"milvus {store_label(uri)}"


def collection_name(model: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "_", Path(model).name or model).strip("_")[:40]
    digest = hashlib.sha1(model.encode("utf-8")).hexdigest()[:8]
    return f"plangraph_v{SCHEMA_VERSION}_{slug}_{digest}"


def _sha1(*parts: str) -> str:
    h = hashlib.sha1()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def plan_revisions(model: str, doc_ids: Sequence[str], texts: Sequence[str]) -> dict[str, str]:
    """doc id -> revision of that plan's embedded passages (doc_ids, texts: one per row)."""
    per: dict[str, list[str]] = {}
    for d, t in zip(doc_ids, texts):
        per.setdefault(d, []).append(t)
    return {d: _sha1(model, d, *ts) for d, ts in per.items()}


def row_keys(model: str, revs: dict[str, str], doc_ids: Sequence[str],
             passage_ids: Sequence[str], texts: Sequence[str]) -> list[str]:
    return [_sha1(model, revs[d], p, t) for d, p, t in zip(doc_ids, passage_ids, texts)]


def _unreachable(uri: str, why: str) -> ArtifactError:
    return ArtifactError(f"向量库无法连接：{store_label(uri)} ({why}) (vector store unreachable)")


UNCHANGED = "；原有数据未改动 (the previous artifacts are unchanged)"


def _check_lite_free(path: Path) -> None:
    """milvus-lite opens its folder in one process at a time: say so in one line instead of
    letting it log a traceback. A file this process already serves is reused by pymilvus."""
    try:
        from milvus_lite.server_manager import server_manager_instance
    except ImportError:
        raise ArtifactError(f"vector_store {path} is a milvus-lite file, but milvus-lite is not "
                            "installed (pip install -r requirements.txt)") from None
    if str(path) in getattr(server_manager_instance, "_servers", {}):
        return
    lock = path / "LOCK"
    if not lock.exists():
        return
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError:
        raise ArtifactError(
            f"向量库文件 {path} 正被另一个进程使用 (milvus-lite opens a .db in one process at "
            f"a time; for several processes run `milvus-lite server --data-dir {path} "
            "--host 127.0.0.1 --port 19530` and set vector_store = \"http://127.0.0.1:19530\")"
        ) from None
    finally:
        os.close(fd)


class MilvusStore:
    """A connection to one Milvus (server URL or milvus-lite file); errors are one line."""

    def __init__(self, uri: str, timeout: float = CONNECT_TIMEOUT_S):
        if not is_milvus(uri):
            raise ValueError(f"MilvusStore: uri={uri!r} is not a Milvus store")
        from pymilvus import MilvusClient
        from pymilvus.exceptions import MilvusException
        self.uri, self.lite = uri, is_lite(uri)
        if self.lite:
            path = Path(uri)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise _unreachable(uri, f"cannot create {path.parent}: {e.strerror}") from None
            _check_lite_free(path)
        try:
            self.client = MilvusClient(uri=uri, timeout=timeout, dedicated=True,
                                       grpc_options=GRPC_OPTIONS)
        except MilvusException as e:
            raise _unreachable(uri, e.message) from None

    def _call(self, what: str, fn, *args, **kwargs):
        from pymilvus.exceptions import MilvusException
        try:
            return fn(*args, **kwargs)
        except MilvusException as e:
            raise ArtifactError(f"向量库操作失败：{what} on {store_label(self.uri)} ({e.message})"
                                ) from None

    def open_collection(self, name: str, model: str, dim: int, create: bool) -> None:
        """Check (or create) the collection of this model; refuse another model or dimension."""
        if not self._call("has_collection", self.client.has_collection, name):
            if not create:
                raise ArtifactError(f"vector store {store_label(self.uri)} has no collection "
                                    f"{name} (model {model!r}); {REBUILD}")
            self._create(name, model, dim)
            self._call("load_collection", self.client.load_collection, name)
            return
        info = self._call("describe_collection", self.client.describe_collection, name)
        props = info.get("properties", {}) or {}
        have = [f.get("params", {}).get("dim") for f in info.get("fields", [])
                if f.get("name") == "vector"]
        if props.get("plangraph.model") != model or not have or int(have[0]) != dim:
            raise ArtifactError(
                f"vector store {store_label(self.uri)}: collection {name} holds "
                f"{have[0] if have else '?'}-dimensional vectors of model "
                f"{props.get('plangraph.model')!r}, this build gives {dim}-dimensional vectors "
                f"of {model!r}; drop the collection or use another store")
        self._call("load_collection", self.client.load_collection, name)

    def _create(self, name: str, model: str, dim: int) -> None:
        from pymilvus import DataType, MilvusClient
        schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=KEY_FIELDS["pk"])
        for f in ("doc_id", "rev", "passage_id"):
            schema.add_field(f, DataType.VARCHAR, max_length=KEY_FIELDS[f])
        schema.add_field("start", DataType.INT64)
        schema.add_field("end", DataType.INT64)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        idx = self.client.prepare_index_params()
        if self.lite:        # exact search for the local file (the size FAISS keeps flat too)
            idx.add_index("vector", index_type="FLAT", metric_type="IP")
        else:
            idx.add_index("vector", index_type="HNSW", metric_type="IP",
                          params={"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION})
        idx.add_index("rev", index_type="INVERTED")
        idx.add_index("doc_id", index_type="INVERTED")
        self._call("create_collection", self.client.create_collection, name, schema=schema,
                   index_params=idx, consistency_level="Strong",
                   properties={"plangraph.model": model, "plangraph.dim": str(dim),
                               "plangraph.schema": str(SCHEMA_VERSION)})

    def present(self, name: str, keys: Sequence[str]) -> set[str]:
        """The keys the collection holds."""
        out: set[str] = set()
        for s in range(0, len(keys), GET_BATCH):
            rows = self._call("get", self.client.get, name, ids=list(keys[s:s + GET_BATCH]),
                              output_fields=["pk"])
            out.update(r["pk"] for r in rows)
        return out

    def vectors(self, name: str, keys: Sequence[str], dim: int) -> np.ndarray:
        """The vectors of these keys, in order (ArtifactError when one is missing)."""
        out = np.zeros((len(keys), dim), dtype=np.float32)
        pos = {k: i for i, k in enumerate(keys)}
        found = 0
        for s in range(0, len(keys), GET_BATCH):
            rows = self._call("get", self.client.get, name, ids=list(keys[s:s + GET_BATCH]),
                              output_fields=["pk", "vector"])
            for r in rows:
                out[pos[r["pk"]]] = np.asarray(r["vector"], dtype=np.float32)
            found += len(rows)
        if found != len(keys):
            raise ArtifactError(f"vector store {store_label(self.uri)} holds {found} of this "
                                f"build's {len(keys)} passages (collection {name}); {REBUILD}")
        return out

    def upsert(self, name: str, rows: list[dict]) -> None:
        for s in range(0, len(rows), UPSERT_BATCH):
            self._call("upsert", self.client.upsert, name, rows[s:s + UPSERT_BATCH])

    def search(self, name: str, qvec: np.ndarray, limit: int, revs: Sequence[str]
               ) -> list[tuple[str, float]]:
        """(key, inner product) of the best `limit` rows of these plan revisions."""
        if limit <= 0 or not revs:
            return []
        params: dict = {"metric_type": "IP"}
        if not self.lite:
            params["params"] = {"ef": max(HNSW_EF_SEARCH, limit)}
        flt = "rev in [" + ", ".join(f'"{r}"' for r in revs) + "]"
        res = self._call("search", self.client.search, name,
                         data=[np.asarray(qvec, dtype=np.float32).reshape(-1).tolist()],
                         anns_field="vector", limit=limit, filter=flt, search_params=params,
                         consistency_level="Strong")
        return [(h["pk"] if "pk" in h else h["id"], float(h["distance"])) for h in res[0]]

    def close(self, release: bool = False) -> None:
        """Close the connection. release=True also stops this process's milvus-lite server of
        the file (every connection to it in this process ends), freeing it for others."""
        try:
            self.client.close()
        finally:
            if self.lite and release:
                from milvus_lite.server_manager import server_manager_instance
                server_manager_instance.release_server(self.uri)


def check_reachable(uri: str) -> None:
    """Connect and disconnect (a build checks before its long stages, not after them)."""
    if is_milvus(uri):
        try:
            MilvusStore(uri).close()
        except ArtifactError as e:
            raise ArtifactError(f"{e}{UNCHANGED}") from None


def write_vectors(uri: str, model: str, passages: Sequence, texts: Sequence[str],
                  vectors: np.ndarray, progress: Progress) -> dict:
    """Upsert the passages the collection lacks; returns what index/milvus.json records."""
    doc_ids = [p.doc_id for p in passages]
    revs = plan_revisions(model, doc_ids, texts)
    keys = row_keys(model, revs, doc_ids, [p.id for p in passages], texts)
    name = collection_name(model)
    try:
        store = MilvusStore(uri)
        try:
            store.open_collection(name, model, int(vectors.shape[1]), create=True)
            have = store.present(name, keys)
            todo = [i for i, k in enumerate(keys) if k not in have]
            store.upsert(name, [{"pk": keys[i], "doc_id": doc_ids[i], "rev": revs[doc_ids[i]],
                                 "passage_id": passages[i].id, "start": int(passages[i].start),
                                 "end": int(passages[i].end),
                                 "vector": vectors[i].astype(np.float32).tolist()}
                                for i in todo])
        finally:
            store.close()
    except ArtifactError as e:
        raise ArtifactError(f"{e}{UNCHANGED}") from None
    progress(f"index: Milvus {store_label(uri)} collection {name}: {len(todo)} passages "
             f"upserted, {len(keys) - len(todo)} already stored")
    return {"store": store_label(uri), "collection": name, "revisions": revs, "keys": keys,
            "upserted": len(todo), "present": len(keys) - len(todo)}
