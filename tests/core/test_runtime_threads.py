"""Query-time thread policy: BLAS pools at one thread, torch's threads untouched."""
from __future__ import annotations

import numpy as np  # noqa: F401 - loads numpy's BLAS so that there is a pool to limit
import torch
from threadpoolctl import threadpool_info

from core.runtime import single_thread_helpers


def test_threads_blas_pools_limited_and_torch_kept():
    before = torch.get_num_threads()
    single_thread_helpers()
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    assert blas and all(p["num_threads"] == 1 for p in blas)
    assert torch.get_num_threads() == before
