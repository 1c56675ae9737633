"""The load a drill runs under: orders posted at a steady rate, each retried until acknowledged.

Open loop, as shops are: order ``i`` is due at ``i / rate`` seconds whatever happened to
the ones before (``factor`` multiplies the rate for a surge). Each is posted alone to
``POST /api/v1/orders`` with an ``Idempotency-Key`` over the benchmarks' keep-alive client
(``ordo.bench.loadgen``); a transport error or a 5xx is retried with the same key after
a short pause, as a channel would, until ``give_up_s``. An order is *acknowledged* when a
2xx answer names its id: that is the promise RPO is measured against.

Every attempt is kept (``Attempt``) so RTO can be read afterwards: when answers stopped
and when they came back. The orders come from the simulator's factory (``ordo.sim``) via
the intake benchmark, made one by one as they fall due (a drill sends hundreds, not the
capacity) and stamped with the wall time they are sent.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from ordo.adapters.geo import load_divisions
from ordo.bench.http import order_json
from ordo.bench.loadgen import LoadClient
from ordo.domain.orders.model import Order
from ordo.sim.demand import OrderFactory, schedule
from ordo.sim.world import World

#: The simulated day the orders are drawn from (as ``ordo.bench.intake.generate_orders``).
_DAY_START_NS = 1_794_326_400 * 1_000_000_000  # 2026-11-11 00:00 Asia/Shanghai


@dataclass(frozen=True, slots=True)
class Attempt:
    index: int
    sent: float  # monotonic
    done: float
    status: int  # 0: transport error
    order_id: str | None


@dataclass
class Ledger:
    """What the load saw; read under ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: list[Attempt] = field(default_factory=list)
    acked: dict[int, str] = field(default_factory=dict)  # order index → order id
    acked_at: dict[int, float] = field(default_factory=dict)
    external: dict[int, str] = field(default_factory=dict)  # order index → external id
    given_up: list[int] = field(default_factory=list)
    refused: list[tuple[int, int, str]] = field(default_factory=list)  # (index, status, body) 4xx


class Load:
    """Start with :meth:`start`, stop with :meth:`stop`; ``factor`` may change while it runs."""

    def __init__(
        self,
        host: str,
        port: int,
        key: str,
        world: World,
        *,
        rate_per_s: float = 40.0,
        seed: int = 1,
        capacity: int = 20_000,
        give_up_s: float = 30.0,
        prefix: str = "drill",
    ) -> None:
        self.host, self.port, self.key = host, port, key
        self.rate, self.factor, self.give_up_s = rate_per_s, 1.0, give_up_s
        self.prefix = prefix
        self.ledger = Ledger()
        # The same orders as ``generate_orders(world, capacity, seed)``, made as they fall due.
        self._factory = OrderFactory(world, load_divisions(), seed)
        self._times = schedule(self._factory.curve, _DAY_START_NS, capacity, random.Random(seed))
        self._orders: list[Order] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started_at = 0.0
        self.stopped_at = 0.0

    def start(self) -> None:
        self.started_at = time.monotonic()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._run()), name="drill-load", daemon=True
        )
        self._thread.start()

    def stop(self, drain_s: float | None = None) -> None:
        """Stop sending new orders; wait (up to ``give_up_s``) for those in flight."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.give_up_s + 5 if drain_s is None else drain_s)
        self.stopped_at = time.monotonic()

    def set_port(self, port: int) -> None:
        """Send new orders to another port (e.g. through a fault proxy)."""
        self.port = port

    async def _run(self) -> None:
        clients: dict[int, LoadClient] = {}
        tasks: set[asyncio.Task[None]] = set()
        due = time.monotonic()
        i = 0
        try:
            while not self._stop.is_set() and i < len(self._times):
                if self.port not in clients:
                    clients[self.port] = await LoadClient(self.host, self.port, connections=16).__aenter__()
                client = clients[self.port]
                now = time.monotonic()
                if now < due:
                    await asyncio.sleep(min(due - now, 0.05))
                    continue
                if i == len(self._orders):  # in index order: the factory's draws stay the same
                    self._orders.append(self._factory.make(self._times[i]))
                task = asyncio.create_task(self._one(client, i))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                i += 1
                due += 1.0 / (self.rate * self.factor)
            if tasks:
                await asyncio.wait(tasks, timeout=self.give_up_s + 2)
        finally:
            for c in clients.values():
                await c.__aexit__(None, None, None)

    async def _one(self, client: LoadClient, i: int) -> None:
        order = self._orders[i]
        now = dt.datetime.now(dt.UTC)
        body: dict[str, Any] = order_json(order)
        body["external_id"] = f"{self.prefix}-{order.external_id}"
        body["placed_at"] = body["paid_at"] = now.isoformat()
        raw = _dumps(body)
        headers = {
            "Authorization": f"Bearer {self.key}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"{self.prefix}-{i}",
        }
        with self.ledger.lock:
            self.ledger.external[i] = body["external_id"]
        first = time.monotonic()
        while True:
            sent = time.monotonic()
            status, oid, text = 0, None, ""
            try:
                reply = await asyncio.wait_for(client.request("POST", "/api/v1/orders", headers, raw), 10)
                status = reply.status
                if status < 300:
                    found = reply.json()
                    results = found.get("results", []) if isinstance(found, dict) else []
                    oid = results[0].get("order_id") if results else None
                elif status < 500:
                    text = reply.body[:300].decode(errors="replace")
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ConnectionError):
                status = 0
            done = time.monotonic()
            with self.ledger.lock:
                self.ledger.attempts.append(Attempt(i, sent, done, status, oid))
                if oid:
                    self.ledger.acked[i] = oid
                    self.ledger.acked_at[i] = done
                    return
                if 400 <= status < 500 and status != 429:
                    self.ledger.refused.append((i, status, text))
                    return
                if done - first > self.give_up_s:
                    self.ledger.given_up.append(i)
                    return
            await asyncio.sleep(0.05)

    # -- readings ----------------------------------------------------------------------------

    def acked_rate(self, since: float, until: float | None = None) -> float:
        """Orders acknowledged per second over [since, until]."""
        end = until if until is not None else time.monotonic()
        with self.ledger.lock:
            n = sum(1 for at in self.ledger.acked_at.values() if since <= at <= end)
        return n / max(end - since, 1e-9)

    def offered_rate(self) -> float:
        return self.rate * self.factor


def _dumps(body: dict[str, Any]) -> bytes:
    import orjson

    return orjson.dumps(body)
