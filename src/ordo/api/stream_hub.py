"""One outbox reader per server process, fanning events out to every SSE client in it.

Before, each SSE client read the outbox after every commit of its process and every
``POLL_S`` otherwise: N clients, N queries per commit. Now a :class:`Hub` per event loop
(one per uvicorn worker) reads the events after its cursor once — when this process
commits (``ordo.notifier``) and every :data:`POLL_S` otherwise, which is how a commit made
by another process or another node reaches this one (within ``POLL_S`` plus one read) — and
hands each client the rows its filters (order, channel, types) keep, encoded once.

A client that starts behind the hub (``Last-Event-ID`` older than the hub's window), falls
behind (more than :data:`MAX_PENDING` rows unsent) or filters by ``region`` (a join the
hub does not make) reads the outbox itself, as before, until it is level with the hub's
window again (the region filter always reads itself, woken by the hub).

The reader reads with the outbox's one predicate (``Outbox.after``), so it advances only
over ids whose transactions have finished (gap-free on PostgreSQL too).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import orjson

from ordo.api.render import with_times
from ordo.service.runtime.app import Ordo

#: Seconds between the hub's reads when nothing in this process woke it (commits by other
#: processes and nodes): the cross-node latency of an event, bar one read. One indexed
#: query per process per period, only while some client is connected.
POLL_S = float(os.environ.get("ORDO_STREAM_POLL_S", "0.02"))
#: Rows read per round trip.
BATCH = 1000
#: Rows kept after delivery, so a client that starts slightly behind is served from memory.
WINDOW = 5000
#: A client with more rows than this waiting is dropped to reading the outbox itself.
MAX_PENDING = 10_000


def message(row: dict[str, Any]) -> bytes:
    data = orjson.dumps(with_times(row))
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (row["id"], row["type"].encode(), data)


@dataclass(eq=False)
class Client:
    """One SSE stream's view of the hub: what it wants, what waits for it."""

    cursor: int
    order_id: str | None
    channel: str | None
    types: frozenset[str]
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    pending: list[tuple[int, bytes]] = field(default_factory=list)
    #: Dropped to reading for itself (started behind the window, or fell too far behind).
    behind: bool = False
    #: Filters by region (a join the hub does not make): always reads for itself.
    region: bool = False
    #: The last id handed to the stream (``cursor`` may be ahead: rows the filters dropped).
    sent: int = 0
    #: A caller bound to several channels: only events of these (None: any channel).
    within: frozenset[str] | None = None

    def wants(self, row: dict[str, Any]) -> bool:
        return (
            (self.order_id is None or row["order_id"] == self.order_id)
            and (self.channel is None or row["channel"] == self.channel)
            and (self.within is None or row["channel"] in self.within)
            and (not self.types or row["type"] in self.types)
        )

    def take(self) -> tuple[int, bytes] | None:
        """The rows waiting, as one chunk, and the cursor after them."""
        if not self.pending:
            return None
        rows, self.pending = self.pending, []
        self.sent = rows[-1][0]
        return self.sent, b"".join(m for _, m in rows)


class Hub:
    """The one reader of the outbox for the SSE clients of one event loop."""

    def __init__(self, ordo: Ordo, poll_s: float = POLL_S) -> None:
        self._ordo = ordo
        self._poll_s = poll_s
        self._clients: set[Client] = set()
        self._window: deque[tuple[int, dict[str, Any], bytes]] = deque(maxlen=WINDOW)
        #: Every event with an id above ``floor`` is in the window or not yet read.
        self.floor = -1
        self.cursor = -1
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unsubscribe: Callable[[], None] | None = None
        #: Outbox reads made, for tests and the bench (one per round, whatever the clients).
        self.reads = 0

    def join(self, client: Client) -> None:
        if self._task is None or self._task.done():
            loop = asyncio.get_running_loop()

            def poke() -> None:  # on the committing thread
                with contextlib.suppress(RuntimeError):  # the loop has closed
                    loop.call_soon_threadsafe(self._wake.set)

            self._unsubscribe = self._ordo.notifier.subscribe(poke)
            self.floor = self.cursor = client.cursor
            self._window.clear()
            self._task = loop.create_task(self._run(), name="ordo-stream-hub")
        self._clients.add(client)
        self.catch_up(client)

    def catch_up(self, client: Client) -> None:
        """Serve ``client`` from the window if its cursor is inside it, else mark it behind."""
        if client.region or client.cursor < self.floor:
            client.behind = True
            return
        client.behind = False
        for rid, row, msg in self._window:
            if rid > client.cursor and client.wants(row):
                client.pending.append((rid, msg))
        client.cursor = max(client.cursor, self.cursor)
        if client.pending:
            client.wake.set()

    def leave(self, client: Client) -> None:
        self._clients.discard(client)
        if not self._clients and self._task is not None:
            self._task.cancel()
            self._task = None
            if self._unsubscribe is not None:
                self._unsubscribe()
                self._unsubscribe = None

    def _read(self, after: int) -> list[dict[str, Any]]:
        with self._ordo.store.uow(read_only=True) as uow:
            return uow.outbox.after(after, limit=BATCH)

    async def _run(self) -> None:
        while True:
            self._wake.clear()  # before reading: a commit during the read means another round
            rows = await anyio.to_thread.run_sync(self._read, self.cursor)
            self.reads += 1
            if rows:
                self._deliver(rows)
                if len(rows) == BATCH:
                    continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_s)

    def _deliver(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            rid = row["id"]
            if len(self._window) == self._window.maxlen:
                self.floor = self._window[0][0]
            self._window.append((rid, row, message(row)))
        self.cursor = rows[-1]["id"]
        for c in self._clients:
            if c.behind:
                c.wake.set()
                continue
            before = len(c.pending)
            for rid, row, msg in list(self._window)[-len(rows) :]:
                if rid > c.cursor and c.wants(row):
                    c.pending.append((rid, msg))
            if len(c.pending) > MAX_PENDING:
                c.pending.clear()
                c.cursor, c.behind = c.sent, True  # reads for itself from its last sent id
            else:
                c.cursor = self.cursor
            if len(c.pending) != before or c.behind:
                c.wake.set()


def hub_for(state: Any, ordo: Ordo) -> Hub:
    """The hub of the running event loop, kept on the app's state."""
    hubs: dict[asyncio.AbstractEventLoop, Hub] | None = getattr(state, "stream_hubs", None)
    if hubs is None:
        hubs = {}
        state.stream_hubs = hubs
    loop = asyncio.get_running_loop()
    for old in [lp for lp in hubs if lp.is_closed()]:
        del hubs[old]
    if loop not in hubs:
        hubs[loop] = Hub(ordo)
    return hubs[loop]
