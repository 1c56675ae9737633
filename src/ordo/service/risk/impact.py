"""The impact scan: which open orders, parcels in transit, warehouses and lanes an event
exposes, with the promises at risk and the money at stake by channel and region.

The event's covered division codes and warehouses were worked out when it was written
(``events._covered``); the scan is then one grouped query over ``orders`` (through
``ix_orders_adcode`` and ``ix_orders_warehouse``) and one bounded list, so it stays
within a second over a million open orders (``ordo bench risk``).
"""

from __future__ import annotations

import time
from typing import Any

from ordo.adapters.geo.areas import outline
from ordo.domain.errors import NotFound
from ordo.domain.geo import province_by_code
from ordo.domain.orders.milestones import Status
from ordo.domain.risk import ImpactStatus
from ordo.service.ports import Exposure, UnitOfWork
from ordo.service.risk.events import horizon_ns
from ordo.service.risk.records import covered_of, event_of, event_view
from ordo.service.runtime.app import Ordo

#: Not yet shipped: the orders a plan can still move or stop.
OPEN = frozenset({Status.PENDING_PAYMENT, Status.PAID, Status.PROCESSING, Status.IN_WAREHOUSE})
#: On the road: parcels the event may delay.
IN_TRANSIT = frozenset({Status.SHIPPED, Status.IN_TRANSIT, Status.OUT_FOR_DELIVERY})
LIST_LIMIT = 200


def exposure_of(
    row: dict[str, Any], now_ns: int, statuses: frozenset[Status] = OPEN | IN_TRANSIT
) -> Exposure:
    adcodes, warehouses, _ = covered_of(row)
    return Exposure(adcodes, warehouses, frozenset(s.value for s in statuses), horizon_ns(row, now_ns))


def _bucket() -> dict[str, int]:
    return {"orders": 0, "open": 0, "in_transit": 0, "money_fen": 0, "promises_at_risk": 0}


def _province(code: str) -> dict[str, str]:
    p = province_by_code(code + "0000") if code else None
    en = p.english[0].title() if p and p.english else ""
    return {"code": code + "0000" if code else "", "zh": p.name if p else "", "en": en}


def scan_row(uow: UnitOfWork, row: dict[str, Any], now_ns: int, limit: int = LIST_LIMIT) -> dict[str, Any]:
    """The scan of one stored event inside a caller's unit of work."""
    started = time.perf_counter()
    exposure = exposure_of(row, now_ns)
    live = ImpactStatus(row["status"]).live
    place = uow.risk.exposure_by_place(exposure) if live else []
    origin = uow.risk.exposure_by_origin(exposure) if live else []
    transit = {s.value for s in IN_TRANSIT}
    by_channel: dict[str, dict[str, int]] = {}
    by_region: dict[str, dict[str, Any]] = {}
    by_warehouse: dict[str, dict[str, Any]] = {}
    totals = _bucket()
    # Orders going into the area, by the province they go to; orders leaving a covered
    # warehouse for elsewhere, by that warehouse (an order is counted once, by place).
    for groups, into, width in ((place, by_region, 2), (origin, by_warehouse, None)):
        for key, status, channel, n, money, late in groups:
            kind = "in_transit" if status in transit else "open"
            for bucket in (
                by_channel.setdefault(channel, _bucket()),
                into.setdefault(key[:width], _bucket()),
                totals,
            ):
                bucket["orders"] += n
                bucket[kind] += n
                bucket["money_fen"] += money
                bucket["promises_at_risk"] += late
    orders = uow.risk.exposed_orders(exposure, limit) if live and limit else []
    warehouses = set(exposure.warehouses)
    for o in orders:
        o["why"] = [
            *(["origin"] if o["warehouse_id"] in warehouses else []),
            *(["destination"] if o["adcode"] in exposure.adcodes else []),
        ]
        o["promise_at_risk"] = o["promised_at_ns"] is not None and o["promised_at_ns"] <= exposure.horizon_ns
    cat = {w.id: w for w in uow.catalog.warehouses()}
    _, _, carriers = covered_of(row)
    view = event_view(row, now_ns)
    # Lanes: each exposed warehouse's outbound lanes into the provinces the event covers,
    # and the lanes the event names.
    provinces = {c[:2] + "0000" for c in exposure.adcodes}
    lanes = sorted({f"{w}>{p}" for w in warehouses for p in provinces} | set(view["assets"]["lanes"]))
    return {
        "event": view,
        "horizon_ns": exposure.horizon_ns,
        "totals": totals,
        "by_channel": [
            {"channel": c, **v} for c, v in sorted(by_channel.items(), key=lambda kv: -kv[1]["money_fen"])
        ],
        "by_region": sorted(
            ({"province": _province(p), **v} for p, v in by_region.items()), key=lambda v: -v["money_fen"]
        ),
        "by_warehouse": sorted(
            ({"warehouse_id": w, **v} for w, v in by_warehouse.items()), key=lambda v: -v["money_fen"]
        ),
        "warehouses": [
            {
                "id": w,
                "name": cat[w].name if w in cat else w,
                "lat": cat[w].lat if w in cat else None,
                "lng": cat[w].lng if w in cat else None,
            }
            for w in sorted(warehouses)
        ],
        "carriers": sorted(carriers),
        "lanes": lanes,
        "orders": orders,
        "scan_ms": round((time.perf_counter() - started) * 1000, 1),
    }


def scan(app: Ordo, event_id: str, *, limit: int = LIST_LIMIT) -> dict[str, Any]:
    """The exposure of one event now (an ended event exposes nothing)."""
    now = app.clock.now_ns()
    with app.store.uow(read_only=True) as uow:
        row = uow.risk.event(event_id)
        if row is None:
            raise NotFound(
                f"no risk event {event_id} / 风险事件 {event_id} 不存在", details={"event_id": event_id}
            )
        return scan_row(uow, row, now, limit)


def radar(app: Ordo) -> dict[str, Any]:
    """Every live event with its totals, and every warehouse with its place, for the map."""
    now = app.clock.now_ns()
    with app.store.uow(read_only=True) as uow:
        rows = uow.risk.events(live_only=True, limit=50)
        events = []
        for row in rows:
            got = scan_row(uow, row, now, limit=0)
            events.append({**got["event"], "totals": got["totals"], "outline": _outline(app, row)})
        warehouses = [
            {"id": w.id, "name": w.name, "lat": w.lat, "lng": w.lng, "active": w.active}
            for w in uow.catalog.warehouses()
        ]
    return {"events": events, "warehouses": warehouses, "at_ns": now}


def _outline(app: Ordo, row: dict[str, Any]) -> list[list[float]]:
    ev = event_of(row)
    return outline(ev.area, app.divisions) if ev.area is not None else []
