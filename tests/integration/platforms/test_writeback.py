"""Shipment write-back against the platform emulator: each platform's confirmation call
with its logistics company id, an emulator outage of 60 s of emulated time with nothing
lost, dead letters and their replay, and the deadline incident before a platform's fine."""

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
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import RetryPolicy
from ordo.sim.platforms import EmulatedShop, Emulator, EmulatorServer
from tests.conftest import T0, seed_tiny_world
from tests.integration.platforms.helpers import EMULATED_SKUS, client, register, shops

CHANNELS = ["taobao", "jd", "pinduoduo", "douyin"]
#: What the shipped data file maps carrier "sf" to, per platform.
SF = {"taobao": "SF", "jd": "467", "pinduoduo": "44", "douyin": "shunfeng"}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[Ordo]:
    ordo = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'ordo.db'}"), clock=clock, rng=random.Random(9)
    )
    seed_tiny_world(ordo)
    yield ordo
    ordo.store.dispose()


@pytest.fixture
def emulated() -> list[EmulatedShop]:
    return shops(CHANNELS, 40)


@pytest.fixture
def emulator(clock: ManualClock, emulated: list[EmulatedShop]) -> Emulator:
    return Emulator(clock, emulated, skus=EMULATED_SKUS)


@pytest.fixture
def server(app: Ordo, emulator: Emulator, emulated: list[EmulatedShop]) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator) as srv:
        register(app, emulated, srv.url)
        puller = Puller(app, client(), lookback_s=3_600)
        assert all(puller.pull(s.shop_id).created == 40 for s in emulated)
        yield srv


def _ship_all(app: Ordo, clock: ManualClock) -> dict[str, str]:
    """Every order gets an SF waybill and leaves; order id → waybill."""
    with app.store.uow(read_only=True) as uow:
        ids = [r[0] for r in uow.connection.exec_driver_sql("SELECT id FROM orders ORDER BY id")]
    now = clock.now_ns()
    waybills = {oid: f"SF{n:010d}" for n, oid in enumerate(ids)}
    updates = []
    for oid, wb in waybills.items():
        updates.append(MilestoneUpdate(oid, Milestone.WAYBILL_ISSUED, now, "tms", f"sf:{wb}"))
        updates.append(MilestoneUpdate(oid, Milestone.OUTBOUND, now, "wms"))
    results = advance(app, updates)
    assert all(r.outcome.value == "recorded" for r in results), {r.error for r in results if r.error}
    return waybills


