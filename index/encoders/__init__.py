"""Text encoders (the embedding model), one module per part:

- base.py: the `Embedder` protocol (from core.protocols) and where a model comes from (packaged m3e-small, a folder,
  a name in the local Hugging Face cache);
- sentence_transformers.py: the real model under torch (build time: passage vectors);
- onnx.py: the same model exported to ONNX and run by ONNX Runtime (question time);
- caching.py: a query-time wrapper that remembers vectors and batches misses by length;
- factory.py: which encoder a configuration gets.
"""
from index.encoders.base import Embedder, model_id, resolve_model
from index.encoders.caching import CachingEmbedder
from index.encoders.factory import load_embedder, load_query_embedder
from index.encoders.sentence_transformers import SentenceTransformerEmbedder

__all__ = ["Embedder", "CachingEmbedder", "SentenceTransformerEmbedder", "load_embedder",
           "load_query_embedder", "model_id", "resolve_model"]
