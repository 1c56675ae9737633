"""Routing after intake: explaining stored decisions, re-routing an order, a warehouse outage.

Owns the use cases over ``routing_decisions``:

* :func:`routing_view` – every attempt of an order as the HTTP contract shows it
  (candidates, exclusions in words, objectives raw and normalised, weights, rules fired,
  the explanation in zh / en); :func:`explain_order` – the same in words for ``ordo explain``;
* :func:`reroute` – release an open order's reservation, route it again (excluding the
  given warehouses, keeping the directives its rules set at intake), reserve the new
  plan, and record the attempt; every attempt is kept;
* :func:`outage` – a warehouse goes down: it is switched off and each of its open orders
  is re-routed, one transaction per order so one failure does not undo the others.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal

from ordo.domain.errors import Conflict, NotFound, ValidationError
from ordo.domain.events import ORDER_REROUTED, Event
from ordo.domain.geo import haversine_km
from ordo.domain.orders.holds import RELEASABLE, HoldReason, hold_kind
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import Address, Line, Order
from ordo.domain.routing import Plan, RouteRequest, explain, route_one
from ordo.domain.routing.explain import bars, why_not
from ordo.domain.routing.profiles import LABELS, Objective
from ordo.domain.routing.snapshot import reason_label
from ordo.service.orders.milestones import record_updates
from ordo.service.ports import Delta, OrderRecord, Progress, UnitOfWork
from ordo.service.routing.context import HOUSE_CARRIER
from ordo.service.routing.expand import NO_RULES, directives_of, expand, fired_ids
from ordo.service.routing.snapshots import FiredRule, decision_row
from ordo.service.rules.text import ruleset_of
from ordo.service.runtime.app import Ordo

Lang = Literal["zh", "en"]
REROUTE, OUTAGE, RESTORED = "reroute", "outage", "restored"
SOURCE = "ordo"
#: Once any of these is recorded the goods are picked, gone or the order is over.
_SETTLED = frozenset(
    {
        Milestone.PICKED,
        Milestone.PACKED,
        Milestone.OUTBOUND,
        Milestone.COLLECTED,
        Milestone.DEPARTED,
        Milestone.IN_TRANSIT,
        Milestone.OUT_FOR_DELIVERY,
        Milestone.DELIVERED,
        Milestone.COMPLETED,
        Milestone.CANCELLED,
        Milestone.RETURN_REQUESTED,
        Milestone.RETURNED,
        Milestone.REFUNDED,
    }
)
#: A caller's work inside the routing transaction, after the order is read under lock and
#: before it is routed: its checks (raise to abort) and writes; returns the order as it now is.
Before = Callable[[UnitOfWork, OrderRecord, Progress, int], OrderRecord]


def _fired(uow: UnitOfWork, version: int | None, ids: Sequence[str]) -> list[FiredRule]:
    """The fired rules of a decision, named from the immutable version that decided it."""
    if not ids:
        return []
    row = uow.rules.version(version) if version is not None else None
    named = _rule_names(str(row["text"]) if row else "")
    return [named.get(i) or FiredRule(i, i, "") for i in ids]


@functools.lru_cache(maxsize=64)
def _rule_names(text: str) -> Mapping[str, FiredRule]:
    """Each rule of a version's text by id (a pure function of the text: versions never change)."""
    try:
        rules = ruleset_of(text).rules
    except ValidationError:  # a version always parsed when published; be safe all the same
        rules = ()
    named = {r.id: FiredRule(r.id, (r.source or r.id)[:200], r.category.value) for r in rules}
    return MappingProxyType(named)


@dataclasses.dataclass(frozen=True, slots=True)
class Names:
    """What the routing view names things by: carriers, and each warehouse's place."""

    carriers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    #: warehouse id → (lat, lng)
    places: Mapping[str, tuple[float, float]] = dataclasses.field(default_factory=dict)
    #: the order's ship-to (lat, lng), when it is located
    ship_to: tuple[float, float] | None = None

    def km(self, warehouse_id: str) -> float | None:
        at = self.places.get(warehouse_id)
        if at is None or self.ship_to is None:
            return None
        return round(haversine_km(at[0], at[1], self.ship_to[0], self.ship_to[1]), 1)


