"""The incident scan: detect, run playbooks, close what cleared. ``scan(app)`` is the one call.

Called at the caller's pace with the injected clock: the simulator as simulated time
passes, ``ordo serve`` / the demo on a timer, tests directly. One scan, in one
transaction (the scan row is locked, so scans in several processes take turns):

1. reads the outbox after its cursor (orders created, milestones recorded, status
   conflicts and signals) into the watch list, opens hold / conflict / signal
   incidents, and closes open incidents whose condition cleared;
2. fires the SLA timers of the watch rows whose ``due_ns`` has come (an indexed range
   read, not a scan of every open order);
3. runs the playbook attempts that are due (new incidents' first attempt included);
4. reads the outbox once more, so what the playbooks changed closes in the same scan
   (a cold-chain excursion closes when its replacement order's outbound is recorded:
   ``ordo.service.incidents.reship``).

After the transaction, replacement orders the playbooks asked for are taken in through
intake (its own transaction), so the next scan sees them being shipped.

Work per scan is bounded (``max_events``, ``max_due``); ``scan`` repeats until caught up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from ordo.domain import events as ev
from ordo.domain.incidents.incident import Detector, IncidentState, Raised
from ordo.domain.orders import sla
from ordo.domain.orders.holds import HoldReason
from ordo.domain.orders.milestones import MILESTONES, Milestone
from ordo.service.incidents import ledger, reship
from ordo.service.incidents.steps import attempt
from ordo.service.ports import UnitOfWork, Watch
from ordo.service.runtime.app import Ordo

#: Events of other features this scan reads (the status-graph feature writes the last two).
STATUS_CONFLICT = "order.status_conflict"
STATUS_SIGNAL = "order.status_signal"
WATCHED = (
    ev.ORDER_CREATED,
    ev.MILESTONE_RECORDED,
    STATUS_CONFLICT,
    STATUS_SIGNAL,
    ev.HOLD_VIOLATED,
    ev.ORDER_REROUTED,
)
#: Systems that report milestones but are not carriers.
_NOT_CARRIERS = frozenset({"oms", "wms", "tms", "ordo", "ordo:exceptions"})
_CARRIER_STEPS = frozenset({"collected", "in_transit", "out_for_delivery", "delivered"})
#: Status signals that are incidents: signal → (detector, playbook, milestones that clear it).
SIGNALS: dict[str, tuple[Detector, str, tuple[str, ...]]] = {
    "pickup_failed": (Detector.PICKUP_FAILURE, "pickup_failure", ("collected", "in_transit", "delivered")),
    "stock_short": (Detector.STOCK_OUT, "slow_warehouse", ("picked", "packed", "outbound")),
    "delivery_failed": (Detector.SLA, "late_delivery", ("delivered",)),
    "parcel_lost": (Detector.PICKUP_FAILURE, "pickup_failure", ("delivered",)),
}
#: Detectors whose incidents stand even when the order finishes (spoiled goods stay spoiled;
#: a held order shipped anyway, a parcel another carrier took, are still to be answered for).
_OUTLIVE_ORDER = frozenset(
    {Detector.COLD_CHAIN.value, Detector.HOLD_VIOLATED.value, Detector.CARRIER_MISMATCH.value}
)
_DELIVERED = frozenset({"delivered", "completed"})


@dataclass
class ScanReport:
    events_read: int = 0
    watched: int = 0
    timers_fired: int = 0
    opened: int = 0
    auto_resolved: int = 0
    closed_by_order: int = 0
    steps_run: int = 0
    more: bool = False

    def add(self, other: ScanReport) -> None:
        for f in fields(self):
            if f.name != "more":
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def scan(
    app: Ordo,
    *,
    timers: Sequence[sla.SlaTimer] = sla.DEFAULT_TIMERS,
    max_events: int = 20_000,
    max_due: int = 5_000,
) -> ScanReport:
    """Scan once (and again while a bounded pass left work behind)."""
    total = ScanReport()
    for _ in range(1_000):
        now = app.clock.now_ns()

        def transaction(now: int = now) -> ScanReport:
            with app.store.uow() as uow:
                report = _Scan(uow, now, timers, max_events, max_due).run()
                uow.commit()
            return report

        report = app.retrying(transaction)
        total.add(report)
        if not report.more:
            break
    # Replacements are real orders: intake runs in its own transaction, after the scan's.
    reship.place_replacements(app)
    app.notifier.notify()
    return total


@dataclass
class _Scan:
    uow: UnitOfWork
    now: int
    timers: Sequence[sla.SlaTimer]
    max_events: int
    max_due: int
    report: ScanReport = field(default_factory=ScanReport)
    watches: dict[str, Watch] = field(default_factory=dict)
    dirty: set[str] = field(default_factory=set)
    #: Carrier scans by another carrier than the one booked, found while reading the outbox.
    mismatches: list[Raised] = field(default_factory=list)
    #: Whether :meth:`record` judges carriers (reading the outbox) or only replays the store.
    judging: bool = False

    def run(self) -> ScanReport:
        x = self.uow.incidents
        cursor, _ = x.lock_scan()
        cursor = self.project(cursor)
        self.fire_timers()
        rows = x.attempts_due(self.now, self.max_due)
        self.load(r["order_id"] for r in rows)
        for row in rows:
            if not IncidentState(row["state"]).closed:
                self.report.steps_run += attempt(self.uow, row, self.watches.get(row["order_id"]), self.now)
                if row["order_id"] in self.watches:
                    self.dirty.add(row["order_id"])
        cursor = self.project(cursor)
        x.save_watches(self.watches[o] for o in sorted(self.dirty))
        x.set_scan(cursor, self.now)
        return self.report

    # 1. the outbox -----------------------------------------------------------
    def project(self, cursor: int) -> int:
        events = self.uow.outbox.after(cursor, limit=self.max_events, types=WATCHED)
        if not events:
            return cursor
        self.report.events_read += len(events)
        self.report.more = len(events) >= self.max_events
        self.load(e["order_id"] for e in events if e["order_id"])
        raised: list[Raised] = []
        touched: set[str] = set()
        self.judging = True
        for e in events:
            w = self.watches.get(e["order_id"] or "")
            if w is None:
                continue
            touched.add(w.order_id)
            p = e["payload"]
            if e["type"] == ev.MILESTONE_RECORDED:
                self.record(w, p["milestone"], int(p["at_ns"]), str(p.get("source", "")))
            elif e["type"] == ev.ORDER_CREATED:
                self.booked(w, p.get("carrier_id"))
            elif e["type"] == ev.HOLD_VIOLATED:
                raised.append(_violated(w, p))
            elif e["type"] == ev.ORDER_REROUTED and p.get("attempt"):
                self.rebooked(w)
            elif e["type"] == STATUS_CONFLICT:
                details = {"rule": p.get("rule"), "message": p.get("message"), "claim": p.get("claim"),
                           "other": p.get("other"), "clears_on": []}  # fmt: skip
                raised.append(Raised(w.order_id, Detector.STATUS_CONFLICT, str(p.get("rule") or "conflict"),
                                     "status_conflict", details, w.channel))  # fmt: skip
            elif e["type"] == STATUS_SIGNAL and p.get("signal") in SIGNALS:
                detector, book, clears = SIGNALS[p["signal"]]
                details = {"signal": p["signal"], "source": p.get("source"), "clears_on": list(clears)}
                raised.append(Raised(w.order_id, detector, f"signal:{p['signal']}", book, details, w.channel))
        for w in (self.watches[o] for o in touched):
            if (
                not w.stored
                and w.order_id not in self.dirty
                and w.hold_reason in (HoldReason.NO_STOCK, HoldReason.ADDRESS)
                and sla.TERMINAL.isdisjoint(Milestone(m) for m in w.steps)  # not cancelled meanwhile
            ):
                raised.append(_hold(w))
            self.dirty.add(w.order_id)
        self.judging = False
        raised.extend(self.mismatches)
        self.mismatches.clear()
        self.close_cleared(touched)
        self.report.auto_resolved += reship.close_shipped(
            self.uow, {o: self.watches[o] for o in touched}, self.now
        )
        self.open(raised)
        for o in touched:
            self.reschedule(self.watches[o])
        return int(events[-1]["id"])

    def load(self, order_ids: Iterable[str]) -> None:
        wanted = {o for o in order_ids if o not in self.watches}
        if not wanted:
            return
        x = self.uow.incidents
        self.watches.update(x.watches(wanted))
        fresh = x.new_watches(wanted - set(self.watches))
        for oid, steps in x.recorded(fresh).items():
            for step, (at, source) in steps.items():
                self.record(fresh[oid], step, at, source)
        self.watches.update(fresh)
        self.report.watched += len(fresh)

    def record(self, w: Watch, step: str, at: int, source: str) -> None:
        if step in w.steps:
            return
        w.steps[step] = at
        if at >= w.last_at_ns and Milestone(step).number:
            w.last_milestone, w.last_at_ns = step, at
        if step in _CARRIER_STEPS and source and source not in _NOT_CARRIERS and not source.startswith("api"):
            if self.judging and w.carrier and w.carrier != source:
                self.mismatches.append(_mismatch(w, w.carrier, source, step, at))
            w.carrier = source
        if step == Milestone.STOCK_LOCKED.value and w.hold_reason == HoldReason.NO_STOCK:
            w.hold_reason = None

    def booked(self, w: Watch, carrier: Any) -> None:
        """The carrier routing booked for a new order (its first parcel's)."""
        if not carrier:
            return
        if w.carrier is None:
            w.carrier = str(carrier)
        elif w.carrier != carrier:  # another carrier's scan was read from the store first
            self.mismatches.append(_mismatch(w, str(carrier), w.carrier, w.last_milestone, w.last_at_ns))

    def rebooked(self, w: Watch) -> None:
        """Routing moved the order before any carrier scanned it: the carrier booked is now the
        one of its latest routing decision."""
        if not _CARRIER_STEPS.isdisjoint(w.steps):
            return
        attempts = self.uow.routing.attempts(w.order_id)
        booked = str(attempts[-1]["carrier_ids"]).split(",")[0] if attempts else ""
        w.carrier = booked or None

    def close_cleared(self, order_ids: set[str]) -> None:
        for row in self.uow.incidents.open_of_orders(order_ids):
            w = self.watches[row["order_id"]]
            clears = row["details"].get("clears_on") or []
            finished = not sla.TERMINAL.isdisjoint(Milestone(m) for m in w.steps)
            if any(m in w.steps for m in clears):
                ledger.move(self.uow, row, IncidentState.AUTO_RESOLVED, self.now, by="ordo",
                            note="condition cleared / 异常条件已消除")  # fmt: skip
                self.report.auto_resolved += 1
            elif finished and row["detector"] not in _OUTLIVE_ORDER:
                delivered = not _DELIVERED.isdisjoint(w.steps)
                state = IncidentState.AUTO_RESOLVED if delivered else IncidentState.RESOLVED
                note = "order delivered / 订单已签收" if delivered else "order cancelled / 订单已取消"
                ledger.move(self.uow, row, state, self.now, by="order", note=note)
                self.report.closed_by_order += 1

    # 2. timers ---------------------------------------------------------------
    def fire_timers(self) -> None:
        due = self.uow.incidents.due_watches(self.now, self.max_due)
        self.load(due)
        raised: list[Raised] = []
        for oid in due:
            w = self.watches[oid]
            mine = sla.timers_for(self.timers, w.channel, w.tier)
            for t in sla.breached(mine, w.steps, w.fired, w.hold_reason is not None, self.now):
                w.fired.add(t.name)
                raised.append(_breach(w, t))
            self.reschedule(w)
            self.dirty.add(oid)
        self.report.timers_fired += len(raised)
        self.open(raised)

    def reschedule(self, w: Watch) -> None:
        mine = sla.timers_for(self.timers, w.channel, w.tier)
        w.done = not sla.TERMINAL.isdisjoint(Milestone(m) for m in w.steps)
        w.due_ns = None if w.done else sla.next_due(mine, w.steps, w.fired, w.hold_reason is not None)

    def open(self, raised: list[Raised]) -> None:
        tiers = {r.order_id: self.watches[r.order_id].tier for r in raised if r.order_id in self.watches}
        self.report.opened += len(ledger.open_many(self.uow, raised, tiers, self.now))


def _hold(w: Watch) -> Raised:
    details: dict[str, Any]
    if w.hold_reason == HoldReason.NO_STOCK:
        details = {"hold_reason": w.hold_reason, "clears_on": [Milestone.STOCK_LOCKED.value]}
        return Raised(w.order_id, Detector.STOCK_OUT, "hold", "stock_out", details, w.channel)
    details = {"hold_reason": w.hold_reason, "clears_on": []}
    return Raised(w.order_id, Detector.ADDRESS, "hold", "address", details, w.channel)


def _violated(w: Watch, p: dict[str, Any]) -> Raised:
    """A warehouse or carrier step reported while the order was held (one open per order)."""
    details: dict[str, Any] = {
        "milestone": p.get("milestone"), "source": p.get("source"), "at_ns": p.get("at_ns"),
        "hold_reason": p.get("hold_reason"), "warehouse_id": p.get("warehouse_id") or w.warehouse_id,
        "clears_on": [],
    }  # fmt: skip
    return Raised(w.order_id, Detector.HOLD_VIOLATED, "hold", "hold_violated", details, w.channel)


def _mismatch(w: Watch, booked: str, scanned_by: str, step: str, at: int) -> Raised:
    """A parcel booked with one carrier and scanned by another."""
    details = {"booked": booked, "scanned_by": scanned_by, "milestone": step, "at_ns": at,
               "warehouse_id": w.warehouse_id, "clears_on": []}  # fmt: skip
    return Raised(w.order_id, Detector.CARRIER_MISMATCH, f"carrier:{scanned_by}"[:64], "carrier_mismatch",
                  details, w.channel)  # fmt: skip


def _breach(w: Watch, t: sla.SlaTimer) -> Raised:
    clears = [t.expect.value]
    if t.forward:
        clears += [m.value for m in MILESTONES[t.expect.number :]]
    details = {
        "timer": t.name, "after": t.after.value, "expect": t.expect.value, "seconds": t.seconds,
        "deadline_ns": sla.deadline(t, w.steps), "warehouse_id": w.warehouse_id, "carrier": w.carrier,
        "clears_on": clears,
    }  # fmt: skip
    return Raised(w.order_id, t.detector, t.name, t.playbook, details, w.channel)
