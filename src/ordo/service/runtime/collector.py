"""The process's cyclic garbage collector, paused while a routing wave builds its plans.

Owns :func:`gc_paused`, which the service wraps around the hot, allocation-heavy and
I/O-free calls (intake's ``route`` of a wave). A 10,000-order wave leaves some 30,000 new
objects (plan, parcel, tuple per order) that form no cycles, yet the collector would walk
them about forty times as they are made, and a full (generation 2) pass over the whole
heap now and then lands inside a wave; paused, one young collection follows the wave
instead. The domain never switches the collector: it is process-wide state, so whoever
runs the hot path decides (``ordo bench routing`` measures it the same way).

Never wrap I/O in it (a transaction waiting on the store would keep the collector off
for as long), and never collect or freeze here: freezing the start-up heap is
:func:`ordo.service.runtime.warmup.settle_heap`.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]

# Process-wide by nature: there is one collector per process, whatever the number of Ordo
# objects in it, so the count of threads inside gc_paused() is process-wide too.
_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block.

    Counted across threads, so the collector comes back on when the last thread leaves,
    and only if it was on when the first came.
    """
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()
