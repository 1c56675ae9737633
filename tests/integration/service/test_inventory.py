"""Inventory service on both backends: safety stock, channel stock rules and sync events,
reservation expiry through the cancel path, and the inventory reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordo.clock import ManualClock
from ordo.domain import events as ev
from ordo.domain.errors import NotFound, ValidationError
from ordo.domain.inventory import stock as inv
from ordo.domain.inventory.stock import ChannelRule
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import Stock
from ordo.service.inventory import reads
from ordo.service.inventory import stock as svc
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, make_app, new_order, seed_tiny_world


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shop(request, clock: ManualClock) -> Iterator[Ordo]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = make_app(url, clock)
    seed_tiny_world(app)
    yield app
    app.store.dispose()


def events_of(app: Ordo, kind: str) -> list[dict]:
    with app.store.uow(read_only=True) as uow:
        return uow.outbox.after(0, limit=10_000, types=[kind])


def synced(app: Ordo) -> dict[tuple[str, str], int]:
    """The quantities the channels were last told, replayed from the stock.sync events."""
    told: dict[tuple[str, str], int] = {}
    for e in events_of(app, inv.STOCK_SYNC):
        for item in e["payload"]["items"]:
            told[(e["channel"], item["sku"])] = item["quantity"]
    return told


def row(app: Ordo, warehouse: str, sku: str) -> dict:
    [item], _ = reads.levels(app, warehouse_id=warehouse, sku=sku)
    return item


def test_safety_stock_is_set_and_lowers_available_to_promise(shop):
    [after] = svc.set_safety(shop, [svc.SafetySetting("WH-SH", "SKU-TEA", 30)])
    assert (after["on_hand"], after["safety"], after["available"]) == (100, 30, 70)
    assert row(shop, "WH-SH", "SKU-TEA")["available"] == 70
    # Intake may no longer promise the safety stock: 90 units fit Beijing and Guangzhou, not
    # Shanghai; the third order is split by quantity (policy on by default) and takes Shanghai's
    # 70 sellable units with the 10 left in each of the others, never the 30 kept back.
    results = intake(shop, [new_order(f"S-{i}", [("SKU-TEA", 90)]) for i in range(3)])
    assert sorted(str(r.warehouse_id) for r in results) == ["WH-BJ", "WH-GZ", "WH-SH"]
    shanghai = row(shop, "WH-SH", "SKU-TEA")
    assert (
        shanghai["reserved"] == 70 and shanghai["on_hand"] - shanghai["reserved"] == shanghai["safety"] == 30
    )


def test_safety_stock_for_a_known_pair_without_a_row_creates_it_empty(shop):
    [created] = svc.set_safety(shop, [svc.SafetySetting("WH-BJ", "SKU-MILK", 4)])
    assert (created["on_hand"], created["reserved"], created["safety"], created["available"]) == (0, 0, 4, 0)
    assert created["low"] is True


def test_safety_stock_for_an_unknown_warehouse_or_sku_names_the_field(shop):
    with pytest.raises(NotFound) as err:
        svc.set_safety(shop, [svc.SafetySetting("WH-XX", "SKU-TEA", 1)], field_prefix="items")
    assert err.value.details["field"] == "items[0].warehouse_id"
    with pytest.raises(NotFound) as err:
        svc.set_safety(
            shop, [svc.SafetySetting("WH-SH", "SKU-TEA", 1), svc.SafetySetting("WH-SH", "NOPE", 1)]
        )
    assert err.value.details["field"] == "sku"
    with pytest.raises(ValidationError) as verr:
        svc.set_safety(shop, [svc.SafetySetting("WH-SH", "SKU-TEA", -2)], field_prefix="items")
    assert verr.value.field == "items[0].safety"
    assert row(shop, "WH-SH", "SKU-TEA")["safety"] == 0  # nothing was written


def test_channel_rules_publish_every_covered_sku_once_then_only_what_moves(shop):
    written = svc.save_channel_rules(
        shop,
        [
            ChannelRule("tmall", buffer_pct=10, threshold=5),
            ChannelRule("douyin", "SKU-TEA", exclusive=50),
        ],
    )
    assert written == 2  # one event per channel
    assert synced(shop) == {
        ("tmall", "SKU-TEA"): 225,  # 300 less douyin's 50, less 10 % of the 250 shared
        ("tmall", "SKU-MILK"): 45,
        ("tmall", "SKU-CUP"): 36,
        ("tmall", "SKU-GAS"): 27,
        ("tmall", "SKU-RARE"): 3,  # 5 on hand − 1 safety, less ⌈0.4⌉
        ("douyin", "SKU-TEA"): 300,
    }
    assert svc.reconcile(shop) == 0  # nothing moved

    intake(shop, [new_order("T-1", [("SKU-TEA", 3)])])
    assert svc.reconcile(shop) == 1  # douyin is told every unit (threshold 1); tmall's 3 < 5
    assert synced(shop)[("douyin", "SKU-TEA")] == 297
    assert synced(shop)[("tmall", "SKU-TEA")] == 225
    intake(shop, [new_order("T-2", [("SKU-TEA", 3)])])
    assert svc.reconcile(shop) == 2
    assert synced(shop)[("tmall", "SKU-TEA")] == 219  # 244 shared less ⌈24.4⌉
    with shop.store.uow(read_only=True) as uow:
        assert uow.channel_stock.published(["SKU-TEA"]) == {
            ("tmall", "SKU-TEA"): 219,
            ("douyin", "SKU-TEA"): 294,
        }


def test_a_channel_hears_of_the_last_units_selling_out_whatever_its_threshold(shop):
    svc.save_channel_rules(shop, [ChannelRule("jd", "SKU-RARE", threshold=100)])
    assert synced(shop) == {("jd", "SKU-RARE"): 4}
    intake(shop, [new_order("R-1", [("SKU-RARE", 4)])])
    svc.reconcile(shop)
    assert synced(shop) == {("jd", "SKU-RARE"): 0}
    [sync] = events_of(shop, inv.STOCK_SYNC)[-1:]
    assert sync["payload"]["items"] == [{"sku": "SKU-RARE", "quantity": 0, "previous": 4}]


def test_safety_stock_changes_are_published_in_the_same_transaction(shop):
    svc.save_channel_rules(shop, [ChannelRule("tmall", "SKU-CUP")])
    svc.set_safety(shop, [svc.SafetySetting("WH-GZ", "SKU-CUP", 15)])
    assert synced(shop) == {("tmall", "SKU-CUP"): 25}
    assert events_of(shop, inv.STOCK_SYNC)[-1]["payload"]["reason"] == "safety_stock"


def test_a_deleted_rule_stops_the_sync_and_forgets_what_was_published(shop):
    svc.save_channel_rules(shop, [ChannelRule("tmall", "SKU-CUP"), ChannelRule("tmall", "SKU-TEA")])
    svc.delete_channel_rule(shop, "tmall", "SKU-CUP")
    with shop.store.uow(read_only=True) as uow:
        assert set(uow.channel_stock.published()) == {("tmall", "SKU-TEA")}
    with pytest.raises(NotFound):
        svc.delete_channel_rule(shop, "tmall", "SKU-CUP")


def test_a_rule_for_an_unknown_sku_or_with_a_bad_value_names_the_field(shop):
    with pytest.raises(ValidationError) as err:
        svc.save_channel_rules(
            shop, [ChannelRule("tmall"), ChannelRule("tmall", "NOPE")], field_prefix="rules"
        )
    assert err.value.field == "rules[1].sku"
    with pytest.raises(ValidationError) as err:
        svc.save_channel_rules(shop, [ChannelRule("tmall", buffer_pct=120)])
    assert err.value.field == "buffer_pct"
    assert reads.channel_rules(shop) == []


def test_inventory_rows_show_each_channels_sellable_quantity_and_filter_by_channel(shop):
    svc.save_channel_rules(shop, [ChannelRule("tmall", buffer_units=10), ChannelRule("douyin", exclusive=5)])
    items, _ = reads.levels(shop, sku="SKU-CUP")
    assert [(i["warehouse_id"], i["pool"], i["sellable"]) for i in items] == [
        ("WH-GZ", 40, {"douyin": 40, "tmall": 25}),
        ("WH-SH", 40, {"douyin": 40, "tmall": 25}),
    ]
    items, _ = reads.levels(shop, sku="SKU-CUP", channel="tmall")
    assert len(items) == 2 and all(i["sellable"] == {"tmall": 25} for i in items)
    svc.save_channel_rules(shop, [ChannelRule("jd", "SKU-GAS"), ChannelRule("jd", "SKU-MILK")])
    items, last = reads.levels(shop, channel="jd", limit=1)
    # 30 to promise, less the 5 ring-fenced for douyin
    assert [(i["warehouse_id"], i["sku"], i["sellable"]) for i in items] == [("WH-GZ", "SKU-GAS", {"jd": 25})]
    items, last = reads.levels(shop, channel="jd", after=last, limit=1)
    assert [(i["warehouse_id"], i["sku"]) for i in items] == [("WH-SH", "SKU-MILK")] and last is None
    assert reads.levels(shop, channel="pinduoduo") == ([], None)
    with pytest.raises(ValidationError) as err:
        reads.levels(shop, channel="ebay")
    assert err.value.field == "channel"


def test_low_stock_lists_rows_within_the_threshold_of_their_safety_stock(shop):
    svc.set_safety(shop, [svc.SafetySetting("WH-SH", "SKU-CUP", 18)])
    low, _ = reads.levels(shop, low_only=True)
    assert [(i["warehouse_id"], i["sku"]) for i in low] == []  # CUP at SH: 20 − 18 = 2 above safety
    low, _ = reads.levels(shop, low_only=True, low_threshold=2)
    assert [(i["warehouse_id"], i["sku"]) for i in low] == [("WH-SH", "SKU-CUP")]


def test_unpaid_orders_past_the_ttl_are_cancelled_and_their_stock_released(shop, clock):
    svc.save_channel_rules(shop, [ChannelRule("tmall", "SKU-TEA")])
    unpaid = intake(shop, [new_order("U-1", [("SKU-TEA", 7)], paid=False)])[0].order_id
    paid_later = intake(shop, [new_order("U-2", [("SKU-TEA", 2)], paid=False)])[0].order_id
    paid = intake(shop, [new_order("P-1", [("SKU-TEA", 1)])])[0].order_id
    advance(shop, [MilestoneUpdate(paid_later, Milestone.PAID, T0, "alipay")])
    clock.advance(29 * 60)
    assert svc.expire_unpaid(shop, 30) == []
    assert svc.expire_unpaid(shop, None) == [] and svc.expire_unpaid(shop, 0) == []
    clock.advance(60)
    young = intake(shop, [new_order("U-3", [("SKU-TEA", 1)], paid=False)])[0].order_id
    assert svc.expire_unpaid(shop, 30) == [unpaid]
    assert svc.expire_unpaid(shop, 30) == []  # once
    with shop.store.uow(read_only=True) as uow:
        statuses = {oid: uow.orders.get(oid)["status"] for oid in (unpaid, paid_later, paid, young)}
    assert statuses == {
        unpaid: "cancelled",
        paid_later: "processing",
        paid: "processing",
        young: "pending_payment",
    }
    tea = reads.levels(shop, sku="SKU-TEA")[0]
    assert sum(i["reserved"] for i in tea) == 2 + 1 + 1
    [expired] = events_of(shop, inv.RESERVATION_EXPIRED)
    assert expired["order_id"] == unpaid and expired["payload"]["released"] == {"SKU-TEA": 7}
    [cancelled] = [
        e for e in events_of(shop, ev.MILESTONE_RECORDED) if e["payload"]["milestone"] == "cancelled"
    ]
    assert cancelled["order_id"] == unpaid and cancelled["payload"]["source"] == svc.EXPIRY_SOURCE
    assert synced(shop)[("tmall", "SKU-TEA")] == 300 - 4
    assert events_of(shop, inv.STOCK_SYNC)[-1]["payload"]["reason"] == "reservation_expired"


def test_the_expiry_scan_works_through_more_orders_than_one_batch(shop, clock):
    ids = [r.order_id for r in intake(shop, [new_order(f"B-{i}", paid=False) for i in range(7)])]
    clock.advance(3600)
    assert sorted(svc.expire_unpaid(shop, 10, batch=3)) == sorted(ids)
    assert svc.Background(shop, 10).step() == 0


def test_the_background_pass_expires_and_syncs_the_skus_that_moved_with_a_full_pass_now_and_then(
    shop, clock, monkeypatch
):
    svc.save_channel_rules(shop, [ChannelRule("tmall", "SKU-TEA"), ChannelRule("tmall", "SKU-CUP")])
    loop = svc.Background(shop, 30, resync_s=3600)
    intake(shop, [new_order("G-1", [("SKU-TEA", 2)], paid=False)])
    passes: list[list[str] | None] = []
    real = svc.reconcile
    monkeypatch.setattr(svc, "reconcile", lambda app, skus=None: passes.append(skus) or real(app, skus))
    assert loop.step() == 1  # the first pass is a full one: tmall hears of the 2 units
    assert passes == [None]
    assert loop.step() == 0 and passes[-1] == []  # nothing happened: nothing to look at
    intake(shop, [new_order("G-2", [("SKU-CUP", 1)])])
    assert loop.step() == 1 and passes[-1] == ["SKU-CUP"]  # only what the new order touched
    assert synced(shop)[("tmall", "SKU-CUP")] == 39
    clock.advance(31 * 60)
    assert loop.step() == 1  # G-1 expired; its sync event went out in the same transaction
    assert passes[-1] == ["SKU-TEA"] and synced(shop)[("tmall", "SKU-TEA")] == 300
    with shop.store.uow() as uow:  # a stock take writes no event: only the full pass sees it
        [gz] = uow.stock.get([("WH-GZ", "SKU-CUP")]).values()
        uow.stock.set_levels([Stock("WH-GZ", "SKU-CUP", gz.on_hand + 30, gz.reserved)])
        uow.commit()
    assert loop.step() == 0 and synced(shop)[("tmall", "SKU-CUP")] == 39
    clock.advance(3600)
    assert loop.step() == 1 and passes[-1] is None
    assert synced(shop)[("tmall", "SKU-CUP")] == 69


def test_a_channels_view_pages_through_its_ruled_skus_and_filters_by_sku(shop):
    svc.save_channel_rules(
        shop, [ChannelRule("jd", "SKU-TEA", buffer_units=100), ChannelRule("jd", "SKU-RARE")]
    )
    svc.save_channel_rules(shop, [ChannelRule("tmall", exclusive=1)])
    first = reads.channel_stock(shop, "jd", limit=1)
    assert [(i["sku"], i["sellable"], i["rule_sku"]) for i in first["items"]] == [("SKU-RARE", 3, "SKU-RARE")]
    rest = reads.channel_stock(shop, "jd", after=first["next_cursor"], limit=1)
    assert [(i["sku"], i["sellable"], i["published"]) for i in rest["items"]] == [("SKU-TEA", 199, 199)]
    assert rest["next_cursor"] is None
    only = reads.channel_stock(shop, "jd", sku="SKU-TEA")
    assert [i["sku"] for i in only["items"]] == ["SKU-TEA"] and len(only["rules"]) == 2
    assert reads.channel_stock(shop, "jd", sku="SKU-CUP")["items"] == []
    assert reads.channel_stock(shop, "douyin")["items"] == []


def test_reservation_expiry_is_off_unless_the_environment_sets_a_ttl():
    from ordo.config import Settings

    assert Settings.from_env({}).reservation_ttl_minutes == 0
    assert Settings.from_env({"ORDO_RESERVATION_TTL_MINUTES": "45"}).reservation_ttl_minutes == 45
