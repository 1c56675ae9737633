"""The garbage-collector pause the service puts around a routing wave."""

from __future__ import annotations

import gc
import threading

from ordo.service.runtime.collector import gc_paused


def test_the_pause_is_counted_across_threads_and_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        inner_done = threading.Event()

        def other_router() -> None:
            with gc_paused():
                pass
            inner_done.set()

        t = threading.Thread(target=other_router)
        t.start()
        t.join()
        assert inner_done.is_set() and not gc.isenabled()  # still ours: it stays off
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # it was off before, so it stays off
    finally:
        gc.enable()
