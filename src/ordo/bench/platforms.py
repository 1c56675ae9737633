"""``ordo bench pull`` and ``ordo bench writeback``: Ordo against the local platform emulator.

Both start the emulator (``ordo shops emulate``) as its own process, as a platform is,
on a temporary SQLite database holding the simulated world's catalogue.

* **pull** — ``orders`` orders across ``shops`` shops (Taobao, Tmall, JD, Pinduoduo,
  Douyin in turn), every one already modified, pulled by ``ordo shops pull`` in a
  subprocess and taken in through the ordinary intake; ``orders_per_s`` is stored orders
  over the wall time. With ``kill_after_s`` the first pulling process is killed with
  SIGKILL after that many seconds and a second one finishes the job; duplicates and gaps
  are counted against the emulator's own list either way.
* **writeback** — orders are pulled first, then ``rate`` orders a second get a waybill and
  leave the warehouse (open loop: each is due at its time whatever happened before), while
  a write-back duty confirms them to the emulator; latency is from the ``outbound``
  milestone's commit to the platform's acknowledgement as Ordo recorded it.

The figures come with the machine's cores and load average: on a shared machine they
measure the neighbours too.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from ordo.adapters.platforms import PlatformClient
from ordo.bench.http import free_port
from ordo.bench.stats import latency_ms, machine
from ordo.bootstrap import bootstrap
from ordo.clock import NS_PER_S
from ordo.config import Settings
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.channels.pull import Puller
from ordo.service.channels.writeback import WriteBack
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from ordo.sim.platforms import EmulatedShop, Emulator, register_shops
from ordo.sim.world import ensure_world

CHANNELS = ("taobao", "tmall", "jd", "pinduoduo", "douyin")


def _shops(n: int, per_shop: int, per_second: int, seed: int) -> list[EmulatedShop]:
    return [
        EmulatedShop(
            f"{CHANNELS[i % len(CHANNELS)]}-{i}",
            CHANNELS[i % len(CHANNELS)],
            f"bench-key-{CHANNELS[i % len(CHANNELS)]}",
            f"bench-secret-{i}-0123456789",
            f"bench-session-{i}",
            per_shop,
            0,
            per_second,
            seed,
        )
        for i in range(n)
    ]


class _EmulatorProcess:
    """``ordo shops emulate`` in a subprocess, its orders all modified in the past."""

    def __init__(self, shops: list[EmulatedShop], skus: str, span_s: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "ordo.cli", "shops", "emulate", "--port", str(self.port)]
        for s in shops:
            args += ["--shop", f"{s.shop_id}:{s.channel}:{s.app_key}:{s.app_secret}:{s.session}"]
        args += ["--orders", str(shops[0].orders), "--per-second", str(shops[0].per_second)]
        args += ["--skus", skus, "--seed", str(shops[0].seed), "--start-ago", str(span_s + 120)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self.proc.stdout is not None
        self.proc.stdout.readline()  # "emulating …": it is listening

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _prepare(path: Path, seed: int) -> tuple[str, Ordo, str]:
    url = f"sqlite:///{path}"
    app = bootstrap(Settings(database_url=url), rng=random.Random(seed))
    world = ensure_world(app, seed)
    deep = [s for s in world.skus if s.sku in set(world.popularity[:40])]
    skus = ",".join(f"{s.sku}:{s.price_fen}" for s in deep)
    return url, app, skus


def _stored(url: str) -> list[tuple[str, str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.exec_driver_sql("SELECT channel, external_id FROM orders")]
    finally:
        engine.dispose()


def _expected(shops: list[EmulatedShop]) -> set[tuple[str, str]]:
    from ordo.clock import ManualClock

    twin = Emulator(ManualClock(10**19), shops)  # same shops, far future: every order visible
    return {(s.channel, e) for s in shops for e in twin.external_ids(s.shop_id)}


def run_pull(*, orders: int, shops: int, kill_after_s: float | None, seed: int = 1) -> dict[str, Any]:
    per_shop = orders // shops
    per_second = max(1, -(-per_shop // 3_000))
    span = per_shop // per_second + 1
    with tempfile.TemporaryDirectory() as tmp:
        url, app, skus = _prepare(Path(tmp) / "ordo.db", seed)
        specs = _shops(shops, per_shop, per_second, seed)
        emulator = _EmulatorProcess(specs, skus, span)
        try:
            register_shops(app, specs, emulator.url)
            app.store.dispose()
            env = {**os.environ, "ORDO_DATABASE_URL": url}
            cmd = [sys.executable, "-m", "ordo.cli", "shops", "pull", "--lookback-hours", "2"]
            started = time.perf_counter()
            killed_at = None
            first = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if kill_after_s is not None:
                try:
                    first.wait(kill_after_s)
                except subprocess.TimeoutExpired:
                    first.send_signal(signal.SIGKILL)
                    first.wait()
                    killed_at = len(_stored(url))
                    first = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, err = first.communicate()
            seconds = time.perf_counter() - started
            if first.returncode != 0:
                raise RuntimeError(f"ordo shops pull failed: {err.decode()[-2000:]}")
        finally:
            emulator.stop()
        stored = _stored(url)
        expected = _expected(specs)
    return {
        "benchmark": "pull",
        "orders": len(expected),
        "shops": shops,
        "stored": len(stored),
        "duplicates": len(stored) - len(set(stored)),
        "gaps": len(expected - set(stored)),
        "seconds": round(seconds, 2),
        "orders_per_s": round(len(set(stored)) / seconds, 1),
        "killed_with_sigkill_at_orders": killed_at,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "machine": machine(),
    }


def run_writeback(*, rate: float, seconds: float, shops: int = 4, seed: int = 1) -> dict[str, Any]:
    total = int(rate * seconds)
    per_shop = -(-total // shops)
    with tempfile.TemporaryDirectory() as tmp:
        _url, app, skus = _prepare(Path(tmp) / "ordo.db", seed)
        specs = _shops(shops, per_shop, max(1, -(-per_shop // 3_000)), seed)
        emulator = _EmulatorProcess(specs, skus, per_shop + 1)
        try:
            register_shops(app, specs, emulator.url)
            puller = Puller(app, PlatformClient(httpx.Client(timeout=30)), lookback_s=2 * 3600)
            for s in specs:
                puller.pull(s.shop_id)
            with app.store.uow(read_only=True) as uow:
                ids = [r[0] for r in uow.connection.exec_driver_sql("SELECT id FROM orders ORDER BY id")]
            ids = ids[:total]
            writeback = WriteBack(app, PlatformClient(httpx.Client(timeout=10)))
            writeback.step()
            halt = threading.Event()

            def duty() -> None:
                while not halt.is_set():
                    if not writeback.step():
                        time.sleep(0.005)

            thread = threading.Thread(target=duty, name="bench-writeback", daemon=True)
            thread.start()
            left_at: dict[str, int] = {}
            started = time.perf_counter()
            tick = 0.05
            per_tick = rate * tick
            sent = 0
            n = 0
            while sent < len(ids):
                due = started + n * tick
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                n += 1
                batch = ids[sent : min(len(ids), int(n * per_tick))]
                sent += len(batch)
                if not batch:
                    continue
                now = app.clock.now_ns()
                updates = []
                for oid in batch:
                    updates.append(
                        MilestoneUpdate(oid, Milestone.WAYBILL_ISSUED, now, "tms", f"sf:SF{oid[-10:]}")
                    )
                    updates.append(MilestoneUpdate(oid, Milestone.OUTBOUND, now, "wms"))
                advance(app, updates)
                committed = app.clock.now_ns()
                left_at.update(dict.fromkeys(batch, committed))
            deadline = time.perf_counter() + 120
            while time.perf_counter() < deadline:
                with app.store.uow(read_only=True) as uow:
                    counts = uow.platforms.shipment_counts()
                if counts.get("acked", 0) >= len(ids):
                    break
                time.sleep(0.1)
            halt.set()
            thread.join(10)
            with app.store.uow(read_only=True) as uow:
                rows = uow.platforms.shipments(limit=len(ids) + 10)
        finally:
            emulator.stop()
    acked = [r for r in rows if r["state"] == "acked" and r["acked_at_ns"] is not None]
    waits = [
        ((r["acked_at_ns"] or 0) - left_at[r["order_id"]]) / NS_PER_S
        for r in acked
        if r["order_id"] in left_at
    ]
    return {
        "benchmark": "writeback",
        "offered_per_s": rate,
        "shipments": len(ids),
        "acked": len(acked),
        "lost": len(ids) - len(acked),
        "outbound_to_ack": latency_ms(waits) if waits else None,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "machine": machine(),
    }
