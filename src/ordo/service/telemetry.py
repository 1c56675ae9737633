"""Cold-chain telemetry in: fold readings into each sensor's state, raise real excursions.

One transaction per batch: the sensors' states are read, the pure tracker decides
(``ordo.domain.telemetry``: outside the product's range for longer than its dwell),
states are written back and each excursion opens a ``cold_chain`` exception, whose
playbook puts it in front of a person at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ordo.domain.exceptions import Detector, Raised
from ordo.domain.telemetry import Reading, SensorState, tolerance_for, track
from ordo.service import exceptions_ledger as ledger
from ordo.service.app import Ordo


@dataclass(frozen=True, slots=True)
class TelemetryResult:
    accepted: int
    unknown_orders: list[str]
    not_cold: list[str]
    excursions: int
    opened: int


def ingest(app: Ordo, readings: Sequence[Reading]) -> TelemetryResult:
    by_sensor: dict[tuple[str, str], list[Reading]] = defaultdict(list)
    for r in readings:
        by_sensor[(r.order_id, r.device_id)].append(r)

    def transaction() -> TelemetryResult:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            x = uow.exceptions
            orders = {oid for oid, _ in by_sensor}
            channels = x.channels(orders)
            cold = x.cold_categories(orders)
            states = x.sensor_states(by_sensor)
            unknown = sorted(orders - set(channels))
            not_cold = sorted(o for o in channels if o not in cold)
            raised: list[Raised] = []
            new_states: list[SensorState] = []
            accepted = excursions = 0
            for key, batch in sorted(by_sensor.items()):
                oid = key[0]
                if oid not in cold:
                    continue
                accepted += len(batch)
                state = states.get(key) or SensorState(*key)
                state, found = track(state, batch, tolerance_for(cold[oid]))
                new_states.append(state)
                for e in found:
                    excursions += 1
                    details = {
                        "device_id": e.device_id, "since_ns": e.since_ns, "at_ns": e.at_ns,
                        "duration_s": round(e.duration_s, 1), "peak_c": e.peak_c,
                        "range_c": [e.tolerance.min_c, e.tolerance.max_c], "dwell_s": e.tolerance.dwell_s,
                        "clears_on": [],
                    }  # fmt: skip
                    channel = channels.get(oid)
                    key_text = f"{e.device_id}:{e.since_ns}"
                    raised.append(Raised(oid, Detector.COLD_CHAIN, key_text, "cold_chain", details, channel))
            x.save_sensor_states(new_states, set(states))
            tiers = {r.order_id: "regular" for r in raised}
            tiers.update(x.tiers([r.order_id for r in raised]))
            opened = ledger.open_many(uow, raised, tiers, now)
            uow.commit()
        return TelemetryResult(accepted, unknown, not_cold, excursions, len(opened))

    result = app.retrying(transaction)
    app.notifier.notify()
    return result
