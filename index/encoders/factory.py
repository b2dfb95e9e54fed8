"""Which encoder a configuration gets: the torch model for passages (build), the ONNX export
for what questions bring (falling back to torch as cfg.embed_backend says)."""
from __future__ import annotations

import logging
from typing import Optional

from core.config import Config
from core.errors import ModelError
from index.encoders import onnx as onnx_encoder
from index.encoders.base import Embedder
from index.encoders.sentence_transformers import SentenceTransformerEmbedder

log = logging.getLogger(__name__)


def load_embedder(cfg: Config) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder.from_config(cfg)


def load_query_embedder(cfg: Config, st_embedder: Optional[Embedder] = None) -> Embedder:
    """The encoder for what questions bring: the ONNX Runtime export of the model
    (index/encoders/onnx.py) unless cfg.embed_backend is "torch"; with "auto", any failure
    to export or load it falls back to the sentence-transformers model, with a warning."""
    if cfg.embed_backend != "torch":
        try:
            return onnx_encoder.load(cfg, st_embedder)
        except ModelError as e:
            if cfg.embed_backend == "onnx":
                raise
            log.warning("ONNX query encoder unavailable (%s); embedding questions with torch", e)
    return st_embedder if st_embedder is not None else load_embedder(cfg)
