"""Readiness for probes and load balancers: can this process do its work right now?

Ready means the store accepts a write (a committed upsert of one ``meta`` row: a full
disk, a read-only replica after a failover, a locked SQLite file or a dead connection
all fail it, where a ``SELECT 1`` still passes) and every configured broker (NATS,
MQTT: ``ORDO_NATS_URL``, ``ORDO_MQTT_URL``) accepts a connection. Liveness (``/livez``)
asks nothing of either: a process whose store is down is alive, not ready.
"""

from __future__ import annotations

from typing import Any

from ordo.domain.errors import StoreError
from ordo.service.events.outbound import OutboundConfig
from ordo.service.runtime.app import Ordo

#: The ``meta`` row each readiness probe writes (the time of the last probe, clock ns).
PROBE_KEY = "readyz.probe"


def store_check(app: Ordo) -> dict[str, Any]:
    def write() -> None:
        with app.store.uow() as uow:
            uow.catalog.set_meta(PROBE_KEY, str(app.clock.now_ns()))
            uow.commit()

    try:
        app.retrying(write)
    except StoreError as exc:
        return {
            "ok": False,
            "dialect": app.store.dialect,
            "error": exc.code,
            "message": f"the store refuses writes / 数据库无法写入: {exc.message}",
        }
    return {"ok": True, "dialect": app.store.dialect}


def bus_checks(config: OutboundConfig) -> dict[str, dict[str, Any]]:
    from ordo.adapters.outbound.probe import address, unreachable

    out: dict[str, dict[str, Any]] = {}
    for name, url in (("nats", config.nats_url), ("mqtt", config.mqtt_url)):
        if not url:
            continue
        host, port = address(url)
        why = unreachable(url)
        out[name] = {"ok": why is None, "address": f"{host}:{port}"}
        if why is not None:
            out[name]["message"] = f"{name} {host}:{port} unreachable / 消息总线不可达: {why}"
    return out


def readiness(app: Ordo, config: OutboundConfig | None = None) -> dict[str, Any]:
    """``{"status": "ready" | "unavailable", "checks": {name: {"ok": …, …}}}``."""
    checks = {"store": store_check(app), **bus_checks(config or OutboundConfig.from_env())}
    ready = all(c["ok"] for c in checks.values())
    return {"status": "ready" if ready else "unavailable", "checks": checks}
