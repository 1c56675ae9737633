"""The merge window (合单等待): orders a rule held for the customer's others go out together.

A rule such as ``同一买家 同一地址 的 订单 合单 等待 30 分钟`` holds each order it fires on,
unrouted, with the code ``merge_window:<release at>`` (intake sets it, never on a sealed
order: ``ordo.domain.orders.consolidation.SEALING_TAGS``). :func:`release_due`, a step of
the upkeep duty, lets the held orders go once a window ends, a customer and one door at a
time (the window is counted from the group's first order, so none waits longer than its
rule said):

1. the oldest order of the group is routed: that is the shipment's one routing decision
   (warehouse and carrier);
2. the others are routed to the same warehouse and carrier (a warehouse that cannot ship
   one of them lets that one route on its own, and it ships alone);
3. those at the warehouse become one parcel (``service.orders.parcels.merge_parcel``:
   ``order.parcel_merged`` for each, by ``rule:merge_window``).

Each platform order keeps its id, its lines and its own write-back; the parcel ties them
together for the warehouse. Every step is audited: ``order.released`` (by
``system:merge_window``), the routing attempts (trigger ``merge_window``) and the merge.
Time is the injected clock's. It never merges a sealed order, nor one that left the
warehouse's hands (the consolidation rules refuse it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ordo.domain import events as ev
from ordo.domain.errors import Conflict, LifecycleViolation, NotFound, ValidationError
from ordo.domain.events import Event
from ordo.domain.orders.consolidation import OpenOrder
from ordo.domain.orders.holds import HoldReason, merge_until
from ordo.service.orders.parcels import merge_parcel
from ordo.service.ports import OrderRecord, OrderSummary, Progress, UnitOfWork
from ordo.service.routing.decisions import reroute
from ordo.service.runtime.app import Ordo

__all__ = ["ACTOR", "TRIGGER", "MergeRound", "release_due"]

log = logging.getLogger(__name__)
#: What one order may meet on its way out (closed, changed, gone) without stopping the round.
_REFUSALS = (Conflict, LifecycleViolation, NotFound, ValidationError)
#: Who releases and merges, in events and on the parcel.
ACTOR = "system:merge_window"
BY = "rule:merge_window"
#: The routing trigger of the attempts a window's end causes.
TRIGGER = "merge_window"
#: Held orders read per page, and the most pages a round reads (ids run newest first, so a
#: round reads them all up to this bound, the oldest, due first, included).
PAGE = 5_000
MAX_PAGES = 40
_PREFIX = f"{HoldReason.MERGE}:"


@dataclass
class MergeRound:
    """What one round did: parcels made, orders that went alone, orders refused (id → code)."""

    parcels: list[dict[str, Any]] = field(default_factory=list)
    alone: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def release_due(app: Ordo) -> MergeRound:
    """Release (and merge) every group of merge-held orders whose window has ended."""
    now = app.clock.now_ns()
    with app.store.uow(read_only=True) as uow:
        held = _all_held(uow)
        until = {r["id"]: merge_until(r["hold_reason"]) for r in held}
        if not any(u is not None and u <= now for u in until.values()):
            return MergeRound()
        orders = uow.parcels.orders(list(until))
    out = MergeRound()
    for group in _groups(orders):
        due = min(until.get(o.id) or now for o in group)
        if due <= now:
            _release(app, group, out)
    return out


def _all_held(uow: UnitOfWork) -> list[OrderSummary]:
    out: list[OrderSummary] = []
    after: str | None = None
    for _ in range(MAX_PAGES):
        page = uow.holds.held(prefix=_PREFIX, limit=PAGE, after_id=after)
        out += page
        if len(page) < PAGE:
            break
        after = page[-1]["id"]
    return out


def _groups(orders: Sequence[OpenOrder]) -> list[list[OpenOrder]]:
    """One customer's orders to one door, oldest first; an order without a customer alone."""
    by_door: dict[tuple[str, str], list[OpenOrder]] = {}
    lone: list[list[OpenOrder]] = []
    for o in orders:
        if o.customer_id:
            by_door.setdefault((o.customer_id, o.address), []).append(o)
        else:
            lone.append([o])
    groups = list(by_door.values()) + lone
    for g in groups:
        g.sort(key=lambda o: (o.placed_at_ns, o.id))
    return groups


def _release(app: Ordo, group: list[OpenOrder], out: MergeRound) -> None:
    first, rest = group[0], group[1:]
    try:
        lead = _route(app, first.id, len(group))
    except _REFUSALS as exc:  # cancelled or changed since it was read: the others still go
        out.refused[first.id] = exc.code
        lead = None
    warehouse = lead["warehouse_ids"][0] if lead and lead["warehouse_ids"] else None
    carrier = lead["carrier_ids"][0] if lead and lead["carrier_ids"] else None
    together = [first.id] if warehouse else []
    for o in rest:
        try:
            got = _route(app, o.id, len(group), force=warehouse, carrier=carrier)
            if warehouse is not None and got["warehouse_ids"][:1] != [warehouse]:
                # The lead's warehouse cannot ship it: routed on its own, it ships alone.
                got = reroute(app, o.id, reason=_REASON, trigger=TRIGGER)
                out.alone.append(o.id)
            elif warehouse is not None:
                together.append(o.id)
            else:
                out.alone.append(o.id)
        except _REFUSALS as exc:
            out.refused[o.id] = exc.code
    if len(together) > 1:
        try:
            out.parcels.append(merge_parcel(app, together, by=BY))
        except LifecycleViolation as exc:  # e.g. one was sealed by hand meanwhile
            out.refused.update({oid: exc.code for oid in together})
            log.info("merge window: %s not merged (%s)", together, exc.code)
    elif together:
        out.alone.extend(together)


_REASON = "merge window ended / 合单等待结束"


def _route(
    app: Ordo, order_id: str, size: int, *, force: str | None = None, carrier: str | None = None
) -> dict[str, Any]:
    """Clear the order's merge hold (checked under lock) and route it, in one transaction."""

    def before(uow: UnitOfWork, order: OrderRecord, progress: Progress, now: int) -> OrderRecord:
        was = order["hold_reason"]
        if merge_until(was) is None:
            raise Conflict(
                f"order {order_id} is no longer held for a merge / 订单已不在合单等待中",
                details={"order_id": order_id, "hold_reason": was},
            )
        uow.holds.set_hold([order_id], None, now)
        uow.holds.set_watch_hold([order_id], None)
        payload = {"previous_hold": was, "by": ACTOR, "note": _REASON, "warehouse_id": None,
                   "routed_now": True, "group_size": size}  # fmt: skip
        uow.outbox.append([Event(ev.ORDER_RELEASED, order_id, now, payload, channel=order["channel"])])
        return {**order, "hold_reason": None}

    return reroute(
        app, order_id, reason=_REASON, trigger=TRIGGER, before=before, force=force, carrier=carrier
    )
