"""Query-time encoder: the configured sentence-transformers model, run by ONNX Runtime.

Why: answering a question encodes a handful of short texts (its term windows and retrieval
queries). Under torch (eager) every forward pass of m3e-small costs ~11-14 ms however short the
batch, and two torch threads barely help; ONNX Runtime runs the same graph in ~3-4 ms per pass
and about halves the per-token cost on two threads (measured on the 2-core machine: one 4-token
text 14.2 -> 3.8 ms, seven short windows 20.0 -> 11.1 ms, three 24-token queries 25.3 -> 13.3 ms;
vectors equal to the torch model's within ~2e-7).

The graph is exported once per model (torch.onnx, from the loaded sentence-transformers model)
into the model cache (`Config.model_cache_dir`), together with the exact tokenizer the model
uses and the vectors the torch model gives for a few probe texts. Loading the export needs
neither torch nor sentence-transformers and checks the probes again: a stale, corrupt or
mismatching export is rebuilt (or, failing that, the caller falls back to the torch model).
Only plain encoders are exported: a Transformer module followed by mean/CLS/max pooling and an
optional Normalize; anything else (Dense layers, prompts, ...) stays on torch.

Passage vectors are still computed by sentence-transformers at build time (the index contract);
this encoder only embeds what a question brings.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np

from core.config import Config
from core.errors import ModelError
from index.encoders.base import resolve_model
from index.encoders.sentence_transformers import SentenceTransformerEmbedder

log = logging.getLogger(__name__)

EXPORT_VERSION = 1
GRAPH, TOKENIZER, META = "model.onnx", "tokenizer.json", "meta.json"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
POOLINGS = ("mean", "cls", "max")
# texts checked against the torch model's vectors at export and at every load
PROBES = ("城市管理", "到2025年,生活垃圾回收利用率达到45%以上。", "LNG 应急储备 (万立方米)",
          "a mixed 中英文 probe with numbers 12.5% and ２０２５年 full-width digits " * 3)
PROBE_TOLERANCE = 1e-4
# one forward pass costs about as much as this many padded tokens (measured as above: ~3.5 ms
# per pass against ~0.12 ms per token); CachingEmbedder batches by length with it
BATCH_OVERHEAD_TOKENS = 30


def export_dir(cfg: Config) -> Path:
    """Where the export of cfg.model lives: keyed by the model's identity (its resolved path
    and, for a local folder, its files' sizes and times), the token window and this format."""
    path = resolve_model(cfg.model)
    ident: list[Any] = [EXPORT_VERSION, cfg.model, path, cfg.model_max_tokens]
    p = Path(path)
    if p.is_dir():
        for f in sorted(p.rglob("*")):
            if f.is_file():
                st = f.stat()
                ident.append((str(f.relative_to(p)), st.st_size, int(st.st_mtime)))
    key = hashlib.sha1(json.dumps(ident, ensure_ascii=False).encode()).hexdigest()[:16]
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in cfg.model)[-40:]
    return cfg.model_cache_dir / "onnx" / f"{slug}-{key}"


def _pooling(st_model: Any) -> str:
    """The pooling mode of a plain sentence-transformers encoder, else ModelError (a Normalize
    module changes nothing: the encoder's contract is L2-normalised vectors anyway)."""
    mods = list(st_model)
    names = [type(m).__name__ for m in mods]
    if len(mods) < 2 or names[0] != "Transformer" or names[1] != "Pooling" \
            or any(n != "Normalize" for n in names[2:]):
        raise ModelError(f"modules {names} are not Transformer + Pooling [+ Normalize]")
    pool = mods[1]
    mode = getattr(pool, "pooling_mode", None)
    if mode is None:                    # older sentence-transformers: boolean flags
        flags = {"mean": "pooling_mode_mean_tokens", "cls": "pooling_mode_cls_token",
                 "max": "pooling_mode_max_tokens"}
        on = [m for m, f in flags.items() if getattr(pool, f, False)]
        mode = on[0] if len(on) == 1 else None
    if mode not in POOLINGS or not getattr(pool, "include_prompt", True):
        raise ModelError(f"pooling {mode!r} is not one of {POOLINGS}")
    return str(mode)


