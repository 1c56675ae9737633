"""Cancellations told to the platforms, against the platform emulator: an order cancelled in
Ordo, or held and intercepted after its release, with an e-waybill taken and the parcel not
collected, has that waybill cancelled at its platform (TOP ``cainiao.waybill.ii.cancel``,
Douyin ``logistics.cancelOrder``) through the shipment write-back's own queue: nothing
lost across a 60 s emulator outage (emulated time), dead letters replayed; nothing is sent
for an order without a waybill, for a collected parcel, or to a platform with no such call
(JD)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordo.bootstrap import bootstrap
from ordo.clock import NS_PER_S, ManualClock
from ordo.config import Settings
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.channels.pull import Puller
from ordo.service.channels.writeback import WriteBack, replay_dead, shipments
from ordo.service.orders.holds import hold
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import RetryPolicy
from ordo.sim.platforms import EmulatedShop, Emulator, EmulatorServer
from tests.conftest import T0, seed_tiny_world
from tests.integration.platforms.helpers import EMULATED_SKUS, client, register, shops

CHANNELS = ["taobao", "douyin", "jd"]
#: The carrier code each platform's waybill service knows "sf" by (logistics.json).
SF = {"taobao": "SF", "douyin": "shunfeng"}
M = Milestone


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[Ordo]:
    ordo = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'ordo.db'}"), clock=clock, rng=random.Random(7)
    )
    seed_tiny_world(ordo)
    with ordo.store.uow() as uow:  # enough stock that every order is routed (none held for stock)
        uow.connection.exec_driver_sql("UPDATE stock SET on_hand = on_hand + 10000")
        uow.commit()
    yield ordo
    ordo.store.dispose()


@pytest.fixture
def emulated() -> list[EmulatedShop]:
    return shops(CHANNELS, 30)


@pytest.fixture
def emulator(clock: ManualClock, emulated: list[EmulatedShop]) -> Emulator:
    return Emulator(clock, emulated, skus=EMULATED_SKUS)


@pytest.fixture
def server(app: Ordo, emulator: Emulator, emulated: list[EmulatedShop]) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator) as srv:
        register(app, emulated, srv.url)
        puller = Puller(app, client(), lookback_s=3_600)
        assert all(puller.pull(s.shop_id).created == 30 for s in emulated)
        yield srv


def _record(app: Ordo, updates: list[MilestoneUpdate]) -> None:
    results = advance(app, updates)
    assert all(r.outcome.value == "recorded" for r in results), {r.error for r in results if r.error}


def _stop_orders(app: Ordo, clock: ManualClock) -> dict[str, set[tuple[str, str]]]:
    """Per channel: 4 orders cancelled after their waybill, 3 held after release with a
    waybill (intercepted), 3 cancelled with none, 3 shipped (collected: their waybills stand).
    The (shop, waybill) pairs the platform should be told to cancel."""
    with app.store.uow(read_only=True) as uow:
        rows = uow.connection.exec_driver_sql("SELECT channel, id FROM orders ORDER BY id").all()
    by_channel: dict[str, list[str]] = {}
    for channel, oid in rows:
        by_channel.setdefault(channel, []).append(oid)
    now = clock.now_ns()
    expected: dict[str, set[tuple[str, str]]] = {}
    held: list[str] = []
    for ch, ids in by_channel.items():
        shop = f"{ch}-{CHANNELS.index(ch)}"
        cancel, intercept, bare, collected = ids[:4], ids[4:7], ids[7:10], ids[10:13]
        ups: list[MilestoneUpdate] = []
        for n, oid in enumerate(cancel + intercept + collected):
            ups.append(MilestoneUpdate(oid, M.RELEASED_TO_WAREHOUSE, now, "wms"))
            ups.append(MilestoneUpdate(oid, M.WAYBILL_ISSUED, now, "tms", f"sf:{ch[:2].upper()}X{n:04d}"))
        for oid in collected:
            ups.append(MilestoneUpdate(oid, M.OUTBOUND, now, "wms"))
        _record(app, ups)
        _record(app, [MilestoneUpdate(oid, M.CANCELLED, now, "ordo") for oid in cancel + bare])
        held += intercept
        told = {(shop, f"{ch[:2].upper()}X{n:04d}") for n in range(len(cancel + intercept))}
        expected[ch] = told if ch in SF else set()
    outcomes = hold(app, held, reason="地址待核实 / address to check", actor="ops")
    assert all(o.intercept == "requested" for o in outcomes), outcomes
    return expected


def _run(wb: WriteBack, clock: ManualClock, seconds: int) -> None:
    for _ in range(seconds):
        wb.step()
        clock.advance(1)


def _told(emulator: Emulator) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {ch: set() for ch in CHANNELS}
    for shop, waybill, company, _ in emulator.cancelled:
        ch = shop.rsplit("-", 1)[0]
        assert company == SF[ch]  # the carrier as the platform's waybill service names it
        out[ch].add((shop, waybill))
    return out


@pytest.mark.usefixtures("server")
def test_cancelled_and_intercepted_orders_have_their_waybills_cancelled_across_an_outage(
    app: Ordo, clock: ManualClock, emulator: Emulator
) -> None:
    wb = WriteBack(app, client())
    wb.step()
    emulator.outage(clock.now_ns() + 60 * NS_PER_S)
    expected = _stop_orders(app, clock)
    _run(wb, clock, 180)
    rows = [r for r in shipments(app) if r["kind"] == "cancel"]
    assert emulator.stats["outage"] > 0
    assert len(rows) == 2 * 7 and {r["state"] for r in rows} == {"acked"}, {r["last_error"] for r in rows}
    assert min(r["acked_at_ns"] or 0 for r in rows) >= T0 + 60 * NS_PER_S
    assert _told(emulator) == expected  # JD has no such call: nothing sent there
    assert len(emulator.cancelled) == 14  # each waybill cancelled once, none lost
    shipped = [r for r in shipments(app) if r["kind"] == "ship"]  # the collected parcels: confirmed
    assert len(shipped) == 3 * 3 and {r["state"] for r in shipped} == {"acked"}
    assert not {r["waybill"] for r in shipped} & {w for ch in expected.values() for _, w in ch}


@pytest.mark.usefixtures("server")
def test_a_cancellation_dead_after_its_attempts_is_replayed(
    app: Ordo, clock: ManualClock, emulator: Emulator
) -> None:
    wb = WriteBack(app, client(), policy=RetryPolicy(base_s=1, max_s=4, max_attempts=3, jitter=0))
    wb.step()
    emulator.outage(clock.now_ns() + 120 * NS_PER_S)
    expected = _stop_orders(app, clock)
    _run(wb, clock, 30)
    cancels = [r for r in shipments(app) if r["kind"] == "cancel"]
    assert {r["state"] for r in cancels} == {"dead"} and len(cancels) == 14
    clock.advance(120)
    _run(wb, clock, 5)
    assert emulator.cancelled == []  # dead letters wait for a person
    assert replay_dead(app, [r["id"] for r in cancels]) == 14
    _run(wb, clock, 3)
    assert {r["state"] for r in shipments(app) if r["kind"] == "cancel"} == {"acked"}
    assert _told(emulator) == expected
