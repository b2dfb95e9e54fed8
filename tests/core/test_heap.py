"""core.heap.settle: survivors frozen, young generation collected less often."""
from __future__ import annotations

import gc

from core import heap


def test_heap_settle_freezes_survivors_and_raises_the_young_threshold():
    before = gc.get_threshold()
    kept = [[i] for i in range(1000)]           # long-lived objects, as a loaded workspace
    try:
        heap.settle()
        assert gc.get_freeze_count() >= len(kept)
        assert gc.get_threshold()[0] >= heap.YOUNG_THRESHOLD
        assert gc.get_threshold()[1:] == before[1:]
        heap.settle()                            # idempotent
        assert gc.get_threshold()[0] >= heap.YOUNG_THRESHOLD
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