def export(st_embedder: SentenceTransformerEmbedder, target: Path) -> Path:
    """Export a loaded SentenceTransformerEmbedder into `target` (written beside it, then
    renamed into place, so a crash never leaves half an export)."""
    import torch

    st_model = st_embedder.model
    mode = _pooling(st_model)
    tok = st_embedder.tokenizer
    backend = getattr(tok, "backend_tokenizer", None)
    if backend is None:
        raise ModelError("the model's tokenizer is not a fast (Rust) tokenizer")
    names = [n for n in INPUTS if n in getattr(tok, "model_input_names", INPUTS)]
    if names[:2] != ["input_ids", "attention_mask"]:
        raise ModelError(f"tokenizer inputs {names} lack input_ids/attention_mask")
    net = st_model[0].auto_model.eval()

    class Graph(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *xs):
            return self.inner(**dict(zip(names, xs)), return_dict=True).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", suffix=".part", dir=target.parent))
    try:
        sample = tok(list(PROBES[:2]), padding=True, return_tensors="pt")
        axes = {n: {0: "batch", 1: "tokens"} for n in names}
        axes["hidden"] = {0: "batch", 1: "tokens"}
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(Graph(net), tuple(sample[n] for n in names), str(tmp / GRAPH),
                              input_names=names, output_names=["hidden"], dynamic_axes=axes,
                              opset_version=17, dynamo=False)
        (tmp / TOKENIZER).write_text(backend.to_str(), encoding="utf-8")
        meta = {"version": EXPORT_VERSION, "model": st_embedder.name, "dim": st_embedder.dim,
                "pooling": mode, "inputs": names,
                "max_tokens": int(st_model.max_seq_length),
                "pad_id": int(tok.pad_token_id or 0), "pad_token": str(tok.pad_token or "[PAD]"),
                "probes": list(PROBES),
                "probe_vectors": st_embedder.encode(list(PROBES)).round(7).tolist()}
        (tmp / META).write_text(json.dumps(meta), encoding="utf-8")
        if target.exists():             # a stale or broken export: replace it
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / META).is_file():   # another process won the race: keep theirs
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


class OnnxEncoder:
    """Embedder (same protocol as SentenceTransformerEmbedder.encode) over an export."""

    batch_overhead_tokens = BATCH_OVERHEAD_TOKENS

    def __init__(self, folder: Path, threads: int = 0, batch_size: int = 32):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as e:
            raise ModelError(f"ONNX Runtime is not installed ({e})") from None
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
            if meta.get("version") != EXPORT_VERSION:
                raise ModelError(f"export format {meta.get('version')!r} != {EXPORT_VERSION}")
            self.tokenizer = Tokenizer.from_str((folder / TOKENIZER).read_text(encoding="utf-8"))
            so = ort.SessionOptions()
            # a question's batches are tiny: a few threads help (measured: 2 vs 1 on two
            # cores, ~2x); more than 4 is not measured and would mostly spin
            so.intra_op_num_threads = threads or min(_cores(), 4)
            so.inter_op_num_threads = 1
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            so.log_severity_level = 3
            self._session = ort.InferenceSession(str(folder / GRAPH), so,
                                                 providers=["CPUExecutionProvider"])
        except ModelError:
            raise
        except Exception as e:  # noqa: BLE001 - any unreadable part means "re-export"
            raise ModelError(f"unreadable ONNX export {folder}: {e}") from None
        self.name, self.dim = str(meta["model"]), int(meta["dim"])
        self.pooling = meta["pooling"]
        self.inputs = list(meta["inputs"])
        self.batch_size = batch_size
        self.tokenizer.enable_truncation(int(meta["max_tokens"]))
        self.tokenizer.enable_padding(pad_id=int(meta["pad_id"]), pad_token=meta["pad_token"])
        got = self.encode(list(meta["probes"]))
        want = np.asarray(meta["probe_vectors"], dtype=np.float32)
        if got.shape != want.shape or float(np.abs(got - want).max()) > PROBE_TOLERANCE:
            raise ModelError(f"ONNX export {folder} does not reproduce the model's vectors")

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        texts = [str(t) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for s in range(0, len(texts), self.batch_size):
            out[s:s + self.batch_size] = self._batch(texts[s:s + self.batch_size])
        return out

    def _batch(self, texts: list[str]) -> np.ndarray:
        enc = self.tokenizer.encode_batch(texts)
        cols = {"input_ids": [e.ids for e in enc], "attention_mask": [e.attention_mask for e in enc],
                "token_type_ids": [e.type_ids for e in enc]}
        feed = {n: np.asarray(cols[n], dtype=np.int64) for n in self.inputs}
        hidden = self._session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        if self.pooling == "cls":
            v = hidden[:, 0]
        elif self.pooling == "max":
            v = np.where(mask > 0, hidden, -1e9).max(axis=1)
        else:
            v = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        v = v.astype(np.float32)
        # the caller's contract: L2-normalised vectors (as SentenceTransformerEmbedder gives)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:              # not Linux
        return max(1, os.cpu_count() or 1)


def load(cfg: Config, st_embedder: Optional[SentenceTransformerEmbedder] = None) -> OnnxEncoder:
    """The ONNX encoder for cfg.model: load its export, exporting first (from `st_embedder`
    or a freshly loaded torch model) when it is missing, stale or broken."""
    folder = export_dir(cfg)
    if (folder / META).is_file():
        try:
            return OnnxEncoder(folder, batch_size=cfg.embed_batch_size)
        except ModelError as e:
            log.warning("re-exporting the query encoder: %s", e)
    if st_embedder is None:
        st_embedder = SentenceTransformerEmbedder.from_config(cfg)
    try:
        export(st_embedder, folder)
    except ModelError:
        raise
    except Exception as e:  # noqa: BLE001 - exporter failures vary by model and torch version
        raise ModelError(f"cannot export {cfg.model!r} to ONNX: {type(e).__name__}: {e}") from None
    return OnnxEncoder(folder, batch_size=cfg.embed_batch_size)
