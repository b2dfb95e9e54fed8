"""Where a fanned-out build's workers come from.

- `build_workers = N` (`build --workers N`): a local Dask cluster started for the build and
  stopped after it: N worker processes of one thread each, the scheduler on loopback, no
  dashboard. A worker that dies fails the task it held at once (allowed_failures=0) instead
  of running it again elsewhere: the build stops, the previous artifacts stay.
- `build_cluster = ADDRESS` (`build --cluster tcp://host:8786`): the workers of a running
  Dask scheduler (none is started or stopped); the build waits until `build_workers` of them
  have joined. Each worker needs this repository on its path and the same embedding model.

Dask (`distributed`) rather than Ray: a few MB of pure-Python wheels on top of what is
installed (Ray's wheel alone is ~80 MB), a local cluster that starts in seconds with no
daemons of its own, plain processes that die with the building process, and the same client
for a local cluster and a remote scheduler.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from core.config import Config
from core.errors import WorkerError

CONNECT_TIMEOUT_S = 10       # an unreachable --cluster address fails after this long
WORKERS_TIMEOUT_S = 120      # local workers starting, or a cluster's workers joining
QUIET = logging.CRITICAL     # Dask's own log lines (workers starting, dying) are not progress:
                             # what matters reaches the user as one error line


# set in each local worker's own environment (never in the building process's)
WORKER_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def _reason(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def _check_address(addr: str) -> None:
    from distributed.comm.addressing import get_address_host_port
    try:
        get_address_host_port(addr)
    except ValueError as e:
        raise WorkerError(f"构建集群地址无效 (build --cluster {addr!r}: not a Dask scheduler "
                          f"address such as tcp://host:8786: {_reason(e)})") from None


@contextmanager
def open_client(cfg: Config, progress: Callable[[str], None]) -> Iterator[Any]:
    """A connected Dask client with the build plugin on every worker; closed (and a local
    cluster stopped) on leaving."""
    import dask
    from distributed import Client, LocalCluster

    from parallel.plugin import BuildPlugin  # imports Dask (its loggers) only here
    cluster = None
    if cfg.build_cluster:
        addr = cfg.build_cluster
        _check_address(addr)
        try:
            client = Client(addr, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, ValueError, TypeError) as e:
            raise WorkerError(f"无法连接构建集群 {addr} (cannot reach the Dask scheduler at "
                              f"{addr} within {CONNECT_TIMEOUT_S}s: {_reason(e)})") from None
        where = f"the cluster at {addr}"
    else:
        try:
            # Dask writes its pre-spawn variables (OMP/MKL/OPENBLAS_NUM_THREADS=1,
            # MALLOC_TRIM_THRESHOLD_) into this process's own environment before it spawns a
            # worker: every thread pool this process (or a child) loaded afterwards started
            # with one thread. The workers get the thread variables in their own environment
            # instead, and BuildPlugin sets their limits (runtime.for_build_worker).
            with dask.config.set({"distributed.nanny.pre-spawn-environ": {},
                                  "distributed.nanny.environ": WORKER_ENV}):
                cluster = LocalCluster(n_workers=cfg.build_workers, threads_per_worker=1,
                                       processes=True, host="127.0.0.1",
                                       dashboard_address=None, silence_logs=QUIET,
                                       scheduler_kwargs={"allowed_failures": 0})
            client = Client(cluster, set_as_default=False)
        except (OSError, RuntimeError) as e:
            if cluster is not None:
                cluster.close()
            raise WorkerError(f"无法启动构建进程 (cannot start {cfg.build_workers} local "
                              f"workers: {_reason(e)})") from None
        where = f"{cfg.build_workers} local workers"
    try:
        client.register_plugin(BuildPlugin(cfg))
        try:
            client.wait_for_workers(cfg.build_workers, timeout=WORKERS_TIMEOUT_S)
        except TimeoutError:
            n = len(client.scheduler_info().get("workers", {}))
            raise WorkerError(f"构建集群的进程不足 (waited {WORKERS_TIMEOUT_S}s for "
                              f"{cfg.build_workers} workers on {where}; {n} joined)") from None
        progress(f"workers: {where} ready")
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