def _names(uow: UnitOfWork, order_id: str, lang: Lang) -> Names:
    order = uow.orders.get(order_id)
    lat, lng = (order.get("lat"), order.get("lng")) if order else (None, None)
    house_id, house = HOUSE_CARRIER
    zh, _, en = house.partition(" / ")
    return Names(
        {house_id: zh if lang == "zh" else en, **{c.id: c.name for c in uow.catalog.carriers()}},
        {w.id: (w.lat, w.lng) for w in uow.catalog.warehouses()},
        (float(lat), float(lng)) if lat is not None and lng is not None else None,
    )


def attempt_view(
    row: Mapping[str, Any],
    warehouses: Sequence[Sequence[str]],
    fired: Sequence[FiredRule],
    lang: Lang,
    names: Names | None = None,
) -> dict[str, Any]:
    """One stored attempt as the contract shows it (times as ``at_ns`` / ``promise_ns``).

    Beside the codes: warehouse and carrier names, each candidate's distance to the
    ship-to address (km), its bars (objective differences on absolute spans, see
    :data:`ordo.domain.routing.explain.BAR_SPAN`) and why it was not chosen; the excluded
    warehouses also folded by reason (``excluded_groups``, after the scored ones); the
    objectives' labels in both languages.
    """
    named = names or Names()
    snap = expand(row, warehouses)
    chosen = {p["warehouse"] for p in snap["plan"]["parcels"]}
    titles = {str(w[0]): str(w[1]) for w in warehouses if len(w) > 1}
    objectives = snap["objectives"]
    bar = bars(snap)
    candidates: list[dict[str, Any]] = [
        {
            "warehouse_id": c["warehouse"],
            "warehouse_name": c.get("name") or titles.get(c["warehouse"], c["warehouse"]),
            "chosen": c["warehouse"] in chosen,
            "excluded": None,
            "score": c["score"],
            "km": named.km(c["warehouse"]),
            "objectives": {
                k: {
                    "raw": c["raw"][k],
                    "norm": round(c["norm"].get(k, 0.0), 6),
                    "bar": bar[c["warehouse"]].get(k, 0.0),
                }
                for k in objectives
            },
            "why_not": None if c["warehouse"] in chosen else why_not(snap, c["warehouse"], lang),
        }
        for c in sorted(snap["candidates"], key=lambda c: (c["warehouse"] not in chosen, c["score"]))
    ]
    groups: list[dict[str, Any]] = []
    for group in snap["excluded"]:
        labels = [reason_label(r, lang) for r in group["reasons"]]
        groups.append(
            {
                "reasons": list(group["reasons"]),
                "labels": labels,
                "count": len(group["warehouses"]),
                "warehouses": [
                    {"id": w, "name": titles.get(w, w), "km": named.km(w)} for w in group["warehouses"]
                ],
            }
        )
        candidates.extend(
            {
                "warehouse_id": w,
                "warehouse_name": titles.get(w, w),
                "chosen": False,
                "excluded": labels,
                "score": None,
                "km": named.km(w),
                "objectives": {},
                "why_not": why_not(snap, w, lang),
            }
            for w in group["warehouses"]
        )
    groups.sort(key=lambda g: -len(g["warehouses"]))
    parcels = [
        {
            "warehouse_id": p["warehouse"],
            "warehouse_name": titles.get(p["warehouse"], p["warehouse"]),
            "carrier_id": p["carrier"],
            "carrier_name": named.carriers.get(p["carrier"], p["carrier"]),
            "cost_fen": p["cost_fen"],
            "km": p.get("km"),
            "promise_ns": p["promise_ns"],
            "lines": p["lines"],
        }
        for p in snap["plan"]["parcels"]
    ]
    carrier_ids = [c for c in row["carrier_ids"].split(",") if c]
    return {
        "attempt": row["attempt"],
        "at_ns": row["at_ns"],
        "trigger": row["trigger"],
        "status": row["status"],
        "warehouse_ids": [w for w in row["warehouse_ids"].split(",") if w],
        "warehouse_names": [titles.get(w, w) for w in row["warehouse_ids"].split(",") if w],
        "carrier_ids": carrier_ids,
        "carrier_names": [named.carriers.get(c, c) for c in carrier_ids],
        "promise_ns": row["promise_ns"],
        "profile": snap["profile"]["name"],
        "weights": dict(snap["profile"]["weights"]),
        "objective_labels": {
            k: {"zh": LABELS[Objective(k)][0], "en": LABELS[Objective(k)][1], "unit": LABELS[Objective(k)][2]}
            for k in objectives
        },
        "explanation": explain(snap, lang, carriers=named.carriers),
        "lines": [{"sku": sku, "quantity": qty} for sku, qty in snap["lines"]],
        "parcels": parcels,
        "candidates": candidates,
        "excluded_groups": groups,
        "rules_fired": [{"rule_id": f.rule_id, "name": f.name, "category": f.category} for f in fired],
    }


