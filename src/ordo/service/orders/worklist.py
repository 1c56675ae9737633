"""The order workbench: search with true totals, the order page, bulk actions with a result
per order, saved views.

Searches use the store's indexes (platform order number, phone by its keyed hash, recipient,
SKU); the total is counted up to :data:`COUNT_CAP` (then shown as ``10000+``), so no count
scans a million rows. Bulk actions call the same use cases as the single-order routes (holds, release,
re-route) and never stop at the first failure: each order gets its own outcome.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from ordo.domain.errors import NotFound, OrdoError, ValidationError
from ordo.domain.events import ORDER_CARRIER_SWITCHED, Event
from ordo.domain.orders.holds import HoldReason, hold_kind
from ordo.domain.orders.milestones import MILESTONE_LABELS, Milestone
from ordo.domain.orders.model import LineFlag
from ordo.service.customers.identity import phone_key_of
from ordo.service.events.projector import catch_up
from ordo.service.orders import holds
from ordo.service.orders.regions import region_filter
from ordo.service.ports import OrderSummary, WorkFilter
from ordo.service.routing.decisions import reroute
from ordo.service.runtime.app import Ordo

#: A count stops here: past it the list says "10000+".
COUNT_CAP = 10_000
#: Orders one bulk call may act on.
MAX_BULK = 500
#: Rows one export may hold.
MAX_EXPORT = 200_000
#: Named views one person may keep.
MAX_VIEWS = 50
BULK_ACTIONS = ("approve", "hold", "release", "change_warehouse", "change_carrier")
_SELLER = "[卖家备注 seller] "
_OVER = frozenset({Milestone.CANCELLED, Milestone.RETURN_REQUESTED, Milestone.RETURNED, Milestone.REFUNDED})
_CARRIER_STEPS = (Milestone.COLLECTED, Milestone.IN_TRANSIT, Milestone.OUT_FOR_DELIVERY, Milestone.DELIVERED)


def resolved(app: Ordo, f: WorkFilter) -> WorkFilter:
    """The filter with what the user typed as a place turned into a region (422 on
    ``province`` when it names none), a phone turned into its keyed hash (the store is never
    asked for a plaintext phone), and the tag index brought up to date."""
    if f.phone is not None:
        f = replace(f, phone=None, phone_key=phone_key_of(app, f.phone) or "")  # "": matches none
    if f.base.province is not None:
        f = replace(f, base=replace(f.base, province=None, region=region_filter(app, f.base.province)))
    if f.base.tag is not None:
        catch_up(app)
    return f


def search(
    app: Ordo, f: WorkFilter, *, after_id: str | None, limit: int, count: bool = True
) -> tuple[list[OrderSummary], str | None, int | None]:
    """One page newest first, the id to continue after, and the total (up to COUNT_CAP + 1;
    None when not asked)."""
    f = resolved(app, f)
    with app.store.uow(read_only=True) as uow:
        rows = uow.worklist.search(f, after_id=after_id, limit=limit + 1)
        total = uow.worklist.count(f, COUNT_CAP) if count else None
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1]["id"] if more and rows else None), total


def pages(
    app: Ordo, f: WorkFilter, columns: Sequence[str], *, limit: int, chunk: int = 5_000
) -> Iterator[list[tuple[Any, ...]]]:
    """Every matching order newest first as tuples of ``columns`` (``id`` first), in chunks
    (an export's reads), at most ``limit``."""
    if not columns or columns[0] != "id":
        raise ValueError("the first column must be id (the page key)")
    f = resolved(app, f)
    after: str | None = None
    left = limit
    while left > 0:
        with app.store.uow(read_only=True) as uow:
            rows = uow.worklist.rows(f, columns, after_id=after, limit=min(chunk, left))
        if not rows:
            return
        yield rows
        left -= len(rows)
        after = rows[-1][0]


def count(app: Ordo, f: WorkFilter, cap: int) -> int:
    f = resolved(app, f)
    with app.store.uow(read_only=True) as uow:
        return uow.worklist.count(f, cap)


# -- the order page ---------------------------------------------------------------------
def _remarks(remark: str) -> tuple[str, str]:
    """(buyer, seller): channels store the seller's note after a marker in ``remark``."""
    if _SELLER in remark:
        buyer, _, seller = remark.partition(_SELLER)
        return buyer.strip(), seller.strip()
    return remark.strip(), ""


def detail(app: Ordo, order_id: str) -> dict[str, Any] | None:
    """Everything the order page shows: the order, lines with product names, parcels with
    warehouse and carrier names, waybill and trace, remarks, the promise, milestones in time
    order with their source, and who did what (events naming a person)."""
    with app.store.uow(read_only=True) as uow:
        order = uow.orders.get(order_id)
        if order is None:
            return None
        names = uow.worklist.sku_names([ln["sku"] for ln in order["lines"]])
        warehouses = {w.id: w.name for w in uow.catalog.warehouses()}
        carriers = {c.id: c.name for c in uow.catalog.carriers()}
        attempts = uow.routing.attempts(order_id)
        watch = uow.incidents.watches([order_id]).get(order_id)
        events = uow.outbox.for_order(order_id)
        actors = {
            str(e["payload"].get("by") or e["payload"].get("actor") or "")
            for e in events
            if isinstance(e["payload"], dict)
        }
        actors |= {m["source"] for m in order["milestones"]}
        people = uow.people.names(sorted(a for a in actors if a))
    lines = [
        {
            **ln,
            "name": names.get(ln["sku"], ""),
            "gift": LineFlag.GIFT.value in ln["flags"],
            "amount_fen": ln["quantity"] * ln["unit_price_fen"] - ln["discount_fen"],
        }
        for ln in order["lines"]
    ]
    notes = {
        e["payload"].get("milestone"): e["payload"].get("note") or ""
        for e in events
        if e["type"] == "order.milestone_recorded" and isinstance(e["payload"], dict)
    }
    last = attempts[-1] if attempts else None
    routed_carriers = (last["carrier_ids"] or "").split(",") if last else []
    booked = _booked(events, watch.carrier if watch else None)
    if booked and routed_carriers:
        routed_carriers[0] = booked  # booked since routing (a switch)
    routed_warehouses = (last["warehouse_ids"] or "").split(",") if last else []
    reached = {m["milestone"]: m for m in order["milestones"]}
    collected_by = next(
        (
            reached[s.value]["source"]
            for s in _CARRIER_STEPS
            if s.value in reached and reached[s.value]["source"] in carriers
        ),
        None,
    )
    trace = [
        {
            "milestone": s.value,
            "label": _label(s),
            "at_ns": reached[s.value]["at_ns"],
            "source": reached[s.value]["source"],
        }
        for s in _CARRIER_STEPS
        if s.value in reached
    ]
    by_no = {ln["line_no"]: ln for ln in lines}
    parcels = []
    for n, p in enumerate(order["parcels"]):
        wh = p["warehouse_id"]
        k = routed_warehouses.index(wh) if wh in routed_warehouses else n
        carrier = (
            collected_by
            if collected_by and n == 0
            else (routed_carriers[k] if k < len(routed_carriers) else "")
        )
        parcels.append(
            {
                **p,
                "warehouse_name": warehouses.get(wh, wh),
                # What the parcel carries: a line split by units shows each part's quantity.
                "items": [
                    {"sku": by_no[i]["sku"], "name": by_no[i]["name"], "quantity": by_no[i]["quantity"]}
                    for i in p["lines"]
                    if i in by_no
                ],
                "carrier_id": carrier or None,
                "carrier_name": carriers.get(carrier, carrier) if carrier else None,
                "waybill": (notes.get(Milestone.WAYBILL_ISSUED.value) or None) if n == 0 else None,
                "trace": trace if n == 0 else [],
            }
        )
    milestones = [
        {**m, "label": _label(Milestone(m["milestone"])), "source_name": people.get(m["source"], m["source"])}
        for m in order["milestones"]
    ]
    audit = []
    for e in events:
        payload = e["payload"] if isinstance(e["payload"], dict) else {}
        who = str(payload.get("by") or payload.get("actor") or "")
        if not who:
            continue
        audit.append(
            {
                "at_ns": e["at_ns"],
                "type": e["type"],
                "by": who,
                "by_name": people.get(who, who),
                "reason": str(payload.get("reason") or payload.get("note") or ""),
            }
        )
    buyer, seller = _remarks(order["remark"])
    return {
        **order,
        "warehouse_name": warehouses.get(order["warehouse_id"] or ""),
        "lines": lines,
        "parcels": parcels,
        "milestones": milestones,
        "buyer_remark": buyer,
        "seller_remark": seller,
        "audit": audit,
        "hold_kind": hold_kind(order["hold_reason"]),
    }


def _label(step: Milestone) -> dict[str, str]:
    en, zh = MILESTONE_LABELS[step]
    return {"en": en, "zh": zh}


# -- bulk actions -----------------------------------------------------------------------
def _failed(order_id: str, exc: OrdoError) -> dict[str, Any]:
    return {"order_id": order_id, "outcome": "failed", "error": exc.as_dict()}


def bulk(
    app: Ordo,
    action: str,
    order_ids: Sequence[str],
    *,
    actor: str,
    reason: str = "",
    warehouse_id: str | None = None,
    carrier_id: str | None = None,
) -> list[dict[str, Any]]:
    """Act on each order; one result per distinct id in the order given, failures included."""
    ids = list(dict.fromkeys(order_ids))
    if action not in BULK_ACTIONS:
        raise ValidationError(
            "action", f"unknown action {action!r} / 未知操作", details={"allowed": list(BULK_ACTIONS)}
        )
    if not ids:
        raise ValidationError("order_ids", "at least one order is required / 至少需要一个订单")
    if len(ids) > MAX_BULK:
        raise ValidationError("order_ids", f"more than {MAX_BULK} orders / 订单超过 {MAX_BULK} 个")
    if action == "hold":
        text = reason.strip() or "bulk hold / 批量挂起"
        return [
            {
                "order_id": o.order_id,
                "outcome": o.outcome,
                "hold_reason": o.hold_reason,
                **({"error": o.error.as_dict()} if o.error else {}),
            }
            for o in holds.hold(app, ids, reason=text, actor=actor)
        ]
    if action == "change_warehouse":
        return _change_warehouse(app, ids, actor=actor, reason=reason, warehouse_id=warehouse_id)
    if action == "change_carrier":
        return _change_carrier(app, ids, actor=actor, reason=reason, carrier_id=carrier_id)
    out: list[dict[str, Any]] = []
    for oid in ids:
        try:
            if action == "approve":
                found = holds.read_order(app, oid)
                if hold_kind(found["hold_reason"]) != HoldReason.REVIEW.kind:
                    out.append({"order_id": oid, "outcome": "skipped", "hold_reason": found["hold_reason"]})
                    continue
            done = holds.release(app, oid, actor=actor, note=reason or "bulk / 批量")
            outcome = "approved" if action == "approve" else "released"
            wh, held = done["warehouse_id"], done["hold_reason"]
            out.append({"order_id": oid, "outcome": outcome, "warehouse_id": wh, "hold_reason": held})
        except OrdoError as exc:
            out.append(_failed(oid, exc))
    return out


def _change_warehouse(
    app: Ordo, ids: list[str], *, actor: str, reason: str, warehouse_id: str | None
) -> list[dict[str, Any]]:
    """Re-route through the router with every other warehouse excluded: the router still
    checks stock, capability and coverage, so an order it cannot serve there says why."""
    with app.store.uow(read_only=True) as uow:
        known = [w.id for w in uow.catalog.warehouses()]
    if not warehouse_id or warehouse_id not in known:
        raise ValidationError(
            "warehouse_id", "unknown warehouse / 仓库不存在", details={"warehouse_id": warehouse_id}
        )
    others = [w for w in known if w != warehouse_id]
    out: list[dict[str, Any]] = []
    for oid in ids:
        short = _short_at(app, oid, warehouse_id)
        if short is not None:
            out.append(short)
            continue
        try:
            got = reroute(
                app, oid, reason=reason or f"moved to {warehouse_id} by {actor} / 改仓", exclude=others
            )
            moved = warehouse_id in (got.get("warehouse_ids") or [])
            out.append({"order_id": oid, "outcome": "moved" if moved else "not_moved",
                        "warehouse_ids": got.get("warehouse_ids"), "status": got.get("status")})  # fmt: skip
        except NotFound as exc:
            out.append({"order_id": oid, "outcome": "not_found", "error": exc.as_dict()})
        except OrdoError as exc:
            out.append(_failed(oid, exc))
    return out


def _short_at(app: Ordo, order_id: str, warehouse_id: str) -> dict[str, Any] | None:
    """Why an order cannot move to ``warehouse_id`` before anything is touched (unknown, already
    there, stock short there), else None: a refused move leaves the order as it was, where a
    re-route that found nothing would leave it unrouted."""
    with app.store.uow(read_only=True) as uow:
        order = uow.orders.get(order_id)
        if order is None:
            return {"order_id": order_id, "outcome": "not_found"}
        if order["warehouse_id"] == warehouse_id:
            return {"order_id": order_id, "outcome": "unchanged", "warehouse_ids": [warehouse_id]}
        need: dict[str, int] = {}
        for ln in order["lines"]:
            need[ln["sku"]] = need.get(ln["sku"], 0) + ln["quantity"]
        levels = uow.stock.get([(warehouse_id, sku) for sku in need])
    short = sorted(
        sku for sku, q in need.items() if (s := levels.get((warehouse_id, sku))) is None or s.available < q
    )
    if not short:
        return None
    error = ValidationError(
        "warehouse_id",
        f"{warehouse_id} lacks stock of {', '.join(short)} / {warehouse_id} 库存不足：{'、'.join(short)}",
        details={"warehouse_id": warehouse_id, "skus": short},
    )
    return {"order_id": order_id, "outcome": "refused", "error": error.as_dict()}


def carriers(app: Ordo) -> list[dict[str, str]]:
    """The catalog's carriers (id and name: 顺丰, 京东物流, 极兔 …), for choosing one."""
    with app.store.uow(read_only=True) as uow:
        return [{"id": c.id, "name": c.name} for c in uow.catalog.carriers()]


def _booked(events: Sequence[dict[str, Any]], watched: str | None) -> str | None:
    """The carrier booked by the latest switch (an event), else the scan's watch, else None."""
    for e in reversed(events):
        if e["type"] == ORDER_CARRIER_SWITCHED and isinstance(e["payload"], dict) and e["payload"].get("to"):
            return str(e["payload"]["to"])
    return watched


def _change_carrier(
    app: Ordo, ids: list[str], *, actor: str, reason: str, carrier_id: str | None
) -> list[dict[str, Any]]:
    """Book another carrier for orders no carrier has collected yet: the booking the incident
    scan checks collections against (its watch row), and ``order.carrier_switched`` for the
    warehouse and carrier adapters (the same event the switch_carrier playbook step emits)."""
    with app.store.uow(read_only=True) as uow:
        known = {c.id: c.name for c in uow.catalog.carriers()}
    if not carrier_id or carrier_id not in known:
        raise ValidationError(
            "carrier_id", "unknown carrier / 承运商不存在", details={"carrier_id": carrier_id}
        )
    out: list[dict[str, Any]] = []
    for oid in ids:

        def work(oid: str = oid) -> dict[str, Any]:
            now = app.clock.now_ns()
            with app.store.uow() as uow:
                p = uow.orders.progress([oid]).get(oid)
                if p is None:
                    return {"order_id": oid, "outcome": "not_found"}
                if Milestone.COLLECTED in p.steps or p.steps & _OVER:
                    error = ValidationError(
                        "order_ids",
                        f"{oid} was collected or is over / 订单已揽收或已结束",
                        details={"order_id": oid},
                    )
                    return {"order_id": oid, "outcome": "refused", "error": error.as_dict()}
                watch = uow.incidents.watches([oid]).get(oid)
                attempts = uow.routing.attempts(oid)
                routed = (attempts[-1]["carrier_ids"] or "").split(",")[0] if attempts else ""
                booked = _booked(uow.outbox.for_order(oid), watch.carrier if watch else None)
                current = booked or routed or None
                if current == carrier_id:
                    return {"order_id": oid, "outcome": "unchanged", "carrier_id": carrier_id}
                if watch is not None:
                    watch.carrier = carrier_id
                    uow.incidents.save_watches([watch])
                payload = {"from": current, "to": carrier_id, "by": actor, "reason": reason}
                uow.outbox.append([Event(ORDER_CARRIER_SWITCHED, oid, now, payload, channel=p.channel)])
                uow.commit()
            return {"order_id": oid, "outcome": "switched", "carrier_id": carrier_id, "from": current}

        out.append(app.retrying(work))
    app.notifier.notify()
    return out


# -- saved views ------------------------------------------------------------------------
def views(app: Ordo, owner: str) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return uow.worklist.views(owner)


def save_view(app: Ordo, owner: str, name: str, query: dict[str, str]) -> None:
    name = name.strip()
    if not name or len(name) > 64:
        raise ValidationError("name", "a view needs a name of 1 to 64 characters / 视图名称需 1–64 个字符")
    now = app.clock.now_ns()
    with app.store.uow() as uow:
        mine = uow.worklist.views(owner)
        if len(mine) >= MAX_VIEWS and name not in {v["name"] for v in mine}:
            raise ValidationError("name", f"at most {MAX_VIEWS} views / 最多 {MAX_VIEWS} 个视图")
        uow.worklist.save_view(owner, name, query, now)
        uow.commit()


def delete_view(app: Ordo, owner: str, name: str) -> bool:
    with app.store.uow() as uow:
        done = uow.worklist.delete_view(owner, name)
        uow.commit()
    return done
