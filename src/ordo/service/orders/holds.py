"""Holding orders by hand and letting held orders go.

Owns the operator's side of ``orders.hold_reason`` (intake sets it; the codes are
``ordo.domain.orders.holds.HoldReason``):

* :func:`hold` – stop orders before they leave, one or a batch (an ops lead stopping a
  channel): the hold is ``manual:<reason>``; a held order keeps its warehouse and its
  reservation unless ``release_stock`` asks to free them;
* :func:`release` – let a review or manual hold go: an order with a warehouse keeps it,
  one without is routed now through ``service.routing``; letting a review hold go is the
  ``reviewed`` milestone. An address hold goes only by correcting the address
  (``service.address_fix``), a stock hold by a re-route once stock is there.

Each writes its event (``order.held``, ``order.released``) in the transaction of its
change. Holding an order already released to its warehouse (but not yet left) also asks
the warehouse to stop it: an ``order.intercept_requested`` event for the subscribers
(the WMS / carrier adapters) and an intercept in state ``requested`` on the order, which
the warehouse's answer through the status-update API (拦截成功 / 拦截失败) settles
(``service.orders.status_updates``). It never touches an order whose goods left or that
is closed (a bilingual 409) and never routes by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from ordo.domain import events as ev
from ordo.domain.errors import LifecycleViolation, NotFound, ValidationError
from ordo.domain.events import Event
from ordo.domain.orders.holds import RELEASABLE, HoldReason, hold_kind, manual_hold
from ordo.domain.orders.milestones import LEFT_WAREHOUSE, MILESTONES, Milestone, MilestoneUpdate
from ordo.service.orders.milestones import record_updates
from ordo.service.orders.regions import region_filter
from ordo.service.ports import Delta, OrderRecord, OrderSummary, Progress, UnitOfWork
from ordo.service.ports.orders import InterceptRecord
from ordo.service.routing.decisions import route_held
from ordo.service.runtime.app import Ordo

#: The routing trigger of the attempt a release causes.
RELEASE = "release"
MAX_BATCH = 1_000
MAX_REASON = 200
#: Side states after which an order is over: nothing may hold, release or re-address it.
_RELEASED = Milestone.RELEASED_TO_WAREHOUSE.number
_CLOSED = frozenset({Milestone.CANCELLED, Milestone.RETURN_REQUESTED, Milestone.RETURNED, Milestone.REFUNDED})


@dataclass(frozen=True, slots=True)
class HoldOutcome:
    """What :func:`hold` did to one order: held, already_held, refused or not_found."""

    order_id: str
    outcome: str
    hold_reason: str | None = None
    warehouse_id: str | None = None
    error: LifecycleViolation | None = None
    #: ``requested`` when the warehouse already had the order and was asked to intercept it.
    intercept: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "order_id": self.order_id,
            "outcome": self.outcome,
            "hold_reason": self.hold_reason,
            "warehouse_id": self.warehouse_id,
            "intercept": self.intercept,
        }
        if self.error is not None:
            out["error"] = self.error.as_dict()
        return out


def check_open(order_id: str, steps: set[Milestone], en: str, zh: str) -> None:
    """Refuse (409) an order whose goods left the warehouse or that is over."""
    left = sorted(m.value for m in LEFT_WAREHOUSE & steps)
    if left:
        raise LifecycleViolation(
            "already_shipped",
            f"order {order_id} has left the warehouse ({', '.join(left)}); it cannot be {en} "
            f"/ 订单已出库，不能{zh}",
            order_id=order_id,
            milestones=left,
        )
    closed = sorted(m.value for m in _CLOSED & steps)
    if closed:
        raise LifecycleViolation(
            "order_closed",
            f"order {order_id} is closed ({', '.join(closed)}); it cannot be {en} / 订单已关闭，不能{zh}",
            order_id=order_id,
            milestones=closed,
        )


def not_found(order_id: str) -> NotFound:
    return NotFound(f"no order {order_id} / 订单 {order_id} 不存在", details={"order_id": order_id})


class Released(TypedDict):
    """What :func:`release` did: the hold it let go, where the order ships from now."""

    order_id: str
    outcome: str
    previous_hold: str | None
    warehouse_id: str | None
    #: ``no_stock`` when routing found no stock after all (else None).
    hold_reason: str | None
    #: The routing attempt the release caused (None: the order kept its warehouse).
    routing_attempt: int | None


def locked_order(uow: UnitOfWork, order_id: str) -> tuple[OrderRecord, Progress]:
    """The order and its progress, read inside the writing transaction (404 if there is none)."""
    progress = uow.orders.progress([order_id]).get(order_id)
    order = uow.orders.get(order_id)
    if progress is None or order is None:
        raise not_found(order_id)
    return order, progress


def read_order(app: Ordo, order_id: str) -> OrderRecord:
    """The order as stored (unlocked: for the checks before a transaction re-checks them)."""
    with app.store.uow(read_only=True) as uow:
        order = uow.orders.get(order_id)
    if order is None:
        raise not_found(order_id)
    return order


def steps_of(order: OrderRecord) -> set[Milestone]:
    return {Milestone(m["milestone"]) for m in order["milestones"]}


def _clean_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise ValidationError("reason", "a reason is required / 请填写原因")
    if len(text) > MAX_REASON:
        raise ValidationError("reason", f"longer than {MAX_REASON} characters / 超过 {MAX_REASON} 个字符")
    return text


# -- hold ----------------------------------------------------------------------------
def hold(
    app: Ordo, order_ids: Sequence[str], *, reason: str, actor: str, release_stock: bool = False
) -> list[HoldOutcome]:
    """Hold orders before they leave; one outcome per distinct id, in the order given."""
    ids = list(dict.fromkeys(order_ids))
    if not ids:
        raise ValidationError("order_ids", "at least one order is required / 至少需要一个订单")
    if len(ids) > MAX_BATCH:
        raise ValidationError("order_ids", f"more than {MAX_BATCH} orders / 订单超过 {MAX_BATCH} 个")
    text = _clean_reason(reason)
    code = manual_hold(text)

    def work() -> list[HoldOutcome]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            progress = uow.orders.progress(ids)  # locked on PostgreSQL
            holds = uow.holds
            current = holds.current(progress)
            out: list[HoldOutcome] = []
            held: list[Progress] = []
            for oid in ids:
                p = progress.get(oid)
                if p is None:
                    out.append(HoldOutcome(oid, "not_found"))
                    continue
                try:
                    check_open(oid, p.steps, "held", "挂起")
                except LifecycleViolation as exc:
                    out.append(HoldOutcome(oid, "refused", current[oid], p.warehouse_id, exc))
                    continue
                if current[oid]:
                    out.append(HoldOutcome(oid, "already_held", current[oid], p.warehouse_id))
                    continue
                held.append(p)
            freed = [p.order_id for p in held if release_stock and p.warehouse_id]
            if freed:
                lines = uow.orders.stock_lines(freed)
                uow.stock.release(Delta(w, sku, q) for oid in freed for w, sku, q in lines.get(oid, ()))
                for oid in freed:
                    uow.routing.set_plan(oid, None, code, now)
            holds.set_hold([p.order_id for p in held if p.order_id not in freed], code, now)
            holds.set_watch_hold([p.order_id for p in held], code)
            steps = [MilestoneUpdate(p.order_id, Milestone.ON_HOLD, now, actor[:32], text) for p in held]
            record_updates(uow, steps, now, progress)
            uow.outbox.append(_held_events(held, set(freed), text, code, actor, now))
            stop = [p for p in held if Milestone.RELEASED_TO_WAREHOUSE in p.steps]
            holds.request_intercepts([(p.order_id, code) for p in stop], actor, now)
            uow.outbox.append(_intercept_events(stop, code, text, actor, now))
            uow.commit()
        stopped = {p.order_id for p in stop}
        for p in held:
            wh = None if p.order_id in freed else p.warehouse_id
            asked = "requested" if p.order_id in stopped else None
            out.append(HoldOutcome(p.order_id, "held", code, wh, intercept=asked))
        position = {oid: n for n, oid in enumerate(ids)}
        return sorted(out, key=lambda o: position[o.order_id])

    out = app.retrying(work)
    app.notifier.notify()
    return out


def _held_events(
    held: Sequence[Progress], freed: set[str], text: str, code: str, actor: str, now: int
) -> list[Event]:
    events: list[Event] = []
    for p in held:
        kept = p.warehouse_id if p.order_id not in freed else None
        stock = "released" if p.order_id in freed else "kept" if kept else "none"
        payload = {"reason": text, "hold_reason": code, "by": actor, "reservation": stock,
                   "warehouse_id": kept}  # fmt: skip
        events.append(Event(ev.ORDER_HELD, p.order_id, now, payload, channel=p.channel))
        if p.order_id in freed:  # it left its warehouse: what counts orders per warehouse must know
            moved: dict[str, Any] = {"from": p.warehouse_id, "to": None, "attempt": None, "trigger": "hold",
                                     "reason": text, "excluded": []}  # fmt: skip
            events.append(Event(ev.ORDER_REROUTED, p.order_id, now, moved, channel=p.channel))
    return events


def _intercept_events(stopped: Sequence[Progress], code: str, text: str, actor: str, now: int) -> list[Event]:
    """``order.intercept_requested`` for orders the warehouse already had: stop (拦截) them."""
    events: list[Event] = []
    for p in stopped:
        done = [m.value for m in MILESTONES if m in p.steps and m.number >= _RELEASED]
        payload = {
            "hold_reason": code,
            "reason": text,
            "by": actor,
            "warehouse_id": p.warehouse_id,
            "steps_done": done,
            "message": "order held after release: stop picking and shipping it / 订单已挂起，请拦截",
        }
        events.append(Event(ev.INTERCEPT_REQUESTED, p.order_id, now, payload, channel=p.channel))
    return events


# -- release -------------------------------------------------------------------------
def _releasable(order_id: str, steps: set[Milestone], hold_reason: str | None) -> str:
    """The kind of hold that may go now, or a 409 saying why not."""
    check_open(order_id, steps, "released", "放行")
    kind = hold_kind(hold_reason)
    if kind is None:
        raise LifecycleViolation(
            "not_held", f"order {order_id} is not held / 订单未被挂起", order_id=order_id
        )
    if kind == HoldReason.ADDRESS.kind:
        raise LifecycleViolation(
            "address_unresolved",
            f"order {order_id} waits for its address: correct the address first "
            "/ 订单地址无法识别，请先更正地址",
            order_id=order_id,
            hold_reason=hold_reason,
        )
    if kind not in RELEASABLE:
        raise LifecycleViolation(
            "waits_for_stock",
            f"order {order_id} waits for stock: re-route it once stock is there "
            "/ 订单缺货待分仓，到货后请改派",
            order_id=order_id,
            hold_reason=hold_reason,
        )
    return kind


def _let_go(
    uow: UnitOfWork, order: OrderRecord, progress: Progress, now: int, actor: str, note: str, routed: bool
) -> OrderRecord:
    """Clear a releasable hold (checked under lock) and record it; the order as it now is."""
    oid = progress.order_id
    was = order["hold_reason"]
    kind = _releasable(oid, progress.steps, was)
    uow.holds.set_hold([oid], None, now)
    uow.holds.set_watch_hold([oid], None)
    if kind == HoldReason.REVIEW.kind:  # a person looked at it and let it go: that is the review
        update = MilestoneUpdate(oid, Milestone.REVIEWED, now, actor[:32], note)
        record_updates(uow, [update], now, {oid: progress})
    payload = {"previous_hold": was, "by": actor, "note": note, "warehouse_id": order["warehouse_id"],
               "routed_now": routed}  # fmt: skip
    uow.outbox.append([Event(ev.ORDER_RELEASED, oid, now, payload, channel=order["channel"])])
    return {**order, "hold_reason": None}


def release(app: Ordo, order_id: str, *, actor: str, note: str = "") -> Released:
    """Let a review or manual hold go; routes the order now when it has no warehouse."""
    found = read_order(app, order_id)
    previous = found["hold_reason"]
    _releasable(order_id, steps_of(found), previous)
    note = note.strip()[:MAX_REASON]
    if found["warehouse_id"] is None:

        def before(uow: UnitOfWork, order: OrderRecord, progress: Progress, now: int) -> OrderRecord:
            return _let_go(uow, order, progress, now, actor, note, routed=True)

        attempt = route_held(app, order_id, reason=note or "released / 放行", trigger=RELEASE, before=before)
        held = None if attempt["warehouse_ids"] else HoldReason.NO_STOCK.value
        if held:
            set_watch(app, order_id, held)
        return _released(order_id, previous, attempt["warehouse_ids"][:1], held, attempt["attempt"])

    def work() -> Released:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            order, progress = locked_order(uow, order_id)
            _let_go(uow, order, progress, now, actor, note, routed=False)
            uow.commit()
        return _released(
            order_id, previous, [order["warehouse_id"]] if order["warehouse_id"] else [], None, None
        )

    out = app.retrying(work)
    app.notifier.notify()
    return out


def _released(
    order_id: str,
    previous: str | None,
    warehouses: Sequence[str],
    hold_reason: str | None,
    attempt: int | None,
) -> Released:
    return {
        "order_id": order_id,
        "outcome": "released",
        "previous_hold": previous,
        "warehouse_id": warehouses[0] if warehouses else None,
        "hold_reason": hold_reason,
        "routing_attempt": attempt,
    }


class HeldOrder(OrderSummary):
    """A held order as the held-orders list shows it: when it was held, by whom (``intake``
    for a hold intake set), and the intercept asked of its warehouse (None: none asked)."""

    held_at_ns: int
    held_by: str
    intercept: InterceptRecord | None


def held_orders(
    app: Ordo,
    *,
    exact: str | None = None,
    prefix: str | None = None,
    channel: str | None = None,
    region: str | None = None,
    after_id: str | None = None,
    held_from_ns: int | None = None,
    held_to_ns: int | None = None,
    limit: int = 50,
) -> list[HeldOrder]:
    """Held orders, newest first (see ``HoldRepository.held``); ``region`` as people type it
    (``广东``, ``广东省``, ``广州``, ``44``), 422 on ``province`` when it names no place;
    ``held_from_ns`` / ``held_to_ns`` bound when it was held (422 on ``held_to`` before from)."""
    if held_from_ns is not None and held_to_ns is not None and held_to_ns <= held_from_ns:
        raise ValidationError("held_to", "must be after held_from / 结束时间须晚于开始时间")
    place = region_filter(app, region) if region is not None else None
    with app.store.uow(read_only=True) as uow:
        rows = uow.holds.held(
            exact=exact,
            prefix=prefix,
            channel=channel,
            region=place,
            after_id=after_id,
            held_from_ns=held_from_ns,
            held_to_ns=held_to_ns,
            limit=limit,
        )
        ids = [r["id"] for r in rows]
        marks = uow.holds.hold_marks(ids)
        stops = uow.holds.intercepts(ids)
    out: list[HeldOrder] = []
    for r in rows:
        at, by = marks.get(r["id"], (r["created_at_ns"], "intake"))
        out.append(HeldOrder(**r, held_at_ns=at, held_by=by, intercept=stops.get(r["id"])))
    return out


def current_holds(app: Ordo, order_ids: Iterable[str]) -> dict[str, str | None]:
    """The hold of each of these orders that exists (None: not held), unlocked: what a
    warehouse adapter (or the simulated warehouse) asks before it works on an order."""
    with app.store.uow(read_only=True) as uow:
        return uow.holds.current(order_ids)


def set_watch(app: Ordo, order_id: str, hold_reason: str | None) -> None:
    """Tell the incident scan's watch row the order's hold (routing found no stock after all)."""
    with app.store.uow() as uow:
        uow.holds.set_watch_hold([order_id], hold_reason)
        uow.commit()
