"""The event stream as a subscriber sees it through a drill: reconnecting, resuming by ``Last-Event-ID``.

:class:`Watcher` reads ``GET /api/v1/stream`` in a thread. When the server dies or the
connection drops, it connects again with the last id it saw, as a browser's
``EventSource`` does, so an event missing at the end is an event lost, not a
reconnection artefact. ``created[order_id]`` is when each ``order.created`` arrived
(monotonic), for the event-lag probe.
"""

from __future__ import annotations

import threading
import time

import httpx
import orjson


class Watcher(threading.Thread):
    def __init__(self, base: str, key: str, start_id: int) -> None:
        super().__init__(name="drill-stream", daemon=True)
        self.base, self.key, self.last_id = base, key, start_id
        self.ids: set[int] = set()
        self.created: dict[str, float] = {}
        self.reconnects = 0
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.is_set():
            headers = {"Authorization": f"Bearer {self.key}", "Last-Event-ID": str(self.last_id)}
            try:
                with (
                    httpx.Client(base_url=self.base, headers=headers, timeout=httpx.Timeout(5, read=2)) as c,
                    c.stream("GET", "/api/v1/stream") as r,
                ):
                    r.raise_for_status()
                    self.ready.set()
                    for line in r.iter_lines():
                        if self._stop.is_set():
                            return
                        if line.startswith("data: "):
                            self._take(line[6:])
            except (httpx.HTTPError, ValueError):
                pass
            if not self._stop.is_set():
                self.reconnects += 1
                time.sleep(0.05)

    def _take(self, data: str) -> None:
        at = time.monotonic()
        event = orjson.loads(data)
        eid = int(event["id"])
        with self.lock:
            self.ids.add(eid)
            self.last_id = max(self.last_id, eid)
            if event.get("type") == "order.created":
                self.created.setdefault(str(event.get("order_id")), at)