def _run(wb: WriteBack, clock: ManualClock, seconds: int, every: int = 1) -> None:
    for _ in range(seconds // every):
        wb.step()
        clock.advance(every)


@pytest.mark.usefixtures("server")
def test_every_platform_is_told_with_its_logistics_company_id(
    app: Ordo, clock: ManualClock, emulator: Emulator, emulated: list[EmulatedShop]
) -> None:
    wb = WriteBack(app, client())
    wb.step()
    waybills = _ship_all(app, clock)
    _run(wb, clock, 3)
    rows = shipments(app)
    assert len(rows) == 160 and {r["state"] for r in rows} == {"acked"}
    for s in emulated:
        told = emulator.shipped(s.shop_id)
        assert len(told) == 40
        assert {c for pairs in told.values() for _, c in pairs} == {SF[s.channel]}
    assert {w for s in emulated for pairs in emulator.shipped(s.shop_id).values() for w, _ in pairs} == set(
        waybills.values()
    )


@pytest.mark.usefixtures("server")
def test_a_60_second_outage_loses_nothing(app: Ordo, clock: ManualClock, emulator: Emulator) -> None:
    wb = WriteBack(app, client())
    wb.step()
    emulator.outage(clock.now_ns() + 60 * NS_PER_S)
    left_at = clock.now_ns()
    _ship_all(app, clock)
    _run(wb, clock, 180)
    rows = shipments(app)
    assert emulator.stats["outage"] > 0
    assert len(rows) == 160 and {r["state"] for r in rows} == {"acked"}, {r["last_error"] for r in rows}
    assert len(emulator.acks) == 160  # each confirmed once, none twice
    waits = sorted((r["acked_at_ns"] or 0) - left_at for r in rows)
    assert waits[0] >= 60 * NS_PER_S and waits[-1] <= 130 * NS_PER_S  # backoff caught up soon after


@pytest.mark.usefixtures("server")
def test_dead_letters_are_replayed(app: Ordo, clock: ManualClock, emulator: Emulator) -> None:
    wb = WriteBack(app, client(), policy=RetryPolicy(base_s=1, max_s=4, max_attempts=3, jitter=0))
    wb.step()
    emulator.outage(clock.now_ns() + 120 * NS_PER_S)
    _ship_all(app, clock)
    _run(wb, clock, 30)
    assert {r["state"] for r in shipments(app)} == {"dead"}
    clock.advance(120)
    _run(wb, clock, 5)
    assert {r["state"] for r in shipments(app)} == {"dead"}  # dead letters wait for a person
    assert replay_dead(app) == 160
    _run(wb, clock, 3)
    assert {r["state"] for r in shipments(app)} == {"acked"}


@pytest.mark.usefixtures("server")
def test_an_incident_is_opened_before_the_platform_deadline(
    app: Ordo, clock: ManualClock, emulator: Emulator
) -> None:
    wb = WriteBack(app, client())
    wb.step()
    emulator.outage(clock.now_ns() + 30 * 60 * NS_PER_S)
    _ship_all(app, clock)
    _run(wb, clock, 9 * 60, every=10)  # 9 minutes: no incident yet
    ids = [r["order_id"] for r in shipments(app)]
    with app.store.uow(read_only=True) as uow:
        assert uow.incidents.open_of_orders(ids) == []
    _run(wb, clock, 2 * 60, every=10)  # past 10 minutes: 5 minutes before the 15-minute fine
    with app.store.uow(read_only=True) as uow:
        opened = uow.incidents.open_of_orders(ids)
    assert len(opened) == 160
    assert {o["detector"] for o in opened} == {"sla"}
    assert all(o["details"]["timer"] == "platform_shipment_sync" for o in opened)
    _run(wb, clock, 60, every=10)
    with app.store.uow(read_only=True) as uow:
        assert len(uow.incidents.open_of_orders(ids)) == 160  # once per shipment, not every round
    _run(wb, clock, 30 * 60, every=30)  # 12 attempts spent long before the 30-minute outage ends
    assert {r["state"] for r in shipments(app)} == {"dead"}
    assert replay_dead(app) == 160  # a person replays them once the platform is back
    _run(wb, clock, 3)
    assert {r["state"] for r in shipments(app)} == {"acked"}
    with app.store.uow(read_only=True) as uow:
        assert uow.incidents.open_of_orders(ids) == []  # closed by the acknowledgement


@pytest.mark.usefixtures("server")
def test_stock_is_published_to_top_and_jd_and_refused_where_no_call_exists(
    server: EmulatorServer, emulator: Emulator, emulated: list[EmulatedShop], clock: ManualClock
) -> None:
    from ordo.adapters.platforms import Credentials, PlatformError

    taobao, jd = emulated[0], emulated[1]
    creds = Credentials(taobao.channel, taobao.app_key, taobao.app_secret, taobao.session, server.url)
    client().update_quantity(creds, "600000000000", "4800001", 37, clock.now_ns() // NS_PER_S)
    assert emulator.quantity(taobao.shop_id, "600000000000", "4800001") == 37
    other = Credentials(jd.channel, jd.app_key, jd.app_secret, jd.session, server.url)
    client().update_quantity(other, "1", "2", 3, clock.now_ns() // NS_PER_S)  # a JD SKU by its id
    assert emulator.quantity(jd.shop_id, "", "2") == 3
    mini = Credentials("wechat_mp", jd.app_key, jd.app_secret, jd.session, server.url)
    with pytest.raises(PlatformError) as refused:
        client().update_quantity(mini, "1", "2", 3, clock.now_ns() // NS_PER_S)
    assert refused.value.kind == "refused" and refused.value.code == "unsupported"