def _order_exists(uow: UnitOfWork, order_id: str) -> None:
    if not uow.routing.order_exists(order_id):
        raise NotFound(f"no order {order_id} / 订单 {order_id} 不存在", details={"order_id": order_id})


def routing_view(app: Ordo, order_id: str, lang: Lang = "zh") -> dict[str, Any]:
    """Every routing attempt of an order, oldest first; NotFound when there is no such order."""
    with app.store.uow(read_only=True) as uow:
        _order_exists(uow, order_id)
        rows = uow.routing.attempts(order_id)
        listing = app.caches.routing.listing
        names = _names(uow, order_id, lang)
        views = [
            attempt_view(r, listing(uow, r["network"]), _fired(uow, *fired_ids(r)), lang, names) for r in rows
        ]
    return {"order_id": order_id, "attempts": views}


def explain_order(app: Ordo, order_id: str, lang: Lang = "zh", why_not: str | None = None) -> str:
    """The latest decision in words and numbers, with ``why_not`` a warehouse's comparison."""
    with app.store.uow(read_only=True) as uow:
        _order_exists(uow, order_id)
        rows = uow.routing.attempts(order_id)
        if not rows:
            return (
                f"订单 {order_id} 尚未分配仓库（未路由）"
                if lang == "zh"
                else f"order {order_id} was never routed"
            )
        row = rows[-1]
        snap = expand(row, app.caches.routing.listing(uow, row["network"]))
        carriers = {c.id: c.name for c in uow.catalog.carriers()}
    trig = {
        "intake": ("接单", "intake"),
        "reroute": ("改派", "re-route"),
        "outage": ("仓库故障", "outage"),
        "restored": ("仓库恢复", "warehouse restored"),
        "release": ("解除挂起", "hold released"),
        "risk": ("风险处置预案", "risk disposal plan"),
        "risk_revert": ("撤销风险处置", "risk disposal reverted"),
    }
    zh, en = trig.get(row["trigger"], (row["trigger"], row["trigger"]))
    head = (
        f"订单 {order_id} 第 {row['attempt']} 次路由（{zh}）"
        if lang == "zh"
        else f"order {order_id}, routing attempt {row['attempt']} ({en})"
    )
    return head + "\n" + explain(snap, lang, why_not, carriers=carriers)


def _reroutable(order_id: str, steps: Iterable[Milestone]) -> None:
    done = _SETTLED.intersection(steps)
    if done:
        last = sorted(m.value for m in done)
        raise Conflict(
            f"order {order_id} is already picked, shipped or closed ({', '.join(last)}); it cannot be "
            f"re-routed / 订单已拣货、发货或关闭，不能改派",
            details={"order_id": order_id, "milestones": last},
        )


def _check_located(order: Mapping[str, Any]) -> None:
    if order["lat"] is None or order["lng"] is None:
        raise Conflict(
            f"order {order['id']} has no located address to route to / 订单地址未能定位，无法改派",
            details={"order_id": order["id"], "hold_reason": order["hold_reason"]},
        )


def _check_known(
    warehouses: Mapping[str, int], exclude: Sequence[str], field: str = "exclude_warehouses"
) -> None:
    unknown = [w for w in exclude if w not in warehouses]
    if unknown:
        raise ValidationError(
            field,
            f"unknown warehouses {unknown} / 未知仓库 {'、'.join(unknown)}",
            details={"unknown": unknown},
        )


