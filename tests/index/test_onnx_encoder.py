"""The ONNX Runtime question encoder: same vectors as the sentence-transformers model, loads
without torch, rebuilds a broken export, falls back to torch when asked or when it must."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.config import load_config
from core.errors import ConfigError, ModelError
from index.encoders import load_embedder, load_query_embedder
from index.encoders import onnx as onnx_encoder
from tests.fakes import TorchModelFake

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["", "   ", "生活垃圾回收利用率", "绍兴到2025年生活垃圾回收利用率要达到多少?",
         "What is the target? 🙂", "<script>alert('x')</script>", "SELECT * FROM plans; --",
         "ＬＮＧ应急储备能力（万立方米）｜ ２０２５ ｜", "城市管理" * 400]   # the last is truncated


@pytest.fixture(scope="module")
def torch_model():
    return load_embedder(load_config(env={}))


@pytest.fixture(scope="module")
def encoder(torch_model):
    return load_query_embedder(load_config(env={}), torch_model)


@pytest.mark.slow
def test_onnx_vectors_equal_the_torch_models(encoder, torch_model):
    assert isinstance(encoder, onnx_encoder.OnnxEncoder)
    assert (encoder.name, encoder.dim) == (torch_model.name, torch_model.dim)
    got, want = encoder.encode(TEXTS), torch_model.encode(TEXTS)
    assert got.dtype == np.float32 and got.shape == want.shape
    assert float(np.abs(got - want).max()) < 1e-5
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_onnx_batches_do_not_change_vectors(encoder):
    one_by_one = np.stack([encoder.encode([t])[0] for t in TEXTS])
    assert float(np.abs(encoder.encode(TEXTS) - one_by_one).max()) < 1e-5


@pytest.mark.slow
def test_onnx_export_loads_without_torch(encoder):
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from core.config import load_config\n"
            "from index.encoders import onnx as onnx_encoder\n"
            "e = onnx_encoder.load(load_config(env={}))\n"
            "print(e.encode(['城市管理']).shape, 'torch' in sys.modules, "
            "'sentence_transformers' in sys.modules)" % str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["(1,", f"{encoder.dim})", "False", "False"]


def _copy_export(tmp_path: Path):
    cfg = load_config({"model_cache_dir": tmp_path / "models"}, env={})
    src = onnx_encoder.export_dir(load_config(env={}))
    assert (src / onnx_encoder.META).is_file(), "the module fixture exported the model"
    dst = onnx_encoder.export_dir(cfg)
    shutil.copytree(src, dst)
    return cfg, dst


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["graph", "probes", "version", "missing"])
def test_broken_export_is_refused_then_rebuilt(encoder, torch_model, tmp_path, damage):
    cfg, folder = _copy_export(tmp_path)
    meta = json.loads((folder / onnx_encoder.META).read_text(encoding="utf-8"))
    if damage == "graph":
        (folder / onnx_encoder.GRAPH).write_bytes(b"not an onnx graph")
    elif damage == "probes":    # an export that gives other vectors than the model
        meta["probe_vectors"] = (-np.asarray(meta["probe_vectors"])).tolist()
        (folder / onnx_encoder.META).write_text(json.dumps(meta), encoding="utf-8")
    elif damage == "version":
        meta["version"] = onnx_encoder.EXPORT_VERSION + 1
        (folder / onnx_encoder.META).write_text(json.dumps(meta), encoding="utf-8")
    else:
        (folder / onnx_encoder.TOKENIZER).unlink()
    with pytest.raises(ModelError):
        onnx_encoder.OnnxEncoder(folder)
    fixed = onnx_encoder.load(cfg, torch_model)      # re-exports in place
    assert float(np.abs(fixed.encode(TEXTS[2:4]) - torch_model.encode(TEXTS[2:4])).max()) < 1e-5
    assert not list(folder.parent.glob("*.part"))    # no half-written export left behind


def test_backend_torch_and_auto_fallback(monkeypatch, caplog):
    fake = TorchModelFake()
    torch_cfg = load_config({"embed_backend": "torch"}, env={})
    assert load_query_embedder(torch_cfg, fake) is fake

    def broken(cfg, st=None):
        raise ModelError("no export here")

    monkeypatch.setattr(onnx_encoder, "load", broken)
    with caplog.at_level("WARNING"):
        assert load_query_embedder(load_config({"embed_backend": "auto"}, env={}), fake) is fake
    assert "no export here" in caplog.text
    with pytest.raises(ModelError, match="no export here"):
        load_query_embedder(load_config({"embed_backend": "onnx"}, env={}), fake)
    with pytest.raises(ConfigError, match="embed_backend"):
        load_config({"embed_backend": "gpu"}, env={})


def test_only_plain_encoders_are_exported():
    # FAKE sentence-transformers modules: only their class names and pooling fields matter
    class Transformer:
        pass

    class Pooling:
        def __init__(self, mode):
            self.pooling_mode, self.include_prompt = mode, True

    class Normalize:
        pass

    class Dense:
        pass

    assert onnx_encoder._pooling([Transformer(), Pooling("mean")]) == "mean"
    assert onnx_encoder._pooling([Transformer(), Pooling("cls"), Normalize()]) == "cls"
    for mods in ([Transformer(), Pooling("weightedmean")], [Transformer(), Pooling("mean"), Dense()],
                 [Transformer()], [Pooling("mean"), Transformer()]):
        with pytest.raises(ModelError):
            onnx_encoder._pooling(mods)


def test_export_dir_follows_the_model_files(tmp_path):
    model = tmp_path / "my-model"
    model.mkdir()
    (model / "config.json").write_text("{}", encoding="utf-8")
    cfg = load_config({"model": str(model), "model_cache_dir": tmp_path / "c"}, env={})
    first = onnx_encoder.export_dir(cfg)
    assert first.parent == tmp_path / "c" / "onnx"
    (model / "config.json").write_text('{"changed": true}', encoding="utf-8")
    assert onnx_encoder.export_dir(cfg) != first
    assert onnx_encoder.export_dir(cfg.replace(model_max_tokens=128)) != onnx_encoder.export_dir(cfg)
