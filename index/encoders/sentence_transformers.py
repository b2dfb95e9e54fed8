"""The real encoder: a sentence-transformers model on CPU (torch), used at build time for
passage vectors and as the fallback question encoder. torch and sentence-transformers are
imported only when a model is loaded (an optional heavy dependency)."""
from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from core.config import Config
from core.errors import ModelError
from index.encoders.base import resolve_model


class SentenceTransformerEmbedder:
    """Real embedder (sentence-transformers on CPU), L2-normalised float32 vectors."""

    def __init__(self, model: str, batch_size: int = 32, max_tokens: int = 512):
        if batch_size <= 0:
            raise ModelError(f"batch_size={batch_size!r}: must be positive")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        try:                        # no "Loading weights" bar on every start; we report progress
            from transformers.utils import logging as hf_logging
            hf_logging.disable_progress_bar()
        except Exception:  # noqa: BLE001 - cosmetic only
            pass
        path = resolve_model(model)
        try:
            self.model: Any = SentenceTransformer(path, device="cpu")
        except Exception as e:  # noqa: BLE001 - any load failure is a model error for the user
            raise ModelError(f"cannot load embedding model {model!r} ({path}): {e}. Models are "
                             "never downloaded at run time: give a local folder path") from None
        self.model.max_seq_length = min(max_tokens, self.model.max_seq_length or max_tokens)
        self.name = model
        self.dim = int(self.model.get_embedding_dimension()
                       if hasattr(self.model, "get_embedding_dimension")
                       else self.model.get_sentence_embedding_dimension())
        self.batch_size = batch_size
        self.tokenizer = self.model.tokenizer

    @classmethod
    def from_config(cls, cfg: Config) -> "SentenceTransformerEmbedder":
        return cls(cfg.model, batch_size=cfg.embed_batch_size, max_tokens=cfg.model_max_tokens)

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=True)["input_ids"])

    def encode(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        v = self.model.encode(list(texts), batch_size=self.batch_size,
                              show_progress_bar=progress, convert_to_numpy=True,
                              normalize_embeddings=True)
        return np.asarray(v, dtype=np.float32)
