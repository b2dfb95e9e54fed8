"""Benchmark helpers: the synthetic scaled corpus and the percentile (the timed runs
themselves are measurements, reported by `app.py bench`, never asserted)."""
from __future__ import annotations

import pytest

from core.catalog import Catalog
from core.errors import ConfigError
from evaluation.bench import _pct, run, synth_corpus


def test_bench_synth_corpus_has_n_copies_with_distinct_cities(cfg, tmp_path):
    src = Catalog.load(cfg.corpora_dir)
    out = Catalog.load(synth_corpus(cfg, tmp_path / "x3", 3))
    assert len(out.entries) == 3 * len(src.entries)
    assert len({e.city for e in out.entries}) == len(out.entries)
    assert len({e.id for e in out.entries}) == len(out.entries)


def test_bench_synth_copies_rename_their_city_in_the_text(cfg, tmp_path):
    src = Catalog.load(cfg.corpora_dir).entries[0]
    out = Catalog.load(synth_corpus(cfg, tmp_path / "x2", 2))
    copy = next(e for e in out.entries if e.id == f"{src.id}-02")
    docs = {d.id: d for d in out.documents()}
    text = docs[copy.id].raw_text
    assert copy.city != src.city and copy.city in text
    assert text.replace(copy.city, src.city) == docs[f"{src.id}-01"].raw_text


def test_bench_scale_below_one_is_refused(cfg):
    with pytest.raises(ConfigError):
        run(cfg, scale=0)


def test_bench_percentile_picks_nearest_rank():
    xs = [float(i) for i in range(1, 101)]
    assert _pct(xs, 50) in (50.0, 51.0)
    assert _pct(xs, 95) in (95.0, 96.0)
    assert _pct([7.0], 95) == 7.0


def test_bench_applies_the_runtime_policy_to_every_run_it_measures(cfg, tmp_path, monkeypatch):
    """`after_load` (serve's runtime policy) reaches the shipped-plans run and the --scale run
    alike. FAKE run_once and synthetic corpus isolate the wiring from building."""
    from evaluation import bench
    seen = []

    def run_once_fake(c, load, progress, *, attack=False, after_load=bench._nothing):
        seen.append(after_load)
        return {}
    monkeypatch.setattr(bench, "run_once", run_once_fake)
    monkeypatch.setattr(bench, "synth_corpus", lambda c, out, n: tmp_path / "corpora")
    policy = lambda ws: None   # noqa: E731
    bench.run(cfg.replace(data_dir=tmp_path / "data"), scale=1, after_load=policy,
              progress=lambda m: None)
    assert seen == [policy, policy]