def _routable(order: Mapping[str, Any]) -> Order:
    """A stored order as the router reads it: its ship-to point, lines and tags. No delivery
    deadline: a re-route is routed without one, as it always was."""
    ship_to = Address(order["province"], order["city"], order["district"], lat=order["lat"], lng=order["lng"])
    lines = tuple(
        Line(ln["sku"], ln["quantity"], ln["unit_price_fen"], frozenset(ln["flags"]), ln["discount_fen"])
        for ln in order["lines"]
    )
    return Order(
        order["id"], order["channel"], order["external_id"], order["customer_ref"], ship_to, lines,
        order["placed_at_ns"], tags=tuple(order["tags"] or ()),
    )  # fmt: skip


#: The same, for the risk radar's what-if plans (``ordo.service.risk.plans``).
routable_order = _routable
#: The re-route's own steps, for the risk radar's batch re-route (``ordo.service.risk.batch``):
#: refuse a settled order, name the rules a decision fired.
check_reroutable, fired_rules = _reroutable, _fired


def _take_plan(
    uow: UnitOfWork, order: Mapping[str, Any], progress: Progress, plan: Plan, now: int
) -> str | None:
    """Reserve a new plan's stock and make it the order's; its (first) warehouse, or None."""
    order_id = progress.order_id
    new = plan.parcels[0].warehouse_id if plan.parcels else None
    for p in plan.parcels:
        uow.stock.reserve(Delta(p.warehouse_id, sku, q) for sku, q in p.lines)
    # A hold a person set (or a review rule) outlives a re-route; only lifting it lets it go.
    kept = order["hold_reason"] if hold_kind(order["hold_reason"]) in RELEASABLE else None
    uow.routing.set_plan(order_id, new, kept or (None if new else HoldReason.NO_STOCK.value), now)
    if new and order.get("promised_at_ns") is None and plan.promise_ns is not None:
        # Routed for the first time (it waited unrouted): the promise is the one routing made.
        uow.incidents.set_promise(order_id, plan.promise_ns, now)
    if new and Milestone.ROUTED not in progress.steps:
        steps = [
            MilestoneUpdate(order_id, Milestone.STOCK_LOCKED, now, SOURCE),
            MilestoneUpdate(order_id, Milestone.ROUTED, now, SOURCE),
        ]
        record_updates(uow, steps, now)
    return new


def reroute(
    app: Ordo,
    order_id: str,
    *,
    reason: str,
    exclude: Sequence[str] = (),
    trigger: str = REROUTE,
    lang: Lang = "zh",
    before: Before | None = None,
    force: str | None = None,
    carrier: str | None = None,
) -> dict[str, Any]:
    """Route an open order again; returns the new attempt (see :func:`attempt_view`).

    ``carrier`` asks for that carrier (a merged order rides its parcel's carrier), as a
    rule's 走 would: the router takes it where it can carry the order.

    ``force`` is a person's choice of warehouse (手工指定仓库): every other warehouse is
    excluded, so the router scores that one alone (the attempt shows its score, or why it
    cannot ship the order, e.g. 库存不足)."""
    exclude = [w for w in dict.fromkeys(exclude) if w]

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            progress = uow.orders.progress([order_id]).get(order_id)
            if progress is None:
                raise NotFound(
                    f"no order {order_id} / 订单 {order_id} 不存在", details={"order_id": order_id}
                )
            _reroutable(order_id, progress.steps)
            order = uow.orders.get(order_id)
            assert order is not None
            if before is not None:
                order = before(uow, order, progress, now)
            _check_located(order)
            cache = app.caches.routing
            cat = cache.catalog(uow, now)
            _check_known(cat.network.w_index, exclude)
            barred = list(exclude)
            if force is not None:
                _check_known(cat.network.w_index, [force], "force_warehouse")
                barred = [w for w in cat.network.w_index if w != force]
            attempts = uow.routing.attempts(order_id)
            # The rules' directives as intake recorded them; earlier re-routes' exclusions lapse.
            rules = directives_of(attempts[0]) if attempts else NO_RULES
            directives = dataclasses.replace(rules.directives, exclude=rules.directives.exclude.union(barred))
            if carrier is not None and carrier not in directives.avoid_carriers:
                directives = dataclasses.replace(directives, carrier=carrier)
            old = progress.warehouse_id
            if old is not None:  # what it holds, line by line: a split order holds at several
                held = uow.orders.stock_lines([order_id]).get(order_id, ())
                uow.stock.release(Delta(w, sku, q) for w, sku, q in held)
            req = RouteRequest.of_order(_routable(order), cat.weights_g, directives=directives)
            ctx, start = cache.context(uow, cat, [sku for sku, _ in req.lines], now)
            plan = route_one(req, ctx)
            new = _take_plan(uow, order, progress, plan, now)
            fired = _fired(uow, rules.version, rules.fired)
            row = decision_row(
                plan,
                ctx,
                network=cat.digest,
                attempt=attempts[-1]["attempt"] + 1 if attempts else 1,
                trigger=trigger,
                at_ns=now,
                fired=fired,
                rules_version=rules.version,
            )
            uow.routing.add([row])
            payload = {
                "from": old,
                "to": new,
                "attempt": row["attempt"],
                "trigger": trigger,
                "reason": reason,
                "excluded": sorted(directives.exclude),
            }
            uow.outbox.append([Event(ORDER_REROUTED, order_id, now, payload, channel=order["channel"])])
            uow.commit()
            cache.commit(ctx, start)
            return attempt_view(row, cache.listing(uow, cat.digest), fired, lang, _names(uow, order_id, lang))

    out = app.retrying(work)
    app.notifier.notify()
    return out


