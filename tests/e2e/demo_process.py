"""A real ``ordo demo`` process for the end-to-end tests: started on a free port, stopped with Ctrl-C.

``python -m ordo.cli demo --speed 600`` on a SQLite file of the test's own
(``ORDO_DATABASE_URL``). A thread drains the process's output into a list, so the pipe
never fills and a test can read the banner exactly as a terminal would show it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

T = TypeVar("T")
SPEED = 600


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(check: Callable[[], T], timeout_s: float, what: str) -> T:
    """``check()`` until it returns something true (connection errors count as not yet)."""
    deadline = time.monotonic() + timeout_s
    last: T | None = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last seen: {last!r}")


@dataclass
class Demo:
    base: str
    key: str
    db_url: str
    proc: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def banner(self) -> list[str]:
        """The lines the demo printed at start, from its title to "Ctrl-C stops"."""

        def complete() -> list[str]:
            lines = list(self.output)
            starts = [i for i, line in enumerate(lines) if line.startswith("Ordo demo")]
            ends = [i for i, line in enumerate(lines) if "Ctrl-C stops" in line]
            return lines[starts[0] : ends[0] + 1] if starts and ends else []

        return wait_for(complete, 10, "the banner")


def _drain(proc: subprocess.Popen[str], into: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        into.append(line.rstrip("\n"))


@contextmanager
def running_demo(workdir: Path, db: Path, *, speed: int = SPEED) -> Iterator[Demo]:
    """An ``ordo demo`` on ``db`` until the block ends; then Ctrl-C, as a user stops it."""
    port = free_port()
    key_file = workdir / f"admin-{port}.key"
    db_url = f"sqlite:///{db}"
    # A narrow terminal: nothing the demo prints may be wrapped to fit it.
    env = {**os.environ, "ORDO_DATABASE_URL": db_url, "PYTHONUNBUFFERED": "1", "COLUMNS": "60"}
    args = ["demo", "--port", str(port), "--speed", str(speed), "--key-file", str(key_file)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "ordo.cli", *args],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    demo = Demo(f"http://127.0.0.1:{port}", "", db_url, proc)
    drain = threading.Thread(target=_drain, args=(proc, demo.output), daemon=True)
    drain.start()
    try:

        def healthy() -> bool:
            if proc.poll() is not None:
                raise AssertionError("the demo stopped at start:\n" + "\n".join(demo.output[-40:]))
            return httpx.get(f"{demo.base}/healthz").status_code == 200

        wait_for(healthy, 120, "healthz")
        demo.key = key_file.read_text().strip()
        yield demo
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        drain.join(5)
