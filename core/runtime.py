"""Process-wide runtime policy, applied once by the entry points (app.py `serve`, `ask`,
`bench`, and a build worker's plugin, parallel/plugin.py), never by a stage: thread pools
(below) and the heap (core/heap.py).

Thread pools for answering questions on a small machine.

Answering is dominated by short forward passes of the embedding model (ONNX Runtime's own pool,
or torch; all cores). numpy's
and faiss's BLAS pools and faiss's OpenMP pool busy-wait for a while after each call; on two
cores their spinning threads take the core torch's second thread needs. Measured on the dev
questions (2 cores, noisy): ask p50 about 55-60 ms with every pool at two threads, 45 ms with
torch forced to one thread, 35-40 ms with torch at two threads and the BLAS/faiss pools at one.
Their own work at query time (a few hundred label x window dot products, a flat search over
~10^4 vectors) gains nothing from a second thread.
"""
from __future__ import annotations

import logging
import sys

from core import heap

log = logging.getLogger(__name__)


def single_thread_helpers() -> None:
    """Limit the BLAS and faiss OpenMP pools to one thread (torch, if loaded, keeps its
    threads; it is not imported here: the ONNX query encoder does without it). Process-wide
    and idempotent; a missing library is skipped. faiss is imported first so that the BLAS it
    brings is loaded, and limited, too."""
    torch = sys.modules.get("torch")
    n = torch.get_num_threads() if torch is not None else 0
    try:
        import faiss
        faiss.omp_set_num_threads(1)
    except Exception as e:  # noqa: BLE001 - a tuning step must never stop answering
        log.debug("faiss thread limit not applied: %s", e)
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=1, user_api="blas")
    except Exception as e:  # noqa: BLE001
        log.debug("threadpoolctl unavailable: %s", e)
    if torch is not None and torch.get_num_threads() != n:
        # depending on load order, faiss's omp_set_num_threads can reach torch's OpenMP runtime
        torch.set_num_threads(n)


def settle_heap() -> None:
    """After the long-lived structures are loaded: freeze them and collect the young
    generation less often (core/heap.py)."""
    heap.settle()


def for_answering() -> None:
    """What a process that answers questions applies before it loads anything."""
    single_thread_helpers()


def for_build_worker() -> None:
    """What a build worker process applies before its first task (parallel/plugin.py): its
    torch and BLAS pools at one thread (the workers of a local build share the machine's
    cores, one worker per core, and a second thread each would only contend)."""
    import torch
    torch.set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(limits=1, user_api="blas")
    except Exception as e:  # noqa: BLE001 - a tuning step must never stop a build
        log.debug("threadpoolctl unavailable: %s", e)
