"""Incidents through the store on one backend (subclassed per backend).

``IncidentsContract`` is abstract: a backend's module subclasses it and provides ``url``,
an empty database. The scenarios are the issue's: an SLA breach runs its playbook and the
incident closes itself; a stock-out is retried and closes when stock arrives; a human-queue
item goes acknowledged → resolved; a dismissal counts against precision; a noisy sensor
raises nothing but a real excursion does. Each checks the events written with the state.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from ordo.adapters.store.schema import core as t
from ordo.clock import ManualClock
from ordo.domain import events as ev
from ordo.domain.incidents.incident import IncidentStateError
from ordo.domain.incidents.telemetry import Reading
from ordo.domain.orders.holds import HoldReason
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import Sku, Stock
from ordo.service.incidents import queue as q
from ordo.service.incidents.scan import scan
from ordo.service.incidents.telemetry import ingest
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance, cancel
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, make_app, new_order, seed_tiny_world

MIN = 60
S = 1_000_000_000


def _incidents(app: Ordo, **filters: object) -> list[dict[str, object]]:
    rows, _ = q.list_incidents(app, q.IncidentFilter(**filters), limit=200)  # type: ignore[arg-type]
    return rows


def _event_types(app: Ordo, order_id: str) -> list[str]:
    with app.store.uow(read_only=True) as uow:
        return [e["type"] for e in uow.outbox.for_order(order_id)]


class IncidentsContract:
    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def clock(self) -> ManualClock:
        return ManualClock(T0)

    @pytest.fixture
    def app(self, url: str, clock: ManualClock) -> Iterator[Ordo]:
        ordo = make_app(url, clock)
        seed_tiny_world(ordo)
        yield ordo
        ordo.store.dispose()

    def _order(self, app: Ordo, ext: str, lines: list[tuple[str, int]] | None = None) -> str:
        [res] = intake(app, [new_order(ext, lines)])
        assert res.order_id is not None
        return res.order_id

    def test_an_sla_breach_runs_its_playbook_and_the_incident_closes_itself(self, app, clock):
        oid = self._order(app, "SLA-1")
        clock.advance(10 * MIN)
        reviewed = MilestoneUpdate(oid, Milestone.REVIEWED, T0 + 30 * S, "oms")
        released = MilestoneUpdate(oid, Milestone.RELEASED_TO_WAREHOUSE, T0 + 10 * MIN * S, "oms")
        advance(app, [reviewed, released])
        clock.advance(2 * 3600)
        assert scan(app).opened == 0  # picking may take a while yet
        clock.advance(3600 + 60)
        report = scan(app)
        assert report.timers_fired == 1 and report.opened == 1
        [row] = _incidents(app, order_id=oid)
        assert (row["detector"], row["key"], row["state"]) == ("sla", "pick", "open")
        steps = {s["step"]: s["outcome"] for s in row["steps"]}  # type: ignore[union-attr]
        assert steps == {"remind_warehouse": "done", "reroute": "done", "recompute_promise": "done"}
        assert scan(app).opened == 0  # the same breach is raised once

        advance(app, [MilestoneUpdate(oid, Milestone.PICKED, clock.now_ns(), "wms")])
        assert scan(app).auto_resolved == 1
        [row] = _incidents(app, order_id=oid)
        assert row["state"] == "auto_resolved" and row["open_key"] is None
        types = _event_types(app, oid)
        for kind in (ev.INCIDENT_OPENED, ev.INCIDENT_STEP, ev.ORDER_REROUTED, ev.ORDER_PROMISE_UPDATED,
                     ev.INCIDENT_AUTO_RESOLVED):  # fmt: skip
            assert kind in types
        assert q.metrics(app)["auto_closure_rate"] == 1.0

    def test_a_stock_out_is_retried_and_closes_when_stock_arrives(self, app, clock):
        oid = self._order(app, "OOS-1", [("SKU-RARE", 5)])  # 5 on hand, safety 1: cannot lock
        report = scan(app)
        assert report.opened == 1
        [row] = _incidents(app, order_id=oid)
        assert row["detector"] == "stock_out" and row["steps"][-1]["outcome"] == "failed"  # type: ignore[index]
        clock.advance(10 * MIN)
        scan(app)
        assert _incidents(app, order_id=oid)[0]["attempts"] == 2

        save_catalog(app, stock=[Stock("WH-GZ", "SKU-RARE", 10)])
        clock.advance(10 * MIN)
        report = scan(app)
        assert report.auto_resolved == 1
        [row] = _incidents(app, order_id=oid)
        assert row["state"] == "auto_resolved"
        with app.store.uow(read_only=True) as uow:
            order = uow.orders.get(oid)
            assert order is not None
            assert order["warehouse_id"] == "WH-GZ" and order["hold_reason"] is None
            assert {m["milestone"] for m in order["milestones"]} >= {"stock_locked", "routed"}
            assert uow.stock.get([("WH-GZ", "SKU-RARE")])[("WH-GZ", "SKU-RARE")].reserved == 5

    def test_a_cancelled_order_leaves_no_stock_out_open_whenever_the_scan_sees_it(self, app, clock):
        early = self._order(app, "OOS-C1", [("SKU-RARE", 5)])
        cancel(app, [early], reason="客户取消")  # cancelled before the scan ever saw the hold
        scan(app)
        late = self._order(app, "OOS-C2", [("SKU-RARE", 5)])
        assert scan(app).opened == 1
        clock.advance(MIN)
        cancel(app, [late], reason="客户取消")  # cancelled while its stock-out was open
        scan(app)
        for oid in (early, late):
            assert [r["state"] for r in _incidents(app, order_id=oid) if r["state"] == "open"] == []
        [row] = _incidents(app, order_id=late)
        assert row["state"] == "resolved" and row["detector"] == "stock_out"

    def test_a_playbook_moving_an_order_ends_a_wait_for_stock_but_keeps_an_operators_hold(self, app):
        waiting, held = self._order(app, "ALLOC-1"), self._order(app, "ALLOC-2")
        with app.store.uow() as uow:
            for oid, reason in ((waiting, HoldReason.NO_STOCK), (held, "manual:客户要求暂缓")):
                uow.connection.execute(
                    sa.update(t.orders).where(t.orders.c.id == oid).values(hold_reason=reason)
                )
                uow.incidents.set_allocation(oid, "WH-GZ", T0)
            uow.commit()
        with app.store.uow(read_only=True) as uow:
            moved = [uow.orders.get(oid) for oid in (waiting, held)]
        assert [o["warehouse_id"] for o in moved] == ["WH-GZ", "WH-GZ"]  # type: ignore[index]
        assert [o["hold_reason"] for o in moved] == [None, "manual:客户要求暂缓"]  # type: ignore[index]

    def test_a_stock_out_that_never_clears_goes_to_the_human_queue(self, app, clock):
        oid = self._order(app, "OOS-2", [("SKU-RARE", 5)])
        for _ in range(20):
            scan(app)
            clock.advance(10 * MIN)
        [row] = _incidents(app, order_id=oid)
        assert row["queued"] is True and row["state"] == "open" and row["due_ns"] is not None
        assert ev.INCIDENT_ESCALATED in _event_types(app, oid)

    def test_a_human_queue_item_goes_acknowledged_then_resolved(self, app, clock):
        oid = self._order(app, "CONF-1")
        with app.store.uow() as uow:  # what the status-graph feature writes on a disagreement
            from ordo.domain.events import Event

            uow.outbox.append(
                [Event("order.status_conflict", oid, T0, {"rule": "shipped_vs_packing"}, "tmall")]
            )
            uow.commit()
        scan(app)
        [row] = _incidents(app, order_id=oid, queued=True)
        assert row["detector"] == "status_conflict" and row["priority"] == 3
        eid = int(row["id"])  # type: ignore[call-overload]
        q.assign(app, eid, "li.lei", by="api:k1")
        acked = q.acknowledge(app, eid, by="api:k1", note="checking with the WMS")
        assert acked["state"] == "acknowledged" and acked["assignee"] == "li.lei"
        done = q.resolve(app, eid, by="api:k1", note="WMS corrected")
        assert done["state"] == "resolved" and done["closed_at_ns"] == clock.now_ns()
        with pytest.raises(IncidentStateError):
            q.dismiss(app, eid, by="api:k1")
        types = _event_types(app, oid)
        assert [t for t in types if t.startswith("exception.") and t != ev.INCIDENT_STEP] == [
            ev.INCIDENT_OPENED, ev.INCIDENT_NOTIFIED, ev.INCIDENT_ESCALATED, ev.INCIDENT_ASSIGNED,
            ev.INCIDENT_ACKNOWLEDGED, ev.INCIDENT_RESOLVED,
        ]  # fmt: skip

    def test_a_dismissal_counts_against_alert_precision(self, app, clock):
        a, b = self._order(app, "ADDR-1"), self._order(app, "ADDR-2")
        with app.store.uow() as uow:
            from ordo.domain.events import Event

            uow.outbox.append([Event("order.status_conflict", o, T0, {"rule": "r"}, "tmall") for o in (a, b)])
            uow.commit()
        scan(app)
        first, second = sorted(int(r["id"]) for r in _incidents(app))  # type: ignore[call-overload]
        q.resolve(app, first, by="ann", note="仓库已补扫 / warehouse re-scanned")
        q.dismiss(app, second, by="ann", note="误报 / false alarm")
        m = q.metrics(app)
        assert m["alert_precision"] == 0.5 and m["dismissed"] == 1
        assert m["by_detector"]["status_conflict"]["alert_precision"] == 0.5

    def test_a_noisy_sensor_raises_nothing_but_a_real_excursion_does(self, app, clock):
        oid = self._order(app, "COLD-1", [("SKU-MILK", 2)])  # 0–8 °C, 20 minutes' dwell
        noisy = [Reading(oid, "D1", T0 + i * MIN * S, 4.0) for i in range(30)]
        noisy[10] = Reading(oid, "D1", T0 + 10 * MIN * S, 19.5)  # the door opened once
        assert ingest(app, noisy).excursions == 0
        real = [Reading(oid, "D2", T0 + i * MIN * S, 4.0 if i < 5 else 11.0) for i in range(40)]
        result = ingest(app, real)
        assert result.excursions == 1 and result.opened == 1
        [row] = _incidents(app, order_id=oid)
        assert row["detector"] == "cold_chain" and row["details"]["device_id"] == "D2"  # type: ignore[index]
        assert row["playbook"] == "cold_chain_reship"  # milk: automation re-ships it
        # more readings of the same excursion raise nothing new
        more = [Reading(oid, "D2", T0 + i * MIN * S, 12.0 + i / 100) for i in range(40, 50)]
        assert ingest(app, more).excursions == 0

    def test_a_real_excursion_is_made_good_by_a_replacement_and_closes_when_it_ships(self, app, clock):
        oid = self._order(app, "COLD-2", [("SKU-MILK", 2)])
        # The refrigeration fails at 15 minutes; the milk warms along its curve (2–6 °C range).
        warming = [4.1, 3.9, 4.2, 5.5, 8.3, 10.6, 12.4, 13.9, 15.0, 15.9, 16.6]
        readings = [Reading(oid, "P1", T0 + i * 5 * MIN * S, c) for i, c in enumerate(warming)]
        clock.advance(60 * MIN)
        result = ingest(app, readings)
        assert (result.excursions, result.probe_faults, result.opened) == (1, 0, 1)
        scan(app)
        [row] = _incidents(app, order_id=oid)
        assert row["playbook"] == "cold_chain_reship" and row["state"] == "open" and not row["queued"]
        outcomes = [(s["step"], s["outcome"]) for s in row["steps"]]  # type: ignore[union-attr]
        assert outcomes[:2] == [("quarantine", "done"), ("reship", "done")]
        with app.store.uow(read_only=True) as uow:
            placed = uow.cold_chain.replacement(int(row["id"]))  # type: ignore[call-overload]
            assert placed is not None and placed["state"] == "placed"
            new_id = placed["replacement_order_id"]
            replacement = uow.orders.get(new_id)
            reserved = {(r.warehouse_id, r.sku): r.reserved for r in uow.stock.query(sku="SKU-MILK")}
        assert replacement is not None and replacement["warehouse_id"] == "WH-SH"
        assert [(ln["sku"], ln["quantity"], ln["unit_price_fen"]) for ln in replacement["lines"]] == [
            ("SKU-MILK", 2, 0)
        ]
        assert reserved[("WH-SH", "SKU-MILK")] == 4  # the original's two and the replacement's two
        types = _event_types(app, oid)
        for kind in ("order.quarantined", "order.replacement_placed", ev.ORDER_PROMISE_UPDATED):
            assert kind in types
        clock.advance(30 * MIN)
        scan(app)
        assert _incidents(app, order_id=oid)[0]["state"] == "open"  # placed is not shipped

        now = clock.now_ns()
        steps = [
            Milestone.RELEASED_TO_WAREHOUSE,
            Milestone.PICKED,
            Milestone.PACKED,
            Milestone.WAYBILL_ISSUED,
        ]
        advance(app, [MilestoneUpdate(new_id, m, now - (4 - k) * S, "wms") for k, m in enumerate(steps)])
        scan(app)
        assert _incidents(app, order_id=oid)[0]["state"] == "open"  # packed is not shipped either
        advance(app, [MilestoneUpdate(new_id, Milestone.OUTBOUND, now, "wms")])
        clock.advance(MIN)
        assert scan(app).auto_resolved == 1
        [row] = _incidents(app, order_id=oid)
        assert row["state"] == "auto_resolved" and new_id in str(row["resolution"])
        with app.store.uow(read_only=True) as uow:
            assert (uow.cold_chain.replacement(int(row["id"])) or {})["state"] == "shipped"  # type: ignore[call-overload]

    def test_a_broken_probe_raises_a_probe_fault_not_an_excursion(self, app, clock):
        oid = self._order(app, "COLD-3", [("SKU-MILK", 1)])
        plateau = [4.1, 3.9, 4.0, 26.3, 26.1, 26.4, 26.2, 26.3, 26.2, 26.4, 4.2, 3.8]
        readings = [Reading(oid, "P1", T0 + i * 10 * MIN * S, c) for i, c in enumerate(plateau)]
        first, second = ingest(app, readings[:6]), ingest(app, readings[6:])  # judged across batches
        assert first.excursions + second.excursions == 0
        assert first.probe_faults + second.probe_faults == 1
        assert _incidents(app, order_id=oid) == []  # maintenance, not a customer-order alert
        with app.store.uow(read_only=True) as uow:
            faults = [e for e in uow.outbox.for_order(oid) if e["type"] == "telemetry.probe_fault"]
            recovered = [e for e in uow.outbox.for_order(oid) if e["type"] == "telemetry.probe_recovered"]
        assert [f["payload"]["reason"] for f in faults] == ["impossible_jump"]
        assert faults[0]["payload"]["device_id"] == "P1" and len(recovered) == 1

    def test_a_pharma_excursion_still_goes_to_a_person_at_once(self, app, clock):
        vaccine = Sku("SKU-VAX", "流感疫苗", "医药", 9_800, 50, frozenset({"cold_chain"}))
        save_catalog(app, skus=[vaccine], stock=[Stock("WH-SH", "SKU-VAX", 10)])
        oid = self._order(app, "COLD-4", [("SKU-VAX", 1)])
        warming = [4.1, 3.9, 4.2, 6.5, 9.3, 11.6, 13.4, 14.9, 16.0, 16.9]  # 0–8 °C, 20 minutes
        assert (
            ingest(app, [Reading(oid, "P1", T0 + i * 5 * MIN * S, c) for i, c in enumerate(warming)]).opened
            == 1
        )
        scan(app)
        [row] = _incidents(app, order_id=oid)
        assert row["playbook"] == "cold_chain" and row["queued"] is True and row["priority"] == 1
        with app.store.uow(read_only=True) as uow:
            assert uow.cold_chain.replacement(int(row["id"])) is None  # type: ignore[call-overload]
