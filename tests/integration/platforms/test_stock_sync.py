"""Sellable stock pushed to the platforms' listings against the emulator: a channel's
quantity change reaches every listing of every shop of that channel, through each
platform's own call (TOP ``taobao.item.quantity.update``, JD
``jingdong.stock.write.updateSkuStock``, Pinduoduo ``pdd.goods.quantity.update``, Douyin
``sku.syncStock``, Kuaishou ``open.item.get`` + ``open.item.sku.stock.update`` by the
difference, Youzan ``youzan.item.quantity.update``, WeChat Channels
``/channels/ec/product/stock/update``), coalesced to the latest quantity,
rate-limited per shop, retried through an outage, dead-lettered and replayed; the store's
rows on both backends."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordo.bootstrap import bootstrap
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain import events as ev
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.inventory.stock import ChannelRule
from ordo.service.channels.stock_sync import StockSync, replay_dead_stock, set_listing, stock_pushes
from ordo.service.inventory import stock as inventory
from ordo.service.ports.platforms import StockPushRecord
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import RetryPolicy
from ordo.sim.platforms import Emulator, EmulatorServer
from tests.conftest import T0, make_app, seed_tiny_world
from tests.integration.platforms.helpers import EMULATED_SKUS, client, register, shops


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[Ordo]:
    ordo = bootstrap(
        Settings(database_url=f"sqlite:///{tmp_path / 'ordo.db'}"), clock=clock, rng=random.Random(4)
    )
    seed_tiny_world(ordo)
    yield ordo
    ordo.store.dispose()


def _told(app: Ordo) -> dict[tuple[str, str], int]:
    """What the inventory published per (channel, SKU), from its stock.sync events."""
    out: dict[tuple[str, str], int] = {}
    with app.store.uow(read_only=True) as uow:
        for e in uow.outbox.after(0, limit=10_000, types=[ev.STOCK_SYNC]):
            for item in e["payload"]["items"]:
                out[(e["channel"], item["sku"])] = item["quantity"]
    return out


def test_a_quantity_change_reaches_every_listing_of_the_channel(app: Ordo, clock: ManualClock) -> None:
    emulated = shops(["taobao", "taobao", "xiaohongshu"], 0)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    tb1, tb2, xhs = (s.shop_id for s in emulated)
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        sync = StockSync(app, client())
        assert sync.step() == 0  # nothing moved yet
        set_listing(app, tb1, "SKU-CUP", "600000000001", "4800001")
        set_listing(app, tb1, "SKU-CUP", "600000000002", "")  # a second item selling it, no SKUs
        set_listing(app, tb2, "SKU-CUP", "600000000009", "4800009")
        set_listing(app, xhs, "SKU-CUP", "603c0001", "603c0001")  # Xiaohongshu: no quantity call here
        rules = [ChannelRule("taobao", "SKU-CUP"), ChannelRule("xiaohongshu", "SKU-CUP")]
        inventory.save_channel_rules(app, rules)
        first = _told(app)[("taobao", "SKU-CUP")]
        assert sync.run_until_idle() == {"acked": 3}
        assert emulator.quantity(tb1, "600000000001", "4800001") == first
        assert emulator.quantity(tb1, "600000000002", "") == first
        assert emulator.quantity(tb2, "600000000009", "4800009") == first
        assert emulator.quantity(xhs, "603c0001", "603c0001") is None
        # Two changes before the next round: one call per listing, the latest quantity.
        calls = emulator.stats["calls"]
        inventory.set_safety(app, [inventory.SafetySetting("WH-GZ", "SKU-CUP", 5)])
        inventory.set_safety(app, [inventory.SafetySetting("WH-GZ", "SKU-CUP", 15)])
        latest = _told(app)[("taobao", "SKU-CUP")]
        assert latest < first
        assert sync.run_until_idle() == {"acked": 3}
        assert emulator.stats["calls"] - calls == 3
        assert {
            emulator.quantity(tb1, "600000000001", "4800001"),
            emulator.quantity(tb2, "600000000009", "4800009"),
        } == {latest}


#: (channel, item id, SKU id as the listing names them, where the emulator keeps the quantity)
LISTINGS = [
    ("taobao", "600000000001", "4800001", ("600000000001", "4800001")),
    ("tmall", "600000000002", "4800002", ("600000000002", "4800002")),
    ("jd", "100012345678", "100012345678", ("", "100012345678")),  # JD: a SKU by its id alone
    ("pinduoduo", "300000001", "990001", ("300000001", "990001")),
    ("douyin", "3612345678", "1734567890001", ("3612345678", "1734567890001")),
    ("kuaishou", "4801234567001", "2201234001", ("4801234567001", "2201234001")),
    ("youzan", "422422001", "36212001", ("422422001", "36212001")),
    ("youzan", "422422002", "", ("422422002", "")),  # an item without SKUs: sku_id left out
    ("wechat_channels", "324545", "9328425", ("324545", "9328425")),
]


@pytest.mark.parametrize(("channel", "item", "sku", "key"), LISTINGS)
def test_each_platform_takes_the_quantity_through_its_own_stock_call(
    app: Ordo, clock: ManualClock, channel: str, item: str, sku: str, key: tuple[str, str]
) -> None:
    emulated = shops([channel], 0)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    shop = emulated[0].shop_id
    if channel == "kuaishou":  # Kuaishou takes changes only: the listing holds 500 before Ordo speaks
        emulator.set_quantity(shop, *key, 500)
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        sync = StockSync(app, client())
        sync.step()
        set_listing(app, shop, "SKU-CUP", item, sku)
        inventory.save_channel_rules(app, [ChannelRule(channel, "SKU-CUP")])
        first = _told(app)[(channel, "SKU-CUP")]
        assert sync.run_until_idle() == {"acked": 1}
        assert emulator.quantity(shop, *key) == first
        # the platform sold some meanwhile; a lower quantity is still set exactly, not added
        emulator.set_quantity(shop, *key, first - 1)
        inventory.set_safety(app, [inventory.SafetySetting("WH-GZ", "SKU-CUP", 15)])
        latest = _told(app)[(channel, "SKU-CUP")]
        assert latest < first
        assert sync.run_until_idle() == {"acked": 1}
        assert emulator.quantity(shop, *key) == latest


def test_kuaishou_sends_only_the_difference_and_nothing_when_there_is_none(
    app: Ordo, clock: ManualClock
) -> None:
    emulated = shops(["kuaishou"], 0)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    shop = emulated[0].shop_id
    emulator.set_quantity(shop, "4801234567009", "2201234008", 3)  # the item's one SKU on the platform
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        sync = StockSync(app, client())
        sync.step()
        set_listing(app, shop, "SKU-CUP", "4801234567009", "2201234009")  # a SKU the item does not have
        inventory.save_channel_rules(app, [ChannelRule("kuaishou", "SKU-CUP")])
        told = _told(app)[("kuaishou", "SKU-CUP")]
        assert sync.run_until_idle() == {"dead": 1}  # refused at once: nothing to change by
        [row] = stock_pushes(app)
        assert "2201234009" in row["last_error"] and "没有规格" in row["last_error"]
        emulator.set_quantity(shop, "4801234567009", "2201234009", told)
        assert replay_dead_stock(app) == 1
        calls = emulator.stats["calls"]
        assert sync.run_until_idle() == {"acked": 1}
        assert emulator.stats["calls"] - calls == 1  # read, nothing to change: no update call
        assert emulator.quantity(shop, "4801234567009", "2201234009") == told


def test_an_outage_is_retried_then_dead_lettered_then_replayed(app: Ordo, clock: ManualClock) -> None:
    emulated = shops(["taobao"], 0)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    shop = emulated[0].shop_id
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        sync = StockSync(app, client(), policy=RetryPolicy(base_s=1.0, factor=2.0, max_s=4.0, max_attempts=4))
        sync.step()
        set_listing(app, shop, "SKU-TEA", "600000000005", "4800005")
        emulator.outage(clock.now_ns() + 3_600 * 10**9)
        inventory.save_channel_rules(app, [ChannelRule("taobao", "SKU-TEA")])
        for _ in range(30):
            sync.step()
            clock.advance(5)
        [row] = stock_pushes(app)
        assert row["state"] == "dead" and row["attempts"] == 4 and "503" in row["last_error"]
        assert emulator.quantity(shop, "600000000005", "4800005") is None
        emulator.outage(0)
        assert replay_dead_stock(app) == 1
        sync.step()
        [row] = stock_pushes(app)
        assert row["state"] == "acked"
        assert emulator.quantity(shop, "600000000005", "4800005") == _told(app)[("taobao", "SKU-TEA")]


def test_each_shop_gets_at_most_its_rate_per_round(app: Ordo, clock: ManualClock) -> None:
    emulated = shops(["taobao"], 0)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    shop = emulated[0].shop_id
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        sync = StockSync(app, client(), per_shop=2)
        sync.step()
        for n in range(5):
            set_listing(app, shop, "SKU-TEA", f"60000000010{n}", "")
        inventory.save_channel_rules(app, [ChannelRule("taobao", "SKU-TEA")])
        calls = emulator.stats["calls"]
        sync.step()
        assert emulator.stats["calls"] - calls == 2
        assert sync.run_until_idle() == {"acked": 5}


def test_listings_are_checked(app: Ordo) -> None:
    register(app, shops(["taobao"], 0), "http://127.0.0.1:9")
    with pytest.raises(NotFound):
        set_listing(app, "nope", "SKU-TEA", "1", "2")
    with pytest.raises(ValidationError) as bad:
        set_listing(app, "taobao-0", "SKU-NOPE", "1", "2")
    assert bad.value.field == "sku"
    with pytest.raises(ValidationError) as bad:
        set_listing(app, "taobao-0", "SKU-TEA", " ", "2")
    assert bad.value.field == "item_id"


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_an_answer_for_a_replaced_quantity_changes_nothing(
    request: pytest.FixtureRequest, backend: str, clock: ManualClock
) -> None:
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    app = make_app(url, clock)
    try:
        row: StockPushRecord = {
            "shop_id": "s1", "item_id": "i1", "platform_sku_id": "k1", "channel": "taobao", "sku": "SKU-TEA",
            "quantity": 7, "state": "pending", "attempts": 0, "next_at_ns": 1, "acked_at_ns": None,
            "last_error": "", "updated_at_ns": 1,
        }  # fmt: skip
        with app.store.uow() as uow:
            newer = row.copy()
            newer["quantity"], newer["updated_at_ns"] = 9, 2
            uow.platforms.want_stock([row])
            uow.platforms.want_stock([newer])
            assert not uow.platforms.stock_done(
                row, state="acked", attempts=0, next_at_ns=5, error="", now_ns=5
            )
            [due] = uow.platforms.due_stock(10)
            assert due["quantity"] == 9
            assert uow.platforms.stock_done(due, state="acked", attempts=0, next_at_ns=5, error="", now_ns=5)
            assert uow.platforms.due_stock(10) == []
            assert [r["state"] for r in uow.platforms.stock_pushes()] == ["acked"]
            uow.commit()
    finally:
        app.store.dispose()
