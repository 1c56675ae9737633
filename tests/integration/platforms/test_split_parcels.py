"""Split parcels written back as each platform allows, against the platform emulator.

Orders of two lines are split over two warehouses (as intake does when no one warehouse
holds both) and leave in two parcels, ``sf:SFA…,sf:SFB…``: Taobao, Douyin, Youzan and
WeChat Channels are told each parcel with the platform lines it holds (the emulator checks
the ids against the order it generated), Pinduoduo gets the first waybill and the second
as an extra one, JD the order whole. Also across a 60 s emulator outage (emulated time),
and a parcel the platform refuses becomes a dead letter until it is replayed."""

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
from ordo.sim.platforms import EmulatedShop, Emulator, EmulatorServer
from tests.conftest import T0, seed_tiny_world
from tests.integration.platforms.helpers import EMULATED_SKUS, client, register, shops

CHANNELS = ["taobao", "douyin", "youzan", "wechat_channels", "pinduoduo", "jd"]
BY_LINES = {"taobao", "douyin", "youzan", "wechat_channels"}
ORDERS = 60


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[Ordo]:
    ordo = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'ordo.db'}"), clock=clock, rng=random.Random(3)
    )
    seed_tiny_world(ordo)
    with ordo.store.uow() as uow:  # enough stock that every order is routed
        uow.connection.exec_driver_sql("UPDATE stock SET on_hand = on_hand + 10000")
        uow.commit()
    yield ordo
    ordo.store.dispose()


@pytest.fixture
def emulated() -> list[EmulatedShop]:
    return shops(CHANNELS, ORDERS)


@pytest.fixture
def emulator(clock: ManualClock, emulated: list[EmulatedShop]) -> Emulator:
    return Emulator(clock, emulated, skus=EMULATED_SKUS)


@pytest.fixture
def server(app: Ordo, emulator: Emulator, emulated: list[EmulatedShop]) -> Iterator[EmulatorServer]:
    with EmulatorServer(emulator) as srv:
        register(app, emulated, srv.url)
        puller = Puller(app, client(), lookback_s=3_600)
        assert all(puller.pull(s.shop_id).created == ORDERS for s in emulated)
        yield srv


def _split_and_ship(app: Ordo, clock: ManualClock) -> dict[str, tuple[str, str, list[str], list[str]]]:
    """Two-line orders split over two warehouses (one line and its reservation moved to another
    warehouse that stocks its SKU); every order leaves with one waybill per parcel.
    Order id → (channel, external id, waybills, platform line ids in line order)."""
    out: dict[str, tuple[str, str, list[str], list[str]]] = {}
    with app.store.uow() as uow:
        c = uow.connection
        rows = c.exec_driver_sql(
            "SELECT o.id, o.channel, o.external_id, o.warehouse_id, l.platform_line_id, l.sku, l.quantity"
            " FROM orders o JOIN order_lines l ON l.order_id = o.id ORDER BY o.id, l.line_no"
        ).all()
        lines: dict[str, list[tuple[str | None, str, int]]] = {}
        for oid, channel, ext, wh, line_id, sku, qty in rows:
            out.setdefault(oid, (channel, ext, [], []))[3].append(line_id)
            lines.setdefault(oid, []).append((wh, sku, qty))
        for n, (oid, (_, _, waybills, _)) in enumerate(sorted(out.items())):
            waybills.append(f"SFA{n:08d}")
            if len(lines[oid]) != 2 or lines[oid][0][0] is None:
                continue
            for k in (1, 0):  # move one line (and its reservation) where its SKU is stocked too
                wh, sku, qty = lines[oid][k]
                other = c.exec_driver_sql(
                    "SELECT warehouse_id FROM stock WHERE sku = ? AND warehouse_id != ?"
                    " ORDER BY warehouse_id LIMIT 1",
                    (sku, wh),
                ).scalar()
                if other is not None:
                    break
            if other is None:  # both SKUs stocked in one warehouse only: this order ships whole
                continue
            move = "UPDATE stock SET reserved = reserved + ? WHERE sku = ? AND warehouse_id = ?"
            c.exec_driver_sql(move, (qty, sku, other))
            c.exec_driver_sql(move, (-qty, sku, wh))
            c.exec_driver_sql(
                "UPDATE order_lines SET warehouse_id = ? WHERE order_id = ? AND line_no = ?", (other, oid, k)
            )
            waybills.append(f"SFB{n:08d}")
        uow.commit()
    now = clock.now_ns()
    updates = []
    for oid, (_, _, waybills, _) in out.items():
        note = ",".join(f"sf:{w}" for w in waybills)
        updates.append(MilestoneUpdate(oid, Milestone.WAYBILL_ISSUED, now, "tms", note))
        updates.append(MilestoneUpdate(oid, Milestone.OUTBOUND, now, "wms"))
    results = advance(app, updates)
    assert all(r.outcome.value == "recorded" for r in results), {r.error for r in results if r.error}
    return out