def route_held(app: Ordo, order_id: str, *, reason: str, trigger: str, before: Before) -> dict[str, Any]:
    """Route now an order that waited unrouted (a released hold, a corrected address): the
    re-route path, no exclusions, with ``before`` run first in its transaction."""
    return reroute(app, order_id, reason=reason, trigger=trigger, before=before)


def outage(app: Ordo, warehouse_id: str, *, reason: str, lang: Lang = "zh") -> dict[str, Any]:
    """Switch a warehouse off and re-route its open orders; a summary of what moved where."""
    with app.store.uow() as uow:
        if not uow.catalog.set_warehouse_active(warehouse_id, False):
            raise NotFound(
                f"no warehouse {warehouse_id} / 仓库 {warehouse_id} 不存在",
                details={"warehouse_id": warehouse_id},
            )
        ids = uow.routing.open_orders_at(warehouse_id)
        uow.commit()
    app.caches.routing.invalidate()
    moved: dict[str, str | None] = {}
    refused: dict[str, str] = {}
    for oid in ids:
        try:
            got = reroute(app, oid, reason=reason, exclude=[warehouse_id], trigger=OUTAGE, lang=lang)
        except Conflict as exc:  # picked or closed since it was listed
            refused[oid] = exc.code
            continue
        moved[oid] = got["warehouse_ids"][0] if got["warehouse_ids"] else None
    return {
        "warehouse_id": warehouse_id,
        "orders": len(ids),
        "rerouted": sum(1 for w in moved.values() if w),
        "held": sum(1 for w in moved.values() if not w),
        "refused": len(refused),
        "moves": moved,
    }


#: Orders held for stock that a restored warehouse tries to route again, at most, per call.
RESTORE_RETRY = 500


def restore(app: Ordo, warehouse_id: str, *, reason: str, lang: Lang = "zh") -> dict[str, Any]:
    """End a warehouse's outage: switch it on again and route the orders that waited for stock
    (oldest first, up to :data:`RESTORE_RETRY`); orders moved away stay where they went."""
    with app.store.uow() as uow:
        known = {w.id: w for w in uow.catalog.warehouses()}
        if warehouse_id not in known:
            raise NotFound(
                f"no warehouse {warehouse_id} / 仓库 {warehouse_id} 不存在",
                details={"warehouse_id": warehouse_id},
            )
        was_active = known[warehouse_id].active
        uow.catalog.set_warehouse_active(warehouse_id, True)
        waiting = [o["id"] for o in uow.holds.held(exact=HoldReason.NO_STOCK.value, limit=RESTORE_RETRY)]
        uow.commit()
    app.caches.routing.invalidate()
    routed: dict[str, str] = {}
    for oid in reversed(waiting):  # the repository lists newest first
        try:
            got = reroute(app, oid, reason=reason, trigger=RESTORED, lang=lang)
        except Conflict:  # cancelled or changed since it was listed
            continue
        if got["warehouse_ids"]:
            routed[oid] = got["warehouse_ids"][0]
    return {
        "warehouse_id": warehouse_id,
        "was_active": was_active,
        "retried": len(waiting),
        "routed": len(routed),
        "moves": routed,
    }
