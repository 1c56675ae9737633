"""Read-side use cases: one order, a page of orders, a timeline, stock, warehouses.

Each opens a read-only unit of work and returns typed rows (``TypedDict``: plain dicts
and lists at run time), so the API, the CLI and the dashboard render the same answers.
Nothing here writes, and nothing here masks personal data: who may see what is the
caller's decision.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Literal, TypedDict

from ordo.domain.orders.milestones import MILESTONE_LABELS, Milestone
from ordo.domain.orders.model import Stock, Warehouse
from ordo.service.orders.regions import region_filter
from ordo.service.ports import AnomalyRecord, OrderFilter, OrderRecord, OrderSummary
from ordo.service.runtime.app import Ordo

#: Tie-break for timeline entries at the same instant: what was reported, then what Ordo did.
_KIND_ORDER = {"milestone": 0, "anomaly": 1, "event": 2}


class Label(TypedDict):
    en: str
    zh: str


class MilestoneEntry(TypedDict):
    kind: Literal["milestone"]
    at_ns: int
    milestone: str
    number: int | None
    label: Label
    source: str
    recorded_at_ns: int


class AnomalyEntry(AnomalyRecord):
    kind: Literal["anomaly"]


class EventEntry(TypedDict):
    kind: Literal["event"]
    at_ns: int
    event_id: int
    type: str
    payload: Any


TimelineEntry = MilestoneEntry | AnomalyEntry | EventEntry


class Timeline(TypedDict):
    """An order's milestones, anomalies and events, merged in time order."""

    order_id: str
    status: str
    entries: list[TimelineEntry]


class WarehouseView(TypedDict):
    id: str
    name: str
    province: str
    city: str
    adcode: str
    lat: float
    lng: float
    klass: str
    capabilities: list[str]
    daily_capacity: int
    active: bool


class StockLevel(TypedDict):
    warehouse_id: str
    sku: str
    on_hand: int
    reserved: int
    safety: int
    available: int
    #: On hand less reserved is at or below the safety stock.
    low: bool


def order_exists(app: Ordo, order_id: str) -> bool:
    # Not ``progress()``: that locks the row on PostgreSQL, which a mere look need not.
    return get_order(app, order_id) is not None


def get_order(app: Ordo, order_id: str) -> OrderRecord | None:
    with app.store.uow(read_only=True) as uow:
        return uow.orders.get(order_id)


def search_orders(
    app: Ordo, f: OrderFilter, *, after_id: str | None, limit: int
) -> tuple[list[OrderSummary], str | None]:
    """One page, newest first, and the id to continue after (None on the last page).

    ``f.province`` is what the user typed (``广东``, ``广东省``, ``广州``, ``44``): it becomes
    the filter's region (422 on ``province`` when it names no place)."""
    if f.province is not None:
        f = replace(f, province=None, region=region_filter(app, f.province))
    with app.store.uow(read_only=True) as uow:
        # One row more than asked tells whether another page exists without a count.
        rows = uow.orders.search(f, after_id=after_id, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["id"] if more and rows else None)


def timeline(app: Ordo, order_id: str) -> Timeline | None:
    """Milestones, anomalies and events of one order, merged in time order."""
    with app.store.uow(read_only=True) as uow:
        order = uow.orders.get(order_id)
        if order is None:
            return None
        anomalies = uow.orders.anomalies(order_id)
        events = uow.outbox.for_order(order_id)
    entries: list[TimelineEntry] = []
    for m in order["milestones"]:
        step = Milestone(m["milestone"])
        en, zh = MILESTONE_LABELS[step]
        entries.append(
            {
                "kind": "milestone",
                "at_ns": m["at_ns"],
                "milestone": step.value,
                "number": step.number,
                "label": {"en": en, "zh": zh},
                "source": m["source"],
                "recorded_at_ns": m["recorded_at_ns"],
            }
        )
    entries.extend(AnomalyEntry(kind="anomaly", **a) for a in anomalies)
    entries.extend(
        EventEntry(
            kind="event",
            at_ns=e["at_ns"],
            event_id=e["id"],
            type=e["type"],
            payload=e["payload"],
        )
        for e in events
    )
    # sort is stable: milestones keep the store's lifecycle order among equal times.
    entries.sort(key=lambda e: (e["at_ns"], _KIND_ORDER[e["kind"]]))
    return {"order_id": order_id, "status": order["status"], "entries": entries}


def warehouses(app: Ordo) -> list[WarehouseView]:
    with app.store.uow(read_only=True) as uow:
        found = uow.catalog.warehouses()
    return [_warehouse(w) for w in found]


def _warehouse(w: Warehouse) -> WarehouseView:
    return {
        "id": w.id,
        "name": w.name,
        "province": w.province,
        "city": w.city,
        "adcode": w.adcode,
        "lat": w.lat,
        "lng": w.lng,
        "klass": w.klass.value,
        "capabilities": sorted(w.capabilities),
        "daily_capacity": w.daily_capacity,
        "active": w.active,
    }


def inventory(
    app: Ordo,
    *,
    warehouse_id: str | None,
    sku: str | None,
    low_only: bool,
    after: tuple[str, str] | None,
    limit: int,
) -> tuple[list[StockLevel], tuple[str, str] | None]:
    """One page of stock levels in (warehouse, SKU) order, and the key to continue after."""
    with app.store.uow(read_only=True) as uow:
        rows = uow.stock.query(
            warehouse_id=warehouse_id, sku=sku, low_only=low_only, after=after, limit=limit + 1
        )
    more = len(rows) > limit
    rows = rows[:limit]
    last = (rows[-1].warehouse_id, rows[-1].sku) if more and rows else None
    return [_stock(s) for s in rows], last


def _stock(s: Stock) -> StockLevel:
    return {
        "warehouse_id": s.warehouse_id,
        "sku": s.sku,
        "on_hand": s.on_hand,
        "reserved": s.reserved,
        "safety": s.safety,
        "available": s.available,
        "low": s.on_hand - s.reserved <= s.safety,
    }


def ping(app: Ordo) -> str:
    """Round-trip to the store; returns its dialect name. Raises StoreError if it is down."""
    with app.store.uow(read_only=True) as uow:
        uow.ping()
    return app.store.dialect
