"""``python -m ordo.cli.drill_clock --port P``: ``ordo serve`` (one process) with a clock a drill can jump.

The business clock is the system clock plus an offset read from the file named by
``ORDO_DRILL_CLOCK_FILE`` (nanoseconds; missing or empty: 0), looked at no more than
every 50 ms so ``now_ns`` stays cheap. A drill writes the file to make the clock jump
forward or back, as an NTP step or a wrong RTC would. Everything else is built as
``ordo serve`` builds it; only drills start this.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from pathlib import Path


class JumpClock:
    """The system clock plus an offset from a file (see the module doc)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._offset = 0
        self._checked = 0.0
        self._lock = threading.Lock()

    def _offset_ns(self) -> int:
        now = time.monotonic()
        if now - self._checked > 0.05:
            with self._lock:
                self._checked = now
                try:
                    self._offset = int(self._path.read_text().strip() or 0)
                except (OSError, ValueError):
                    self._offset = 0
        return self._offset

    def now_ns(self) -> int:
        return time.time_ns() + self._offset_ns()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def main() -> None:
    import uvicorn

    from ordo.api.app import create_app
    from ordo.cli.common import open_ordo
    from ordo.cli.http_limits import server_options
    from ordo.cli.serve import GRACE_S
    from ordo.service.runtime.warmup import settle_heap, warm_up

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    ordo = open_ordo(clock=JumpClock(Path(os.environ["ORDO_DRILL_CLOCK_FILE"])))
    warm_up(ordo)
    app = create_app(ordo, ordo.settings)
    settle_heap()
    ordo.background.start()
    try:
        uvicorn.run(
            app,
            host="127.0.0.1",
            port=args.port,
            log_level="warning",
            timeout_graceful_shutdown=GRACE_S,
            **server_options(ordo.settings),
        )
    finally:
        ordo.background.stop()
        ordo.store.dispose()


if __name__ == "__main__":
    main()
