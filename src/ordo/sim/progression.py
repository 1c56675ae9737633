"""What happens to an order after intake: a timed script of milestone reports.

``plan`` writes, for one accepted order, every report the outside world will send
about it: which system (oms, wms, tms, a carrier, the channel), which milestone,
when it happened (``at_ns``) and when the report reaches Ordo (``arrive_ns``, a
little later). Durations follow a warehouse and parcel network (seconds for risk
checks, tens of minutes for picking, a day or more on the road depending on
distance). Noise is part of the script and labelled: duplicates, reports that
arrive after their successor's, and impossible reports that Ordo must refuse.
``EventQueue`` orders reports by arrival time. Pure: no clock, no store.
"""

from __future__ import annotations

import hashlib
import heapq
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ordo.domain.geo import haversine_km
from ordo.domain.orders.milestones import LEFT_WAREHOUSE, Milestone, MilestoneUpdate
from ordo.domain.orders.model import HANDLING_FLAGS, Carrier, Channel, Order, Warehouse
from ordo.sim.world import REMOTE_PROVINCES

M = Milestone
S = 1_000_000_000
MIN, HOUR, DAY = 60 * S, 3600 * S, 86_400 * S

OMS, WMS, TMS = "oms", "wms", "tms"
NOTE_BUYER_CANCEL = "买家取消 / cancelled by buyer"
NOTE_UNPAID = "超时未支付 / not paid in time"
NOTE_OUT_OF_STOCK = "缺货取消 / out of stock"
NOTE_AUTO_CONFIRM = "自动确认收货 / receipt confirmed automatically"


class Kind(StrEnum):
    NORMAL = "normal"
    #: The same report sent again (a retried webhook); Ordo records it once.
    DUPLICATE = "duplicate"
    #: Held up somewhere: arrives after the report of the next step.
    LATE = "late"
    #: Contradicts what Ordo knows (e.g. ``delivered`` for a cancelled order).
    IMPOSSIBLE = "impossible"


@dataclass(frozen=True, slots=True)
class Report:
    arrive_ns: int
    update: MilestoneUpdate
    kind: Kind = Kind.NORMAL


@dataclass(frozen=True, slots=True)
class Noise:
    """How messy the outside world is; shares are per report or per order as named."""

    duplicate: float = 0.02  # per report
    late: float = 0.03  # per report
    impossible: float = 0.01  # per order: one report that must be refused
    cancel: float = 0.04  # per paid order: the buyer cancels before it ships
    unpaid_timeout: float = 0.35  # per unpaid order: never paid, closed after 30 minutes
    returns: float = 0.02  # per delivered order: sent back and refunded


QUIET = Noise(duplicate=0, late=0, impossible=0, cancel=0, unpaid_timeout=0, returns=0)


def _span(rng: random.Random, lo_s: float, hi_s: float) -> int:
    """A duration between ``lo_s`` and ``hi_s`` seconds, log-uniform (short is commoner)."""
    return int(lo_s * (hi_s / lo_s) ** rng.random() * S)


# How long after a step reaches Ordo: OMS is in-process, warehouses batch, carriers lag most.
_LATENCY_S = {OMS: (0.05, 1.0), WMS: (1.0, 30.0), TMS: (5.0, 60.0)}
_CARRIER_LATENCY_S = (30.0, 900.0)
_CHANNEL_LATENCY_S = (1.0, 30.0)

_CHEAP = ("zto", "yto", "yunda", "sto", "jtexpress")
_PREMIUM_FEN = 300_000  # above 3,000 yuan a parcel goes with 顺丰


def choose_carrier(order: Order, carriers: Sequence[Carrier], rng: random.Random) -> Carrier:
    """The carrier a merchant would book: covers the province, handles the goods, fits the channel."""
    need = order.flags & HANDLING_FLAGS
    able = [
        c
        for c in carriers
        if need <= c.capabilities and (not c.coverage or order.ship_to.province in c.coverage)
    ]
    if not able:  # nobody fits every flag: the most capable carrier serving the province takes it
        able = [c for c in carriers if not c.coverage or order.ship_to.province in c.coverage] or list(
            carriers
        )
        able.sort(key=lambda c: -len(c.capabilities & need))
        return able[0]
    by_id = {c.id: c for c in able}
    if order.channel == Channel.JD and "jdl" in by_id and rng.random() < 0.9:
        return by_id["jdl"]
    if order.total_fen >= _PREMIUM_FEN and "sf" in by_id:
        return by_id["sf"]
    cheap = [by_id[c] for c in _CHEAP if c in by_id]
    if cheap and order.channel in (Channel.PINDUODUO, Channel.DOUYIN, Channel.KUAISHOU, Channel.TAOBAO):
        return rng.choice(cheap)
    return rng.choices(able, [c.daily_capacity for c in able])[0]


