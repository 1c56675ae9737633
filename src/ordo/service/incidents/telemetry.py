"""Cold-chain telemetry in: fold readings into each sensor's state, raise real excursions.

One transaction per batch: the sensors' states and every known probe of the orders
(peers included) are read, each order's readings are folded in time order by the pure
judge (``ordo.domain.incidents.probes``: outside the product's range for longer than its dwell,
and not the probe's own fault), states are written back, each excursion opens a
``cold_chain`` incident (its playbook chosen per product category and value,
``ordo.domain.incidents.playbooks.cold_chain_playbook``) and each broken probe writes a
``telemetry.probe_fault`` maintenance event to the outbox instead of an order alert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ordo.domain.events import PROBE_FAULT, PROBE_RECOVERED, Event
from ordo.domain.incidents.incident import Detector, Raised
from ordo.domain.incidents.playbooks import cold_chain_playbook
from ordo.domain.incidents.probes import FAULT_LABELS, ProbeState, fold_order
from ordo.domain.incidents.telemetry import Excursion, Reading, SensorState, tolerance_for
from ordo.service.incidents import ledger
from ordo.service.runtime.app import Ordo


@dataclass(frozen=True, slots=True)
class TelemetryResult:
    accepted: int
    unknown_orders: list[str]
    not_cold: list[str]
    excursions: int
    opened: int
    probe_faults: int = 0


def ingest(app: Ordo, readings: Sequence[Reading]) -> TelemetryResult:
    by_order: dict[str, list[Reading]] = defaultdict(list)
    for r in readings:
        by_order[r.order_id].append(r)

    def transaction() -> TelemetryResult:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            x = uow.incidents
            orders = set(by_order)
            channels = x.channels(orders)
            cold = x.cold_categories(orders)
            unknown = sorted(orders - set(channels))
            not_cold = sorted(o for o in channels if o not in cold)
            probes = uow.cold_chain.probes(cold)
            keys = {(o, r.device_id) for o in cold for r in by_order[o]} | set(probes)
            states = x.sensor_states(keys)
            raised: list[Raised] = []
            events: list[Event] = []
            new_states: list[SensorState] = []
            new_probes: dict[tuple[str, str], ProbeState] = {}
            accepted = excursions = faults = 0
            for oid in sorted(cold):
                batch = by_order[oid]
                accepted += len(batch)
                tol = tolerance_for(cold[oid])
                fold = fold_order(
                    oid,
                    {d: s for (o, d), s in states.items() if o == oid},
                    {d: p for (o, d), p in probes.items() if o == oid},
                    batch,
                    tol,
                )
                new_states += [fold.sensors[d] for d in sorted(fold.changed)]
                new_probes.update({(oid, d): fold.probes[d] for d in fold.changed})
                excursions += len(fold.excursions)
                faults += len(fold.faults)
                if fold.excursions:
                    brief = x.order_brief(oid) or {}
                    book = cold_chain_playbook(cold[oid], int(brief.get("total_fen") or 0))
                    raised += [_raised(e, book, channels.get(oid)) for e in fold.excursions]
                for f in fold.faults:
                    en, zh = FAULT_LABELS[f.reason]
                    payload = {
                        "device_id": f.device_id, "reason": f.reason.value, "label": f"{en} / {zh}",
                        "celsius": f.celsius, "at_ns": f.at_ns, "evidence": dict(f.evidence),
                    }  # fmt: skip
                    events.append(Event(PROBE_FAULT, oid, now, payload, channel=channels.get(oid)))
                for rec in fold.recovered:
                    payload = {"device_id": rec.device_id, "reason": rec.reason, "at_ns": rec.at_ns}
                    events.append(Event(PROBE_RECOVERED, oid, now, payload, channel=channels.get(oid)))
            x.save_sensor_states(new_states, set(states))
            uow.cold_chain.save_probes(new_probes, set(probes), now)
            uow.outbox.append(events)
            tiers = {r.order_id: "regular" for r in raised}
            tiers.update(x.tiers([r.order_id for r in raised]))
            opened = ledger.open_many(uow, raised, tiers, now)
            uow.commit()
        return TelemetryResult(accepted, unknown, not_cold, excursions, len(opened), faults)

    result = app.retrying(transaction)
    app.notifier.notify()
    return result


def _raised(e: Excursion, book: str, channel: str | None) -> Raised:
    details: dict[str, Any] = {
        "device_id": e.device_id, "since_ns": e.since_ns, "at_ns": e.at_ns,
        "duration_s": round(e.duration_s, 1), "peak_c": e.peak_c,
        "range_c": [e.tolerance.min_c, e.tolerance.max_c], "dwell_s": e.tolerance.dwell_s,
        "clears_on": [],
    }  # fmt: skip
    # One open excursion per order: a second probe in the same warm parcel reports the same
    # goods, and one replacement makes them good.
    return Raised(e.order_id, Detector.COLD_CHAIN, "excursion", book, details, channel)


def faulty_probes(app: Ordo, limit: int = 100) -> list[dict[str, Any]]:
    """The probes maintenance should look at: order, device, why, since when (newest first)."""
    with app.store.uow(read_only=True) as uow:
        return uow.cold_chain.faulty_probes(limit)
