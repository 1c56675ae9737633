"""The micro-batcher on its own: batching, per-item results and errors, isolation, shutdown."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from ordo.service.runtime.batcher import Batcher, Outcomes, isolate


class Poisoned(Exception):
    pass


def doubling(calls: list[list[int]]) -> Batcher[int, int]:
    def handle(items: Sequence[int]) -> Outcomes[int]:
        calls.append(list(items))
        return [i * 2 for i in items]

    return Batcher(handle, max_items=16, max_wait_s=0.01)


def test_concurrent_callers_share_batches_and_each_gets_its_own_result() -> None:
    calls: list[list[int]] = []
    batcher = doubling(calls)
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(lambda i: batcher.submit(i).result(timeout=5), range(200)))
    batcher.close()
    assert results == [i * 2 for i in range(200)]
    assert sorted(i for call in calls for i in call) == list(range(200))
    assert len(calls) < 200 and max(len(c) for c in calls) <= 16


def test_an_item_error_reaches_only_that_caller() -> None:
    def handle(items: Sequence[int]) -> Outcomes[int]:
        return [Poisoned(i) if i == 3 else i for i in items]

    batcher = Batcher(handle, max_wait_s=0.05)
    futures = [batcher.submit(i) for i in range(6)]
    batcher.close()
    with pytest.raises(Poisoned):
        futures[3].result(timeout=5)
    assert [f.result(timeout=5) for i, f in enumerate(futures) if i != 3] == [0, 1, 2, 4, 5]


def test_a_handler_that_fails_as_a_whole_fails_every_caller_and_the_worker_survives() -> None:
    def handle(items: Sequence[int]) -> Outcomes[int]:
        if 0 in items:
            raise RuntimeError("store down")
        return list(items)

    batcher = Batcher(handle, max_wait_s=0.0)
    with pytest.raises(RuntimeError, match="store down"):
        batcher.submit(0).result(timeout=5)
    assert batcher.submit(7).result(timeout=5) == 7
    batcher.close()


def test_isolate_bisects_a_failing_batch_until_only_the_poisoned_item_fails() -> None:
    attempts: list[list[int]] = []

    def all_or_nothing(items: Sequence[int]) -> list[int]:
        attempts.append(list(items))
        if 5 in items:
            raise Poisoned("5")
        return [i + 100 for i in items]

    out = isolate(all_or_nothing, list(range(16)))
    assert isinstance(out[5], Poisoned)
    assert [o for i, o in enumerate(out) if i != 5] == [i + 100 for i in range(16) if i != 5]
    assert len(attempts) <= 1 + 2 * 4  # log2(16) levels, two calls each


def test_close_answers_everything_already_queued() -> None:
    started, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def slow(items: Sequence[int]) -> Outcomes[int]:
        started.set()
        release.wait(5)
        seen.extend(items)
        return list(items)

    batcher = Batcher(slow, max_items=4, max_wait_s=0.0)
    first = batcher.submit(-1)
    assert started.wait(5)  # the worker is busy: everything below queues behind it
    queued = [batcher.submit(i) for i in range(10)]
    closer = threading.Thread(target=batcher.close)
    closer.start()
    time.sleep(0.05)
    release.set()
    closer.join(5)
    assert not closer.is_alive()
    assert all(f.done() for f in queued)
    assert [f.result() for f in [first, *queued]] == [-1, *range(10)]
    assert sorted(seen) == [-1, *range(10)]


def test_an_item_submitted_after_close_runs_at_once_instead_of_being_refused() -> None:
    calls: list[list[int]] = []
    batcher = doubling(calls)
    batcher.close()
    assert batcher.closed
    assert batcher.submit(21).result(timeout=5) == 42
    assert calls == [[21]]


def test_callers_arriving_together_are_gathered_for_the_linger_and_a_lone_one_is_not_kept_waiting() -> None:
    calls: list[list[int]] = []
    busy = threading.Event()

    def handle(items: Sequence[int]) -> Outcomes[int]:
        calls.append(list(items))
        busy.wait(5)  # the first batch holds the worker while 1 and 2 queue up behind it
        return list(items)

    batcher = Batcher(handle, max_wait_s=0.0, linger_s=0.5)
    first = batcher.submit(0)
    while not calls:
        time.sleep(0.001)
    queued = [batcher.submit(1), batcher.submit(2)]
    busy.set()
    assert first.result(timeout=5) == 0 and [f.result(timeout=5) for f in queued] == [1, 2]
    # The last batch held two: the next one lingers and takes a caller 50 ms behind the first.
    together = batcher.submit(3)
    time.sleep(0.05)
    late = batcher.submit(4)
    assert together.result(timeout=5) == 3 and late.result(timeout=5) == 4
    # Still lingering after a batch of two, 5 waits out the 0.5 s alone; its batch of one
    # ends the lingering, so 6, alone too, is taken at once.
    assert batcher.submit(5).result(timeout=5) == 5
    started = time.monotonic()
    assert batcher.submit(6).result(timeout=5) == 6
    waited = time.monotonic() - started
    batcher.close()
    assert calls == [[0], [1, 2], [3, 4], [5], [6]]
    assert waited < 0.4