def transit_time(distance_km: float, remote: bool, rng: random.Random) -> int:
    """Line haul from the carrier's hub to the destination's delivery station."""
    hours = (6 + distance_km / 55) * rng.uniform(0.8, 1.4)
    return int(hours * (1.5 if remote else 1.0) * HOUR)


@dataclass
class _Script:
    order_id: str
    channel: str
    rng: random.Random
    reports: list[Report] = field(default_factory=list)

    def add(
        self, step: Milestone, at: int, source: str, latency_s: tuple[float, float], note: str = ""
    ) -> int:
        arrive = at + _span(self.rng, *latency_s)
        self.reports.append(Report(arrive, MilestoneUpdate(self.order_id, step, at, source, note)))
        return arrive

    def last_arrival(self) -> int:
        return max(r.arrive_ns for r in self.reports) if self.reports else 0


def waybill(order_id: str, carrier_id: str | None) -> str:
    """The waybill number the carrier's system hands out, as the ``waybill_issued`` note
    (``sf:SF4823…``, the carrier booked as prefix): derived from the order id, so the
    plan's random draws stay as they were."""
    digits = int.from_bytes(hashlib.blake2b(order_id.encode(), digest_size=6).digest(), "big") % 10**12
    code = (carrier_id or "").upper()[:2] or "YT"
    number = f"{code}{digits:012d}"
    return f"{carrier_id}:{number}" if carrier_id else number


def plan(
    order: Order,
    *,
    order_id: str,
    intake_ns: int,
    warehouse: Warehouse | None,
    carriers: Sequence[Carrier],
    rng: random.Random,
    noise: Noise = Noise(),
    carrier_id: str | None = None,
) -> list[Report]:
    """Every report about one accepted order, from intake to its end (unordered).

    ``carrier_id`` is the carrier routing booked: it collects and scans the parcel (else
    the one a merchant would book, :func:`choose_carrier`)."""
    ch = order.channel
    s = _Script(order_id, ch, rng)
    latency = {OMS: _LATENCY_S[OMS], WMS: _LATENCY_S[WMS], TMS: _LATENCY_S[TMS]}
    t = intake_ns
    cancelled_at: int | None = None

    if order.paid_at_ns is None:
        if rng.random() < noise.unpaid_timeout:
            cancelled_at = max(order.placed_at_ns + 30 * MIN, t + S)
            s.add(M.CANCELLED, cancelled_at, ch, _CHANNEL_LATENCY_S, NOTE_UNPAID)
            return _finish(s, noise, cancelled=True)
        t = max(t, order.placed_at_ns + _span(rng, 60, 25 * 60))
        s.add(M.PAID, t, ch, _CHANNEL_LATENCY_S)
    else:
        t = max(t, order.paid_at_ns)

    t += _span(rng, 1, 30)
    s.add(M.RISK_CHECKED, t, OMS, latency[OMS])
    manual = rng.random() < 0.05 or (order.priority > 0 and rng.random() < 0.3)
    t += _span(rng, 600, 5400) if manual else _span(rng, 5, 120)
    s.add(M.REVIEWED, t, OMS, latency[OMS], "人工审单 / manual review" if manual else "")

    if warehouse is None:  # on hold for stock: customer service closes it within hours
        cancelled_at = max(t + _span(rng, 3600, 6 * 3600), s.last_arrival() + S)
        s.add(M.CANCELLED, cancelled_at, OMS, latency[OMS], NOTE_OUT_OF_STOCK)
        return _finish(s, noise, cancelled=True)

    cut = rng.randrange(4) if rng.random() < noise.cancel else None
    warehouse_steps = (
        (M.RELEASED_TO_WAREHOUSE, OMS, 60, 900),
        (M.PICKED, WMS, 600, 5400),
        (M.PACKED, WMS, 300, 1800),
        (M.WAYBILL_ISSUED, TMS, 10, 120),
        (M.OUTBOUND, WMS, 1200, 3 * 3600),
    )
    for k, (step, source, lo, hi) in enumerate(warehouse_steps):
        if cut is not None and k == cut + 1:
            # The buyer changes their mind between two warehouse steps, after Ordo heard the last one.
            cancelled_at = max(t + _span(rng, 30, hi), s.last_arrival() + S)
            s.add(M.CANCELLED, cancelled_at, ch, _CHANNEL_LATENCY_S, NOTE_BUYER_CANCEL)
            return _finish(s, noise, cancelled=True)
        t += _span(rng, lo, hi)
        note = waybill(order_id, carrier_id) if step is M.WAYBILL_ISSUED else ""
        s.add(step, t, source, latency[source], note)

    carrier = choose_carrier(order, carriers, rng).id  # drawn either way: the plan's rng stays in step
    if carrier_id and any(c.id == carrier_id for c in carriers):
        carrier = carrier_id
    t += _span(rng, 1800, 4 * 3600)
    s.add(M.COLLECTED, t, carrier, _CARRIER_LATENCY_S)
    t += _span(rng, 3600, 6 * 3600)
    s.add(M.DEPARTED, t, TMS, latency[TMS])
    t += _span(rng, 3600, 4 * 3600)
    s.add(M.IN_TRANSIT, t, carrier, _CARRIER_LATENCY_S)
    ship = order.ship_to
    distance = 0.0
    if ship.lat is not None and ship.lng is not None:
        distance = haversine_km(warehouse.lat, warehouse.lng, ship.lat, ship.lng)
    t += transit_time(distance, ship.province in REMOTE_PROVINCES, rng)
    s.add(M.OUT_FOR_DELIVERY, t, carrier, _CARRIER_LATENCY_S)
    t += _span(rng, 1800, 6 * 3600)
    s.add(M.DELIVERED, t, carrier, _CARRIER_LATENCY_S)

    if rng.random() < noise.returns:
        t += _span(rng, 3600, 5 * 86_400)
        s.add(M.RETURN_REQUESTED, t, ch, _CHANNEL_LATENCY_S, "七天无理由退货 / 7-day return")
        t += _span(rng, 86_400, 4 * 86_400)
        s.add(M.RETURNED, t, carrier, _CARRIER_LATENCY_S)
        t += _span(rng, 600, 86_400)
        s.add(M.REFUNDED, t, ch, _CHANNEL_LATENCY_S)
    elif rng.random() < 0.55:
        t += _span(rng, 2 * 3600, 3 * 86_400)
        s.add(M.COMPLETED, t, ch, _CHANNEL_LATENCY_S)
    else:  # platforms confirm receipt on the buyer's behalf after 7 days
        t += 7 * DAY
        s.add(M.COMPLETED, t, ch, _CHANNEL_LATENCY_S, NOTE_AUTO_CONFIRM)
    return _finish(s, noise, cancelled=False)


