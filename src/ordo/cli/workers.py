"""The worker processes of ``ordo serve --workers N``: one uvicorn server each, on one port.

Each worker binds its own listening socket with ``SO_REUSEPORT``, so the kernel spreads
new connections evenly over the workers. With uvicorn's own ``--workers`` they share
one socket and whichever process wakes first accepts: a platform's pool of keep-alive
connections, opened in one burst, then landed mostly on one worker (85 / 15 in
``ordo bench channels``) while the other idled. Each worker builds its app from the
environment (:func:`ordo.api.app.from_env`) and shuts down gracefully on SIGTERM.

The supervisor (the calling process) only watches: when it is told to stop, or a
worker dies, it stops every worker and returns. It never restarts one, so a crash is
seen, not hidden. This module must not do request work or hold a database handle.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import threading
from types import FrameType

#: The app factory each worker calls.
APP_FACTORY = "ordo.api.app:from_env"


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


def run_workers(n: int, host: str, port: int, grace_s: int) -> int:
    """Run ``n`` workers until SIGTERM / SIGINT or until one dies; the exit status to use."""
    ctx = multiprocessing.get_context("spawn")
    procs = [
        ctx.Process(target=_worker, args=(host, port, grace_s), name=f"ordo-worker-{i}") for i in range(n)
    ]
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for p in procs:
            p.start()
        while not stop.wait(0.2):
            if any(not p.is_alive() for p in procs):
                break
        crashed = not stop.is_set()
        for p in procs:
            if p.is_alive():
                p.terminate()  # SIGTERM: uvicorn finishes what it is answering, then exits
        for p in procs:
            p.join(grace_s + 5)
            if p.is_alive():
                p.kill()
                p.join()
        return 1 if crashed else 0
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
