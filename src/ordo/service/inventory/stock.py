"""Inventory writes: safety stock, channel stock rules, channel stock sync, reservation expiry.

Every write is one unit of work with its events. Channel sellable quantities are
recomputed for the SKUs a write touched (``sync_skus``, callable inside any other
service's unit of work), and a background ``reconcile`` catches the stock that other
paths (intake, lifecycle) moved without calling it. Expiry cancels through the
lifecycle's own cancel path (``record_updates`` with ``cancelled``), which releases
the stock; this module never adjusts a reservation by itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.events import Event
from ordo.domain.inventory import stock as inv
from ordo.domain.orders.milestones import LEFT_WAREHOUSE, Milestone, MilestoneUpdate, Outcome, Status
from ordo.service.inventory.reads import CHANNELS, in_scope, level_row
from ordo.service.orders.milestones import record_updates
from ordo.service.ports import UnitOfWork
from ordo.service.runtime.app import Ordo

#: Who cancels an expired reservation, as named in its milestone.
EXPIRY_SOURCE = "ordo:reservation_expiry"
#: Orders cancelled per expiry transaction: short transactions, the scan loops for more.
EXPIRY_BATCH = 200
_NS_PER_MIN = 60 * 1_000_000_000


@dataclass(frozen=True, slots=True)
class SafetySetting:
    warehouse_id: str
    sku: str
    safety: int


# channel stock sync ---------------------------------------------------------------
def sync_skus(uow: UnitOfWork, skus: Iterable[str] | None, now_ns: int, reason: str) -> list[Event]:
    """Inside a caller's unit of work: publish the channel quantities of ``skus`` that moved
    past their thresholds (every SKU when None) and append their ``stock.sync`` events."""
    rules = uow.channel_stock.rules()
    wanted = None if skus is None else sorted(set(skus))
    if not rules or wanted == []:
        return []
    current = inv.channel_quantities(uow.stock.pools(wanted), in_scope(rules, wanted))
    published = uow.channel_stock.published(wanted)
    found = inv.changes(current, published)
    uow.channel_stock.publish(found, now_ns)
    if wanted is None:  # a full pass also forgets what no rule covers any more
        uow.channel_stock.forget(sorted(set(published) - set(current)))
    events = inv.sync_events(found, now_ns, reason)
    uow.outbox.append(events)
    return events


def reconcile(app: Ordo, skus: Iterable[str] | None = None, reason: str = "reconcile") -> int:
    """Publish the channel quantities of ``skus`` (every SKU when None) that moved; returns
    the events written. Looks first without the write lock (the usual answer is "nothing
    moved"), then recomputes and writes under it."""
    wanted = None if skus is None else sorted(set(skus))
    if wanted == []:
        return 0
    with app.store.uow(read_only=True) as uow:
        rules = uow.channel_stock.rules()
        if not rules:
            return 0
        current = inv.channel_quantities(uow.stock.pools(wanted), in_scope(rules, wanted))
        published = uow.channel_stock.published(wanted)
    stale = wanted is None and not set(published) <= set(current)
    if not inv.changes(current, published) and not stale:
        return 0

    def transaction() -> int:
        with app.store.uow() as uow:
            events = sync_skus(uow, wanted, app.clock.now_ns(), reason)
            uow.commit()
        return len(events)

    written = app.retrying(transaction)
    if written:
        app.notifier.notify()
    return written


# safety stock ---------------------------------------------------------------------
def set_safety(
    app: Ordo, items: Sequence[SafetySetting], *, field_prefix: str = ""
) -> list[dict[str, object]]:
    """Set safety stock per (warehouse, SKU); returns the rows after it, with their ATP."""
    for i, s in enumerate(items):
        inv.check_units(s.safety, f"{field_prefix}[{i}].safety" if field_prefix else "safety")

    def transaction() -> list[dict[str, object]]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            _check_known(uow, items, field_prefix)
            uow.stock.set_safety([(s.warehouse_id, s.sku, s.safety) for s in items])
            sync_skus(uow, {s.sku for s in items}, now, "safety_stock")
            rows = uow.stock.get(sorted({(s.warehouse_id, s.sku) for s in items}))
            uow.commit()
        return [level_row(s.warehouse_id, s.sku, s.on_hand, s.reserved, s.safety) for s in rows.values()]

    out = app.retrying(transaction)
    app.notifier.notify()
    return out


def _check_known(uow: UnitOfWork, items: Sequence[SafetySetting], prefix: str) -> None:
    warehouses = {w.id for w in uow.catalog.warehouses()}
    skus = uow.catalog.known_skus(s.sku for s in items)
    for i, s in enumerate(items):
        at = f"{prefix}[{i}]." if prefix else ""
        if s.warehouse_id not in warehouses:
            raise NotFound(
                f"no warehouse {s.warehouse_id!r} / 仓库不存在", details={"field": f"{at}warehouse_id"}
            )
        if s.sku not in skus:
            raise NotFound(f"no SKU {s.sku!r} / 商品不存在", details={"field": f"{at}sku"})


# channel stock rules ----------------------------------------------------------------
def save_channel_rules(app: Ordo, rules: Sequence[inv.ChannelRule], *, field_prefix: str = "") -> int:
    """Insert or replace channel stock rules and publish what they change; returns events written."""
    seen: set[tuple[str, str]] = set()
    for i, r in enumerate(rules):
        at = f"{field_prefix}[{i}]." if field_prefix else ""
        r.check(CHANNELS, at)
        if (r.channel, r.sku) in seen:
            raise ValidationError(f"{at}sku", f"a second rule for {r.sku!r} / 同一商品「{r.sku}」的规则重复")
        seen.add((r.channel, r.sku))

    def transaction() -> int:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            named = [r.sku for r in rules if r.sku != inv.ANY_SKU]
            known = uow.catalog.known_skus(named)
            for i, r in enumerate(rules):
                if r.sku != inv.ANY_SKU and r.sku not in known:
                    at = f"{field_prefix}[{i}]." if field_prefix else ""
                    raise ValidationError(f"{at}sku", f"unknown SKU {r.sku!r} / 未知商品编码「{r.sku}」")
            uow.channel_stock.save_rules(rules, now)
            everything = any(r.sku == inv.ANY_SKU for r in rules)
            events = sync_skus(uow, None if everything else named, now, "channel_rule")
            uow.commit()
        return len(events)

    written = app.retrying(transaction)
    app.notifier.notify()
    return written


def delete_channel_rule(app: Ordo, channel: str, sku: str) -> None:
    def transaction() -> None:
        with app.store.uow() as uow:
            if not uow.channel_stock.delete_rule(channel, sku):
                raise NotFound(f"no stock rule for {channel} / {sku} / 渠道库存规则不存在")
            sync_skus(uow, None, app.clock.now_ns(), "channel_rule")
            uow.commit()

    app.retrying(transaction)
    app.notifier.notify()


# reservation expiry -------------------------------------------------------------------
def expire_unpaid(app: Ordo, ttl_minutes: int | None, *, batch: int = EXPIRY_BATCH) -> list[str]:
    """Cancel orders still unpaid ``ttl_minutes`` after Ordo reserved their stock (off when
    None or 0); returns the ids cancelled. Only orders awaiting payment are touched: one the
    warehouse already works on is left to people."""
    if not ttl_minutes or ttl_minutes <= 0:
        return []
    expired: list[str] = []
    while True:
        found = app.retrying(lambda: _expire_batch(app, ttl_minutes * _NS_PER_MIN, batch))
        expired += found.cancelled
        if found.seen < batch or not found.cancelled:
            break
    if expired:
        app.notifier.notify()
    return expired


@dataclass(frozen=True, slots=True)
class _Expired:
    seen: int
    cancelled: list[str]


def _expire_batch(app: Ordo, ttl_ns: int, batch: int) -> _Expired:
    now = app.clock.now_ns()
    with app.store.uow() as uow:
        ids = uow.stock.unpaid_holders(now - ttl_ns, batch)
        progress = uow.orders.progress(ids)  # locked on PostgreSQL: a payment cannot slip in
        due = [
            oid
            for oid in ids
            if (p := progress.get(oid)) is not None
            and Milestone.PAID not in p.steps
            and LEFT_WAREHOUSE.isdisjoint(p.steps)
            and p.status == Status.PENDING_PAYMENT.value
        ]
        note = "reservation expired unpaid / 未付款，库存预留已过期"
        updates = [MilestoneUpdate(oid, Milestone.CANCELLED, now, EXPIRY_SOURCE, note) for oid in due]
        results = record_updates(uow, updates, now)
        cancelled = [r.update.order_id for r in results if r.outcome is Outcome.RECORDED]
        need = uow.orders.quantities(cancelled)
        events = [
            Event(
                inv.RESERVATION_EXPIRED,
                oid,
                now,
                {
                    "warehouse_id": progress[oid].warehouse_id,
                    "released": need.get(oid, {}),
                    "ttl_minutes": ttl_ns // _NS_PER_MIN,
                },
                channel=progress[oid].channel,
            )
            for oid in cancelled
        ]
        uow.outbox.append(events)
        sync_skus(uow, {sku for q in need.values() for sku in q}, now, "reservation_expired")
        uow.commit()
    # ids that stayed (paid meanwhile) must not stop the scan from reaching later ones
    return _Expired(len(ids), cancelled)


class Background:
    """The background pass of ``ordo serve``: expire unpaid reservations, publish moved stock.

    Stock moved by the service always comes with an order's event, so each pass syncs
    only the SKUs of orders with events since the last pass; a full reconcile runs on
    the first pass and every ``resync_s`` seconds of the injected clock after it (stock
    takes write no event).
    """

    def __init__(self, app: Ordo, ttl_minutes: int | None, *, resync_s: float = 60.0) -> None:
        self.app = app
        self.ttl_minutes = ttl_minutes
        self.resync_ns = int(resync_s * 1_000_000_000)
        self._seen_id: int | None = None
        self._full_at = 0

    def step(self) -> int:
        """One pass; returns orders expired plus sync events written."""
        done = len(expire_unpaid(self.app, self.ttl_minutes))
        now = self.app.clock.now_ns()
        full = self._seen_id is None or now - self._full_at >= self.resync_ns
        with self.app.store.uow(read_only=True) as uow:
            last = uow.outbox.last_id()
            moved = [] if full or last == self._seen_id else uow.stock.skus_moved(self._seen_id or 0, last)
        if full:
            done += reconcile(self.app)
            self._full_at = now
        else:
            done += reconcile(self.app, moved)
        self._seen_id = last
        return done
