"""The worker processes of ``ordo serve --workers N``: one uvicorn server each, on one port.

Each worker binds its own listening socket with ``SO_REUSEPORT``, so the kernel spreads
new connections evenly over the workers. With uvicorn's own ``--workers`` they share
one socket and whichever process wakes first accepts: a platform's pool of keep-alive
connections, opened in one burst, then landed mostly on one worker (85 / 15 in
``ordo bench channels``) while the other idled. Each worker builds its app from the
environment (:func:`ordo.api.app.from_env`).

The supervisor (the calling process) does no request work and holds no database handle
of its own for them. It:

* **restarts a worker that dies**, after a backoff of :data:`BACKOFF_S` doubling to
  :data:`BACKOFF_MAX_S` per consecutive crash (reset once a worker has stayed up
  :data:`STABLE_S`), logging each exit with its code or signal;
* **reports a crash loop**: :data:`CRASH_LOOP_RESTARTS` restarts of one worker within
  :data:`CRASH_LOOP_WINDOW_S` is logged as an error and shown in every worker's
  ``/healthz`` (``node.workers.crash_looping``), through the state file of
  :mod:`ordo.service.runtime.supervision`; it keeps restarting, at the longest backoff;
* **drains on SIGTERM / SIGINT**: each worker gets SIGTERM, and uvicorn then stops
  accepting, lets the requests in flight finish (up to the grace period), closes idle
  keep-alive connections and exits; a worker still running ``grace_s + 5`` s later is killed.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.process
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from ordo.service.runtime.supervision import STATE_ENV, write_state

log = logging.getLogger("ordo.workers")

#: The app factory each worker calls.
APP_FACTORY = "ordo.api.app:from_env"
#: First restart delay after a crash (seconds), doubled per consecutive crash.
BACKOFF_S = 0.5
BACKOFF_MAX_S = 30.0
#: A worker up this long has recovered: its next crash starts the backoff again.
STABLE_S = 10.0
#: This many restarts of one worker within the window is a crash loop.
CRASH_LOOP_RESTARTS = 5
CRASH_LOOP_WINDOW_S = 60.0
#: Seconds between rewrites of the state file when nothing changed.
STATE_EVERY_S = 1.0


def _listen(host: str, port: int) -> socket.socket:
    # The family as uvicorn picks it for its own sockets: IPv6 only for an IPv6 address.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, grace_s: int) -> None:
    import uvicorn

    from ordo.cli.http_limits import server_options
    from ordo.config import Settings

    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=grace_s,
        **server_options(Settings.from_env()),
    )
    uvicorn.Server(config).run(sockets=[_listen(host, port)])


@dataclass
class Slot:
    """One worker position: its current process and its crash history."""

    index: int
    proc: multiprocessing.process.BaseProcess | None = None
    started_at: float = 0.0
    #: When the next start is due (after a crash), else 0.
    due_at: float = 0.0
    consecutive: int = 0
    restarts: deque[float] = field(default_factory=deque)
    crash_looping: bool = False
    last_exit: int | None = None

    def view(self) -> dict[str, Any]:
        alive = self.proc is not None and self.proc.is_alive()
        return {
            "slot": self.index,
            "pid": self.proc.pid if alive and self.proc is not None else None,
            "state": "crash_looping" if self.crash_looping else "running" if alive else "restarting",
            "restarts": len(self.restarts),
            "last_exit": self.last_exit,
        }


def backoff_s(consecutive: int) -> float:
    """The delay before restarting after the ``consecutive``-th crash in a row (1, 2, …)."""
    return float(min(BACKOFF_MAX_S, BACKOFF_S * 2 ** max(0, consecutive - 1)))


def run_workers(
    n: int,
    host: str,
    port: int,
    grace_s: int,
    extra_state: Callable[[], dict[str, Any]] | None = None,
) -> int:
    """Run ``n`` workers until SIGTERM / SIGINT, restarting any that dies; the exit status."""
    ctx = multiprocessing.get_context("spawn")
    state_dir = tempfile.mkdtemp(prefix="ordo-supervisor-")
    state_path = os.path.join(state_dir, "state.json")
    previous_env = os.environ.get(STATE_ENV)
    os.environ[STATE_ENV] = state_path  # the spawned workers inherit it
    slots = [Slot(i) for i in range(n)]
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    def start(slot: Slot) -> None:
        slot.proc = ctx.Process(target=_worker, args=(host, port, grace_s), name=f"ordo-worker-{slot.index}")
        slot.proc.start()
        slot.started_at, slot.due_at = time.monotonic(), 0.0

    def publish() -> None:
        state: dict[str, Any] = {
            "workers": {
                "count": n,
                "crash_looping": [s.index for s in slots if s.crash_looping],
                "slots": [s.view() for s in slots],
            }
        }
        if extra_state is not None:
            state.update(extra_state())
        try:
            write_state(state_path, state)
        except OSError as exc:  # health is informative; serving goes on
            log.warning("supervisor state not written: %s", exc)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        publish()
        for slot in slots:
            start(slot)
        published = time.monotonic()
        while not stop.wait(0.1):
            now = time.monotonic()
            changed = False
            for slot in slots:
                changed |= _watch(slot, now, start)
            if changed or now - published >= STATE_EVERY_S:
                publish()
                published = now
        _drain(slots, grace_s)
        return 0
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if previous_env is None:
            os.environ.pop(STATE_ENV, None)
        else:
            os.environ[STATE_ENV] = previous_env
        shutil.rmtree(state_dir, ignore_errors=True)


def _watch(slot: Slot, now: float, start: Callable[[Slot], None]) -> bool:
    """One look at a slot: note a death, schedule its restart, start it when due."""
    proc = slot.proc
    if proc is not None and not proc.is_alive():
        proc.join()
        code = proc.exitcode
        slot.proc, slot.last_exit = None, code
        slot.consecutive = 1 if now - slot.started_at >= STABLE_S else slot.consecutive + 1
        delay = backoff_s(slot.consecutive)
        slot.due_at = now + delay
        slot.restarts.append(now)
        while slot.restarts and now - slot.restarts[0] > CRASH_LOOP_WINDOW_S:
            slot.restarts.popleft()
        how = f"signal {-code}" if code is not None and code < 0 else f"code {code}"
        log.warning(
            "worker %d (pid %s) exited with %s; restarting in %.1f s", slot.index, proc.pid, how, delay
        )
        looping = len(slot.restarts) >= CRASH_LOOP_RESTARTS
        if looping and not slot.crash_looping:
            log.error(
                "worker %d is crash-looping: %d restarts in %.0f s / 工作进程反复崩溃",
                slot.index,
                len(slot.restarts),
                CRASH_LOOP_WINDOW_S,
            )
        slot.crash_looping = looping
        return True
    if slot.proc is None and slot.due_at and now >= slot.due_at:
        start(slot)
        return True
    if slot.crash_looping and slot.proc is not None and now - slot.started_at >= STABLE_S:
        slot.crash_looping = False  # it stayed up: recovered
        log.warning("worker %d has stayed up %.0f s: no longer crash-looping", slot.index, STABLE_S)
        return True
    return False


def _drain(slots: list[Slot], grace_s: int) -> None:
    procs = [s.proc for s in slots if s.proc is not None and s.proc.is_alive()]
    for p in procs:
        p.terminate()  # SIGTERM: uvicorn stops accepting, finishes what it is answering, exits
    for p in procs:
        p.join(grace_s + 5)
        if p.is_alive():
            p.kill()
            p.join()