def _run(wb: WriteBack, clock: ManualClock, seconds: int) -> None:
    for _ in range(seconds):
        wb.step()
        clock.advance(1)


def _check_told(orders: dict[str, tuple[str, str, list[str], list[str]]], emulator: Emulator) -> None:
    split = {ch: 0 for ch in CHANNELS}
    for channel, ext, waybills, ids in orders.values():
        shop = f"{channel}-{CHANNELS.index(channel)}"
        if len(waybills) < 2:
            continue
        split[channel] += 1
        if channel in BY_LINES:  # each parcel with the line it holds, as the platform names it
            assert [emulator.parcels[(shop, ext, w)] for w in waybills] == [(i,) for i in ids]
        elif channel == "pinduoduo":  # the first waybill confirms, the second is an extra one
            assert emulator.shipped(shop)[ext] == [(w, "44") for w in waybills]
            assert emulator.parcels[(shop, ext, waybills[1])] == ()
        else:  # jd: the order whole, one company's waybills comma-separated in logiNo (JOS)
            assert emulator.shipped(shop)[ext] == [(",".join(waybills), "467")]
    assert all(n >= 3 for n in split.values()), split  # every platform saw split orders
    told = [(s, e, w) for s, e, w, _ in emulator.acks]
    assert len(told) == len(set(told))  # each parcel told once


@pytest.mark.usefixtures("server")
def test_each_parcel_is_confirmed_with_the_lines_it_holds(
    app: Ordo, clock: ManualClock, emulator: Emulator
) -> None:
    wb = WriteBack(app, client())
    wb.step()
    orders = _split_and_ship(app, clock)
    _run(wb, clock, 3)
    rows = shipments(app)
    assert len(rows) == sum(len(w) for _, _, w, _ in orders.values())
    assert {r["state"] for r in rows} == {"acked"}, {r["last_error"] for r in rows}
    by_waybill = {r["waybill"]: r["lines"] for r in rows}
    for _, _, waybills, ids in orders.values():  # the row keeps what its parcel holds
        if len(waybills) == 2:
            assert all(by_waybill[w].startswith(f"{i}=") for w, i in zip(waybills, ids, strict=True))
        else:  # one parcel: the order whole
            assert by_waybill[waybills[0]] == ""
    _check_told(orders, emulator)


@pytest.mark.usefixtures("server")
def test_split_parcels_are_not_lost_across_a_60_second_outage(
    app: Ordo, clock: ManualClock, emulator: Emulator
) -> None:
    wb = WriteBack(app, client())
    wb.step()
    emulator.outage(clock.now_ns() + 60 * NS_PER_S)
    orders = _split_and_ship(app, clock)
    _run(wb, clock, 180)
    rows = shipments(app)
    assert emulator.stats["outage"] > 0
    assert {r["state"] for r in rows} == {"acked"}, {r["last_error"] for r in rows}
    assert min(r["acked_at_ns"] or 0 for r in rows) >= T0 + 60 * NS_PER_S
    _check_told(orders, emulator)


@pytest.mark.usefixtures("server")
def test_a_parcel_the_platform_refuses_is_a_dead_letter_until_replayed(
    app: Ordo, clock: ManualClock, emulator: Emulator
) -> None:
    wb = WriteBack(app, client())
    wb.step()
    orders = _split_and_ship(app, clock)
    taobao = sorted(oid for oid, (ch, _, w, _) in orders.items() if ch == "taobao" and len(w) == 2)[0]
    assert wb.collect() > 0
    with app.store.uow() as uow:  # a sub-order id the platform does not know
        uow.connection.exec_driver_sql(
            "UPDATE platform_shipments SET lines = 'no-such-oid=1' WHERE order_id = ? AND waybill = ?",
            (taobao, orders[taobao][2][1]),
        )
        uow.commit()
    _run(wb, clock, 3)
    dead = shipments(app, state="dead")
    assert [(r["order_id"], r["waybill"]) for r in dead] == [(taobao, orders[taobao][2][1])]
    assert "40" in dead[0]["last_error"]  # the platform's own refusal, kept for a person
    with app.store.uow() as uow:
        line_id = orders[taobao][3][1]
        uow.connection.exec_driver_sql(
            "UPDATE platform_shipments SET lines = ? WHERE id = ?", (f"{line_id}=1", dead[0]["id"])
        )
        uow.commit()
    assert replay_dead(app, [dead[0]["id"]]) == 1
    _run(wb, clock, 2)
    assert {r["state"] for r in shipments(app)} == {"acked"}
    _check_told(orders, emulator)