def _finish(s: _Script, noise: Noise, *, cancelled: bool) -> list[Report]:
    rng = s.rng
    out = s.reports
    # Late reports: only on orders that end normally, so a held-up warehouse report
    # never lands after a cancellation (that would be a real anomaly, not noise).
    if not cancelled:
        for i in range(len(out) - 2, -1, -1):
            if rng.random() < noise.late:
                after = out[i + 1].arrive_ns + _span(rng, 1, 600)
                if after > out[i].arrive_ns:
                    out[i] = Report(after, out[i].update, Kind.LATE)
    dupes = [
        Report(r.arrive_ns + _span(rng, 1, 1800), r.update, Kind.DUPLICATE)
        for r in out
        if rng.random() < noise.duplicate
    ]
    out.extend(dupes)
    if rng.random() < noise.impossible:
        oid = s.order_id
        if cancelled:
            # A carrier scans a waybill that was printed for an order since cancelled.
            at = s.last_arrival() + _span(rng, 3600, 2 * 86_400)
            update = MilestoneUpdate(oid, M.DELIVERED, at, "zto", "misrouted scan")
        else:
            # The channel relays a buyer's cancel after Ordo heard the parcel left.
            left = min(r.arrive_ns for r in out if r.update.milestone in LEFT_WAREHOUSE)
            at = left + _span(rng, 600, 6 * 3600)
            update = MilestoneUpdate(oid, M.CANCELLED, at, s.channel, NOTE_BUYER_CANCEL)
        out.append(Report(at + _span(rng, *_CHANNEL_LATENCY_S), update, Kind.IMPOSSIBLE))
    return out


class EventQueue:
    """Reports waiting to reach Ordo, earliest arrival first (a binary heap)."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Report]] = []
        self._seq = 0  # ties keep insertion order, and Reports are never compared

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, reports: Iterable[Report]) -> None:
        for r in reports:
            heapq.heappush(self._heap, (r.arrive_ns, self._seq, r))
            self._seq += 1

    def next_time(self) -> int | None:
        return self._heap[0][0] if self._heap else None

    def withdraw(self, order_id: str) -> list[Report]:
        """Take back one order's reports that have not arrived yet (to plan them anew)."""
        mine = [r for _, _, r in self._heap if r.update.order_id == order_id]
        if mine:
            self._heap = [e for e in self._heap if e[2].update.order_id != order_id]
            heapq.heapify(self._heap)
        return sorted(mine, key=lambda r: r.arrive_ns)

    def pop_due(self, until_ns: int, limit: int | None = None) -> list[Report]:
        """Reports arriving at or before ``until_ns``, in arrival order, at most ``limit``."""
        out: list[Report] = []
        while self._heap and self._heap[0][0] <= until_ns and (limit is None or len(out) < limit):
            out.append(heapq.heappop(self._heap)[2])
        return out
