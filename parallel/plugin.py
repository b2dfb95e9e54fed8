"""The build worker's entry point: a Dask worker plugin, registered by the building process on
every worker of the cluster (and on workers that join or restart later).

`setup` runs once in each worker process, before its tasks: it applies the process-wide
settings of a build worker (core/runtime.py: torch's and the BLAS pools at one thread, since
the workers share the cores) and creates the state its tasks share (parallel/worker.py).
Stage code never touches these settings.
"""
from __future__ import annotations

from typing import Any, Optional

from distributed.diagnostics.plugin import WorkerPlugin

from core import runtime
from core.config import Config
from parallel.worker import PLUGIN, BuildWorker


class BuildPlugin(WorkerPlugin):
    name = PLUGIN
    idempotent = False

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.state: Optional[BuildWorker] = None

    def setup(self, worker: Any) -> None:
        runtime.for_build_worker()
        self.state = BuildWorker(self.cfg)

    def teardown(self, worker: Any) -> None:
        self.state = None
