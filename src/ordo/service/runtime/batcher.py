"""A micro-batcher: many concurrent callers, one worker thread, one transaction per batch.

    batcher = Batcher(handler, max_items=64, max_wait_s=0.002)
    result = batcher.submit(item).result()      # from a thread
    result = await asyncio.wrap_future(batcher.submit(item))   # from a coroutine
    batcher.close()                              # flushes what is queued, then stops

The worker takes the first waiting item, gathers more for at most ``max_wait_s`` (or
until ``max_items``), hands them to ``handler`` in arrival order and resolves each
caller's future with its own entry of the handler's answer: a result, or the
exception that belongs to that item alone. Under load the batches grow by themselves
(items pile up while the worker is busy), so the wait only matters when it is quiet.
``linger_s``, when given, replaces that wait while callers arrive together (the last
batch held more than one item), and the worker sleeps it out rather than waking per
item: a handler with a high fixed cost per batch (one transaction) then spends it on
more items, and a lone caller still waits only ``max_wait_s``.

It owns no business logic and must never drop an item: whatever is queued when
:meth:`close` is called is processed before it returns, and an item submitted after
that runs at once in the caller's thread. :func:`isolate` is the other half of
"one item's error fails only that item".
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

I = TypeVar("I")
R = TypeVar("R")

#: One entry per item, in input order: its result or its own exception.
Outcomes = list[R | BaseException]
Handler = Callable[[Sequence[I]], Outcomes[R]]

log = logging.getLogger(__name__)
_STOP = object()


def isolate(work: Callable[[Sequence[I]], Sequence[R]], items: Sequence[I]) -> Outcomes[R]:
    """Run ``work`` on all items; if it raises, split the batch and run the halves again.

    ``work`` must be all-or-nothing (one transaction), so a failed call left nothing
    behind. Bisection finds the item(s) a failure belongs to in log2(n) more calls; an
    item that fails alone gets the exception, every other item its result.
    """
    if not items:
        return []
    try:
        out = list(work(items))
    except Exception as exc:
        if len(items) == 1:
            return [exc]
        half = len(items) // 2
        return isolate(work, items[:half]) + isolate(work, items[half:])
    if len(out) != len(items):  # a handler bug, not an item's: fail loudly, for every item
        raise AssertionError(f"batch handler returned {len(out)} results for {len(items)} items")
    return list(out)


class Batcher(Generic[I, R]):
    def __init__(
        self,
        handler: Handler[I, R],
        *,
        max_items: int = 64,
        max_wait_s: float = 0.002,
        linger_s: float | None = None,
        name: str = "batcher",
    ) -> None:
        self._handler = handler
        self._max_items = max_items
        self._max_wait_s = max_wait_s
        self._linger_s = max_wait_s if linger_s is None else linger_s
        self._last_size = 0
        self._queue: queue.SimpleQueue[tuple[I, Future[R]] | object] = queue.SimpleQueue()
        self._closed = False
        self._lock = threading.Lock()  # orders submit() against close(): nothing slips past the stop
        self._thread = threading.Thread(target=self._run, name=f"ordo-{name}", daemon=True)
        self._thread.start()

    def submit(self, item: I) -> Future[R]:
        future: Future[R] = Future()
        with self._lock:
            if not self._closed:
                self._queue.put((item, future))
                return future
        self._resolve([(item, future)])  # closed: run it here rather than refuse it
        return future

    def close(self, timeout: float | None = 30.0) -> None:
        """Stop taking items; process everything queued; wait for the worker."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_STOP)
        self._thread.join(timeout)

    @property
    def closed(self) -> bool:
        return self._closed

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                break
            batch = [first]
            if self._last_size > 1 and self._linger_s > 0:
                # Callers arrive together: sleep the window out, then take what queued meanwhile.
                # One wake-up per batch: waking for each item would pass the interpreter lock
                # to and from the event loop once per item, which costs more than the item.
                time.sleep(self._linger_s)
                deadline = time.monotonic()
            else:
                deadline = time.monotonic() + self._max_wait_s
            while len(batch) < self._max_items:
                try:
                    # Take what is already queued without waiting; wait only up to the deadline.
                    nxt = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stopping = True  # finish this batch and whatever queued before the stop
                    break
                batch.append(nxt)
            self._last_size = len(batch)
            self._resolve(batch)  # type: ignore[arg-type]
        # Items queued behind the stop marker cannot exist (submit checks under the lock),
        # but anything left is processed rather than lost.
        rest: list[tuple[I, Future[R]]] = []
        while True:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                break
            if nxt is not _STOP:
                rest.append(nxt)  # type: ignore[arg-type]
        for i in range(0, len(rest), self._max_items):
            self._resolve(rest[i : i + self._max_items])

    def _resolve(self, batch: list[tuple[I, Future[R]]]) -> None:
        items = [item for item, _ in batch]
        try:
            outcomes = self._handler(items)
            if len(outcomes) != len(items):
                raise AssertionError(f"batch handler returned {len(outcomes)} results for {len(items)}")
        except BaseException as exc:  # the worker must survive: every caller hears of it
            log.exception("batch of %d failed as a whole", len(items))
            outcomes = [exc] * len(items)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if not future.set_running_or_notify_cancel():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
