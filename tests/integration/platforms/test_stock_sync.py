"""Sellable stock pushed to the platforms' listings against the emulator: a channel's
quantity change reaches every listing of every shop of that channel (TOP
``taobao.item.quantity.update``), coalesced to the latest quantity, rate-limited per shop,
retried through an outage, dead-lettered and replayed; the store's rows on both backends."""

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
    emulated = shops(["taobao", "taobao", "jd"], 0)
    emulator = Emulator(clock, emulated, skus=EMULATED_SKUS)
    tb1, tb2, jd = (s.shop_id for s in emulated)
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        sync = StockSync(app, client())
        assert sync.step() == 0  # nothing moved yet
        set_listing(app, tb1, "SKU-CUP", "600000000001", "4800001")
        set_listing(app, tb1, "SKU-CUP", "600000000002", "")  # a second item selling it, no SKUs
        set_listing(app, tb2, "SKU-CUP", "600000000009", "4800009")
        set_listing(app, jd, "SKU-CUP", "100000000001", "1")  # JD: no quantity call here
        inventory.save_channel_rules(app, [ChannelRule("taobao", "SKU-CUP"), ChannelRule("jd", "SKU-CUP")])
        first = _told(app)[("taobao", "SKU-CUP")]
        assert sync.run_until_idle() == {"acked": 3}
        assert emulator.quantity(tb1, "600000000001", "4800001") == first
        assert emulator.quantity(tb1, "600000000002", "") == first
        assert emulator.quantity(tb2, "600000000009", "4800009") == first
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
