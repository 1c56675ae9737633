"""Writing shipments back to the platforms: when an order's goods leave, tell its platform.

    WriteBack(app, client).step()   collect, send what is due, watch the deadlines
    replay_dead(app, ids)           dead-lettered confirmations, again

1. **Collect.** The outbox is read after this duty's own offset (consumer
   ``platform-writeback``) for ``outbound`` milestones. Each such order that came from
   a platform shop (``platform_orders``; a push-only order if its channel has exactly one
   shop) owes its platform one confirmation per waybill: the waybill is the note of its
   ``waybill_issued`` milestone (``SF123`` or ``sf:SF123,zto:ZT456`` for several
   parcels), the carrier the prefix there, else the carrier that reported the waybill,
   else the one routing chose. An order split over warehouses names the platform lines
   each parcel holds (:mod:`~ordo.service.channels.parcel_lines`: the n-th waybill, the
   n-th warehouse's lines). Shipments and the new offset commit in one transaction.
   Cancellations owed (:mod:`~ordo.service.channels.cancel_writeback`) join the same queue.
2. **Send.** Due shipments go to the platform, one call per order: Taobao/Tmall
   ``taobao.logistics.offline.send``, JD ``jingdong.pop.order.shipment`` (every parcel's
   waybill in ``logiNo``), Pinduoduo ``pdd.logistics.online.send``, Douyin
   ``order.logisticsAdd``; the carrier becomes the platform's logistics company id
   (``adapters/platforms/logistics.json``). A split order's parcels are confirmed each
   with its lines where the platform allows (``adapters/platforms/parcels.py``) and retried
   together; a cancellation cancels the e-waybill (``adapters/platforms/waybill_cancel.py``).
   A rate limit, server error or outage is
   retried with backoff (:data:`WRITEBACK`, on the injected clock); when the attempts
   run out, or the platform refuses the confirmation outright, it becomes a dead letter
   (state ``dead``) until :func:`replay_dead`. "Already shipped" counts as acknowledged.
3. **Deadlines.** Each platform fines a late shipment sync (a seed cites 0.3 % of the
   commission after 15 minutes): an incident (detector ``sla``, key ``platform_sync``)
   is opened :data:`WARN_BEFORE_S` before a shipment's deadline if it is not acknowledged
   by then, so a person can act while there is time; it closes itself when the platform
   acknowledges the shipment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any

from ordo.adapters.platforms import SPLITS, PlatformClient, PlatformError, logistics_companies
from ordo.adapters.platforms.parcels import Parcel, bound_call, confirm_split, splits
from ordo.adapters.platforms.waybill_cancel import cancel_waybill
from ordo.clock import NS_PER_S
from ordo.domain import events as ev
from ordo.domain.incidents.incident import Detector, IncidentState, Raised
from ordo.domain.orders.milestones import Milestone
from ordo.service.channels import parcel_lines
from ordo.service.channels.cancel_writeback import collect_cancels
from ordo.service.channels.shops import ShopCredentials, credentials
from ordo.service.incidents import ledger
from ordo.service.ports import ShipmentRecord, UnitOfWork
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import RetryPolicy

CONSUMER = "platform-writeback"
#: The key of the deadline incident (detector ``sla``), one open per order.
SYNC_KEY = "platform_sync"
#: Seconds after the goods left by which each platform wants to know (its fine clock).
DEADLINE_S: Mapping[str, int] = MappingProxyType(
    {"taobao": 900, "tmall": 900, "jd": 900, "pinduoduo": 900, "douyin": 900}
)
#: The incident is opened this long before the deadline.
WARN_BEFORE_S = 300
#: A confirmation that failed: 1 s, 2 s, 4 s … at most 60 s; a dead letter after 12 attempts
#: (about eight minutes of trying, well inside the deadline's warning).
WRITEBACK = RetryPolicy(base_s=1.0, factor=2.0, max_s=60.0, max_attempts=12, jitter=0.2)
PENDING, ACKED, DEAD = "pending", "acked", "dead"
_OUTBOUND = Milestone.OUTBOUND.value
_WAYBILL = Milestone.WAYBILL_ISSUED.value


@dataclass
class WriteBack:
    app: Ordo
    client: PlatformClient
    policy: RetryPolicy = WRITEBACK
    batch: int = 500
    shops: ShopCredentials = field(default_factory=ShopCredentials)
    #: Confirmations in flight at once (one per order).
    concurrency: int = 8
    _companies: Mapping[str, Mapping[str, str]] = field(default_factory=logistics_companies)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pool_lock: threading.Lock = field(default_factory=threading.Lock)
    _executor: ThreadPoolExecutor | None = None

    def step(self) -> int:
        """One round: collect, send, watch deadlines; how much it did (0: idle)."""
        with self._lock:
            return self.collect() + collect_cancels(self) + self.send() + self.watch_deadlines()

    def run_until_idle(self, max_rounds: int = 100) -> dict[str, int]:
        for _ in range(max_rounds):
            if not self.step():
                break
        with self.app.store.uow(read_only=True) as uow:
            return uow.platforms.shipment_counts()

    # 1. collect ---------------------------------------------------------------------
    def collect(self) -> int:
        app = self.app

        def transaction() -> int:
            now = app.clock.now_ns()
            shops = self.shops.shops(app.store)
            if not shops:  # nothing to confirm to: do not even read the outbox
                return 0
            with app.store.uow() as uow:
                offset = uow.outbound.offset(CONSUMER)
                if offset is None:  # from the first shop on, not every order Ordo ever shipped
                    since = min(s["created_at_ns"] for s in shops)
                    before, inside = uow.outbound.id_range(since, max(now, since))
                    offset = uow.outbound.start(CONSUMER, before if inside else uow.outbox.last_id(), now)
                events = uow.outbound.events_after(
                    offset.last_id, limit=self.batch, types=[ev.MILESTONE_RECORDED]
                )
                if not events:
                    return 0
                left = {
                    str(e["order_id"]): int(e["payload"].get("at_ns") or e["at_ns"])
                    for e in events
                    if isinstance(e["payload"], dict) and e["payload"].get("milestone") == _OUTBOUND
                }
                rows = self._shipments(uow, left, now) if left else []
                uow.platforms.add_shipments(rows)
                uow.outbound.advance(CONSUMER, int(events[-1]["id"]), now)
                uow.commit()
                return len(events)

        return app.retrying(transaction)

    @staticmethod
    def shops_for(uow: UnitOfWork, keys: Mapping[tuple[str, str], str]) -> dict[tuple[str, str], str]:
        """The shop each (channel, external id) came from: the one that pulled it, else (a
        pushed order) the channel's one shop; orders of no known shop are left out."""
        shop_of = uow.platforms.shops_of(keys)
        by_channel: dict[str, list[str]] = {}
        for s in uow.platforms.shops():
            by_channel.setdefault(s["channel"], []).append(s["id"])
        for channel, external_id in keys:
            if (channel, external_id) not in shop_of and len(by_channel.get(channel, ())) == 1:
                shop_of[(channel, external_id)] = by_channel[channel][0]
        return shop_of

    def _shipments(self, uow: UnitOfWork, left: Mapping[str, int], now: int) -> list[ShipmentRecord]:
        orders = {oid: uow.orders.get(oid) for oid in left}
        keys = {(o["channel"], o["external_id"]): oid for oid, o in orders.items() if o is not None}
        shop_of = self.shops_for(uow, keys)
        out: list[ShipmentRecord] = []
        lines_of = uow.platforms.platform_lines(keys.values())
        for (channel, external_id), oid in keys.items():
            shop = shop_of.get((channel, external_id))
            if shop is None:
                continue
            at = left[oid]
            parcels = self.waybills(uow, oid)
            due = at + DEADLINE_S.get(channel, 900) * NS_PER_S
            if not parcels:
                parcels = [("", "")]
            held = parcel_lines.assign(len(parcels), lines_of.get(oid, []))
            for (waybill, carrier), lines in zip(parcels, held, strict=True):
                out.append(
                    {
                        "id": 0,
                        "shop_id": shop,
                        "order_id": oid,
                        "channel": channel,
                        "external_id": external_id,
                        "waybill": waybill[:64],
                        "carrier": carrier[:32],
                        "state": PENDING if waybill and carrier else DEAD,
                        "attempts": 0,
                        "next_at_ns": now,
                        "outbound_at_ns": at,
                        "due_at_ns": due,
                        "acked_at_ns": None,
                        "sla_raised": False,
                        "last_error": ""
                        if waybill and carrier
                        else "no waybill or carrier recorded / 未记录运单号或承运商",
                        "created_at_ns": now,
                        "updated_at_ns": now,
                        "kind": "ship",
                        "lines": lines,
                    }
                )
        return out

    def waybills(self, uow: UnitOfWork, order_id: str) -> list[tuple[str, str]]:
        """(waybill, carrier) of each parcel, from the order's milestone notes."""
        note, source = "", ""
        for e in uow.outbox.for_order(order_id):
            p = e["payload"]
            if e["type"] == ev.MILESTONE_RECORDED and isinstance(p, dict) and p.get("milestone") == _WAYBILL:
                note, source = str(p.get("note") or ""), str(p.get("source") or "")
        out = []
        fallback: str | None = None
        for part in note.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            carrier, sep, waybill = part.partition(":")
            if sep:
                out.append((waybill.strip(), carrier.strip()))
                continue
            if fallback is None:  # the carrier that reported the waybill, else routing's choice
                fallback = source if any(source in t for t in self._companies.values()) else ""
                attempts = [] if fallback else uow.routing.attempts(order_id)
                if attempts:
                    fallback = str(attempts[-1].get("carrier_ids") or "").split(",")[0]
            out.append((part, fallback))
        return out

    # 2. send ---------------------------------------------------------------------------
    def send(self) -> int:
        app = self.app
        now = app.clock.now_ns()
        with app.store.uow(read_only=True) as uow:
            due = uow.platforms.due_shipments(now, self.batch)
            # a split order's parcels go together, even when their retries fell due apart
            seen = {s["id"] for s in due}
            for oid in sorted({s["order_id"] for s in due if s["lines"]}):
                more = uow.platforms.shipments(state=PENDING, order_id=oid)
                due += [s for s in more if s["id"] not in seen and s["lines"]]
        if not due:
            return 0
        by_order: dict[tuple[str, str], list[ShipmentRecord]] = {}
        for s in due:
            by_order.setdefault((s["order_id"], s["kind"]), []).append(s)
        results = list(self._pool().map(lambda g: self._confirm(g, now), by_order.values()))
        acked = [i for ok, _ in results for i in ok]
        failed = [f for _, bad in results for f in bad]
        answered = app.clock.now_ns()  # when the last answer came: an upper bound for each ack

        late = [s["order_id"] for s in due if s["sla_raised"] and s["id"] in set(acked)]

        def transaction() -> None:
            with app.store.uow() as uow:
                uow.platforms.shipment_acked(acked, answered)
                if late:  # the deadline incident's cause is gone: close it
                    for row in uow.incidents.open_of_orders(late):
                        if row["detector"] == Detector.SLA.value and row["key"] == SYNC_KEY:
                            ledger.move(
                                uow,
                                row,
                                IncidentState.AUTO_RESOLVED,
                                answered,
                                by="ordo",
                                note="the platform acknowledged the shipment / 平台已确认发货",
                            )
                for s, error, final in failed:
                    attempts = s["attempts"] + 1
                    dead = final or attempts >= self.policy.max_attempts
                    uow.platforms.shipment_failed(
                        s["id"],
                        attempts=attempts,
                        next_at_ns=now + self.policy.delay_ns(attempts, app.rng),
                        error=error,
                        dead=dead,
                        now_ns=now,
                    )
                uow.commit()

        app.retrying(transaction)
        return len(due)

    def _pool(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix="ordo-writeback")
            return self._executor

    def close(self) -> None:
        with self._pool_lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False)
                self._executor = None

    def _confirm(
        self, group: list[ShipmentRecord], now: int
    ) -> tuple[list[int], list[tuple[ShipmentRecord, str, bool]]]:
        """One order's confirmation: (acknowledged ids, [(shipment, error, final)])."""
        app = self.app
        acked: list[int] = []
        failed: list[tuple[ShipmentRecord, str, bool]] = []
        group = sorted(group, key=lambda s: s["id"])  # the parcels in the note's order, after retries too
        first = group[0]
        try:
            shop = self.shops.get(app.store, first["shop_id"])
            creds = credentials(shop)
            table = self._companies.get(first["channel"], {})
            waybills = [(s["waybill"], table.get(s["carrier"], s["carrier"])) for s in group]
            unknown = [s["carrier"] for s in group if s["carrier"] not in table]
            if unknown:
                raise PlatformError(
                    "refused",
                    "unknown_carrier",
                    f"no {first['channel']} logistics id for carrier {unknown[0]!r} "
                    f"/ 承运商「{unknown[0]}」无对应的平台物流公司编码",
                )
            call = bound_call(self.client, creds, now // NS_PER_S)
            channel, external_id = first["channel"], first["external_id"]
            if first["kind"] != "ship":  # a cancellation: each e-waybill on its own
                told = [_tried(partial(cancel_waybill, call, channel, w, c)) for w, c in waybills]
                return self._settle(group, told)
            parcels = [
                Parcel(w, c, parcel_lines.decode(s["lines"]))
                for (w, c), s in zip(waybills, group, strict=True)
            ]
            if splits(channel, parcels):  # each parcel with the lines it holds
                return self._settle(group, confirm_split(call, channel, external_id, parcels))
            split = first["channel"] in SPLITS and len(group) > 1
            for part in ([w] for w in waybills) if split else [waybills]:
                self.client.confirm_shipment(creds, first["external_id"], part, now // NS_PER_S)
            acked += [s["id"] for s in group]
        except PlatformError as exc:
            if exc.kind == "auth":
                self.shops.forget(first["shop_id"])
            for s in group:
                failed.append((s, str(exc), not exc.retryable and exc.kind != "auth"))

        return acked, failed

    def _settle(
        self, group: list[ShipmentRecord], results: Sequence[PlatformError | None]
    ) -> tuple[list[int], list[tuple[ShipmentRecord, str, bool]]]:
        """Each row's answer: acknowledged (None), else failed, finally unless it may pass later."""
        acked: list[int] = []
        failed: list[tuple[ShipmentRecord, str, bool]] = []
        for s, err in zip(group, results, strict=True):
            if err is None:
                acked.append(s["id"])
                continue
            if err.kind == "auth":
                self.shops.forget(s["shop_id"])
            failed.append((s, str(err), not err.retryable and err.kind != "auth"))
        return acked, failed

    # 3. deadlines -------------------------------------------------------------------------
    def watch_deadlines(self) -> int:
        app = self.app
        now = app.clock.now_ns()

        def transaction() -> int:
            with app.store.uow() as uow:
                late = uow.platforms.overdue(now + WARN_BEFORE_S * NS_PER_S)
                if not late:
                    return 0
                raised = [
                    Raised(
                        s["order_id"],
                        Detector.SLA,
                        SYNC_KEY,
                        "notify_ops",
                        {
                            "timer": "platform_shipment_sync",
                            "shop_id": s["shop_id"],
                            "waybill": s["waybill"],
                            "deadline_ns": s["due_at_ns"],
                            "last_error": s["last_error"],
                            "clears_on": [],
                            "message": "shipment not yet confirmed to the platform "
                            "/ 发货信息尚未回传平台，临近平台时限",
                        },
                        s["channel"],
                    )
                    for s in late
                ]
                ledger.open_many(uow, raised, {}, now)
                uow.platforms.mark_sla_raised([s["id"] for s in late])
                uow.commit()
                return len(late)

        opened = app.retrying(transaction)
        if opened:
            app.notifier.notify()
        return opened


def _tried(send: Callable[[], None]) -> PlatformError | None:
    try:
        send()
    except PlatformError as exc:
        return exc
    return None


def replay_dead(app: Ordo, ids: Sequence[int] | None = None) -> int:
    """Dead-lettered confirmations (all, or ``ids``) are due again now; how many."""
    with app.store.uow() as uow:
        n = uow.platforms.replay_shipments(ids, app.clock.now_ns())
        uow.commit()
    return n


def shipments(app: Ordo, *, state: str | None = None, order_id: str | None = None) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return [dict(s) for s in uow.platforms.shipments(state=state, order_id=order_id, limit=1_000)]
