"""Builds fanned out over worker processes (Dask `distributed`): `build --workers N` (a local
cluster) or `build --cluster ADDRESS` (a running Dask scheduler).

    fanned = fan_out(cfg, docs, progress)     # corpus, extractions, embedder; cache filled

The per-plan work (ingest, extraction, and the embedding of texts the cache lacks) runs on the
workers (parallel/worker.py; their entry point is parallel/plugin.py); the building process
keeps what spans plans (pipeline.py). Nothing here imports Dask until a fan-out starts.
"""
from parallel.fanout import FanOut, fan_out

__all__ = ["FanOut", "fan_out"]
