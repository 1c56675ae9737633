"""Technical faults on the real process tree, the database, the disk, the clock and the network.

Each action takes the :class:`~ordo.drills.context.Drill`, marks the moment it struck
(RTO is measured from there) and returns what it did, for the journal. An action with
``duration_s`` lifts its own fault at the end; the scenario's rollbacks lift it again
(each is idempotent) in case the method stopped half-way.

- ``kill_server``: SIGKILL (or another signal) to ``ordo serve``; the drill's supervisor
  starts it again at once, as systemd would. The action ends once the new server takes
  orders again (an order acknowledged after /healthz came back), not at a fixed time:
  the check after the fault then judges the recovered server, and the RTO (measured
  from the load's own attempts) says how long recovery took.
- ``kill_worker``: SIGKILL to one worker of ``ordo serve --workers N``; Ordo's own
  supervisor replaces it.
- ``drain_server``: SIGTERM; the server finishes what it holds and exits, then restarts.
- ``drop_database_connections``: ``pg_terminate_backend`` on every connection to the
  drill's PostgreSQL database, ``times`` times ``every_s`` apart.
- ``stop_broker`` / ``start_broker``: the private nats-server killed, then back.
- ``disk_full`` / ``restore_disk``: the SQLite file's own tmpfs filled to ENOSPC. (A
  read-only remount of it fails with EBUSY while the server holds files open for
  writing, which it always does: a read-only disk needs a block device; not here.)
- ``hold_write_lock``: another session holds the database's write lock for a while.
- ``jump_clock``: the server's business clock steps by ``offset_s``.
- ``slow_network`` / ``cut_network`` / ``heal_network``: the fault proxy the load goes through.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from ordo.drills.context import Drill
from ordo.drills.proxy import FaultProxy
from ordo.drills.target import PG_ADMIN_URL


def _restarted_within(drill: Drill, since: float, timeout_s: float = 60.0) -> float | None:
    """Seconds from ``since`` until /healthz answers again (None if it never did)."""
    try:
        drill.target.wait_ready(timeout_s)
    except RuntimeError:
        return None
    return round(time.monotonic() - since, 3)


def _taking_orders_within(drill: Drill, since: float, timeout_s: float = 60.0) -> float | None:
    """Seconds from ``since`` until the load has an order acknowledged after the server
    answered /healthz again (None if none was within ``timeout_s``)."""
    back = time.monotonic()
    deadline = back + timeout_s
    while time.monotonic() < deadline:
        with drill.load.ledger.lock:
            if any(at > back for at in drill.load.ledger.acked_at.values()):
                return round(time.monotonic() - since, 3)
        time.sleep(0.02)
    return None


def kill_server(drill: Drill, sig: str = "SIGKILL") -> dict[str, Any]:
    number = signal.Signals[sig]
    at = drill.mark(f"kill_server {sig}")
    pid = drill.target.signal_server(number)
    time.sleep(0.2)  # let it die before asking whether it is back
    healthy = _restarted_within(drill, at)
    taking = _taking_orders_within(drill, at) if healthy is not None else None
    return {"pid": pid, "signal": sig, "healthy_again_after_s": healthy, "taking_orders_after_s": taking}


def drain_server(drill: Drill) -> dict[str, Any]:
    at = drill.mark("drain_server SIGTERM")
    pid = drill.target.signal_server(signal.SIGTERM)
    proc = drill.target.proc
    deadline = time.monotonic() + 20
    while proc is not None and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    exit_code = proc.returncode if proc is not None else None
    drained_s = round(time.monotonic() - at, 3)
    healthy = _restarted_within(drill, at)
    return {
        "pid": pid,
        "exit_code": exit_code,
        "drained_in_s": drained_s,
        "healthy_again_after_s": healthy,
        "taking_orders_after_s": _taking_orders_within(drill, at) if healthy is not None else None,
    }


def kill_worker(drill: Drill) -> dict[str, Any]:
    pids = drill.target.worker_pids()
    if not pids:
        raise RuntimeError("no worker processes: run this drill with configuration.workers >= 2")
    victim = pids[0]
    at = drill.mark("kill_worker SIGKILL")
    import os

    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = drill.target.worker_pids()
        if victim not in now and len(now) >= len(pids):
            break
        time.sleep(0.05)
    replaced = round(time.monotonic() - at, 3)
    return {
        "pid": victim,
        "workers_before": pids,
        "workers_after": drill.target.worker_pids(),
        "replaced_in_s": replaced,
    }


def drop_database_connections(drill: Drill, times: int = 1, every_s: float = 1.0) -> dict[str, Any]:
    if not drill.target.is_postgres:
        raise RuntimeError("pg_terminate_backend needs PostgreSQL (--db postgres)")
    name = drill.target.database_url.rsplit("/", 1)[1]
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    killed: list[int] = []
    try:
        for i in range(times):
            if i:
                time.sleep(every_s)
            drill.mark("drop_database_connections")
            with admin.connect() as conn:
                rows = conn.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :db AND pid <> pg_backend_pid()"
                    ),
                    {"db": name},
                )
                killed.append(sum(1 for r in rows if r[0]))
    finally:
        admin.dispose()
    return {"terminated": killed}


def stop_broker(drill: Drill, duration_s: float = 0.0) -> dict[str, Any]:
    broker = drill.target.broker
    if broker is None:
        raise RuntimeError("this drill has no broker (configuration.broker)")
    drill.mark("stop_broker")
    broker.stop(signal.SIGKILL)
    if duration_s:
        time.sleep(duration_s)
        broker.start()
    return {"port": broker.port, "down_s": duration_s}


def start_broker(drill: Drill) -> dict[str, Any]:
    broker = drill.target.broker
    if broker is not None and broker.proc is None:
        broker.start()
        return {"started": True}
    return {"started": False}


def _disk(drill: Drill) -> Any:
    if drill.target.disk is None:
        raise RuntimeError("this drill has no disk of its own (configuration.disk)")
    return drill.target.disk


def disk_full(drill: Drill, duration_s: float = 0.0) -> dict[str, Any]:
    disk = _disk(drill)
    drill.mark("disk_full")
    written = disk.fill()
    if duration_s:
        time.sleep(duration_s)
        disk.restore()
    return {"filler_bytes": written, "full_s": duration_s}


def hold_write_lock(drill: Drill, duration_s: float = 3.0) -> dict[str, Any]:
    """Another session holds the database's write lock for ``duration_s`` (a long transaction:
    a backup, an operator's UPDATE left open): SQLite ``BEGIN IMMEDIATE``, PostgreSQL an
    exclusive lock on ``orders``."""
    engine = sa.create_engine(drill.target.database_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            if drill.target.is_postgres:
                conn.exec_driver_sql("BEGIN")
                conn.exec_driver_sql("LOCK TABLE orders IN EXCLUSIVE MODE")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            drill.mark("hold_write_lock")
            time.sleep(duration_s)
            conn.exec_driver_sql("ROLLBACK")
    finally:
        engine.dispose()
    return {"held_s": duration_s}


def restore_disk(drill: Drill) -> dict[str, Any]:
    if drill.target.disk is not None:
        drill.target.disk.restore()
    return {"restored": drill.target.disk is not None}


def jump_clock(drill: Drill, offset_s: float) -> dict[str, Any]:
    drill.mark(f"jump_clock {offset_s:+} s")
    drill.target.jump_clock(offset_s)
    time.sleep(0.1)  # the server looks at the offset every 50 ms
    return {"offset_s": offset_s}


def _proxy(drill: Drill) -> FaultProxy:
    proxy = drill.notes.get("proxy")
    if not isinstance(proxy, FaultProxy):
        raise RuntimeError("this drill's load does not go through the fault proxy (configuration.proxy)")
    return proxy


def slow_network(drill: Drill, latency_ms: float, duration_s: float = 0.0) -> dict[str, Any]:
    proxy = _proxy(drill)
    drill.mark(f"slow_network {latency_ms} ms")
    proxy.latency_ms = latency_ms
    if duration_s:
        time.sleep(duration_s)
        proxy.heal()
    return {"latency_ms": latency_ms, "for_s": duration_s}


def cut_network(drill: Drill, duration_s: float = 0.0) -> dict[str, Any]:
    proxy = _proxy(drill)
    drill.mark("cut_network")
    proxy.cut()
    if duration_s:
        time.sleep(duration_s)
        proxy.heal()
    return {"cut_s": duration_s}


def heal_network(drill: Drill) -> dict[str, Any]:
    _proxy(drill).heal()
    return {"healed": True}


ACTIONS: Mapping[str, Callable[..., Any]] = MappingProxyType(
    {
        f.__name__: f
        for f in (
            kill_server,
            drain_server,
            kill_worker,
            drop_database_connections,
            stop_broker,
            start_broker,
            disk_full,
            hold_write_lock,
            restore_disk,
            jump_clock,
            slow_network,
            cut_network,
            heal_network,
        )
    }
)
