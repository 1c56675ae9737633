"""Intake with the multi-objective router and the live rules; decision snapshots stored and replayed."""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from ordo.domain.orders.holds import HoldReason, review_hold
from ordo.domain.orders.model import Address, Stock
from ordo.domain.routing import replay
from ordo.rules.evaluation.canary import Canary
from ordo.service.inventory.catalog import save_catalog, set_warehouse_active
from ordo.service.orders.intake import IntakeOutcome, intake
from ordo.service.routing.context import INTAKE_MAX_PARCELS
from ordo.service.routing.decisions import reroute, routing_view
from ordo.service.routing.expand import expand
from tests.conftest import SKUS, STOCK, T0, WAREHOUSES, make_app, new_order
from tests.integration.service.routing_helpers import decisions, go_live, stored_order


def _snapshot(app, order_id, attempt=-1):
    row = decisions(app, order_id)[attempt]
    with app.store.uow(read_only=True) as uow:
        return row, expand(row, app.caches.routing.listing(uow, row["network"]))


def _stock(app, warehouse, sku):
    with app.store.uow(read_only=True) as uow:
        return uow.stock.get([(warehouse, sku)])[(warehouse, sku)]


def test_every_routed_order_gets_one_decision_row_that_replays_to_its_plan(world):
    results = intake(world, [new_order("S-1"), new_order("S-2", [("SKU-TEA", 1), ("SKU-CUP", 2)])])
    for r in results:
        [row] = decisions(world, r.order_id)
        assert (row["attempt"], row["trigger"], row["status"]) == (1, "intake", "routed")
        assert row["warehouse_ids"] == r.warehouse_id
        _, snap = _snapshot(world, r.order_id)
        assert replay(snap) == [r.warehouse_id]
        chosen = next(c for c in snap["candidates"] if c["warehouse"] == r.warehouse_id)
        assert set(chosen["raw"]) == set(snap["objectives"]) and set(chosen["norm"]) == set(
            snap["objectives"]
        )
        assert snap["profile"]["name"] == "daily" and snap["profile"]["version"]


def test_a_snapshot_lists_every_warehouse_either_scored_or_excluded_with_its_reasons(world):
    [r] = intake(world, [new_order("S-3", [("SKU-MILK", 1)])])  # cold chain: only Shanghai
    _, snap = _snapshot(world, r.order_id)
    scored = {c["warehouse"] for c in snap["candidates"]}
    excluded = {w: g["reasons"] for g in snap["excluded"] for w in g["warehouses"]}
    assert scored == {"WH-SH"} and r.warehouse_id == "WH-SH"
    assert scored | set(excluded) == {w.id for w in WAREHOUSES}
    assert excluded["WH-BJ"] == ["stock"] and excluded["WH-GZ"] == ["stock"]  # no milk there


def test_an_order_no_warehouse_can_fill_is_held_for_stock_with_its_decision_kept(world):
    [r] = intake(world, [new_order("S-4", [("SKU-RARE", 10)])])
    assert (r.warehouse_id, r.hold_reason) == (None, HoldReason.NO_STOCK)
    [row] = decisions(world, r.order_id)
    assert row["status"] == "held" and row["warehouse_ids"] == ""
    assert _stock(world, "WH-BJ", "SKU-RARE").reserved == 0


def test_an_order_held_for_its_address_is_never_routed(world):
    base = new_order("S-5")
    held = dataclasses.replace(base, tags=(HoldReason.ADDRESS,))
    nowhere = dataclasses.replace(new_order("S-6"), ship_to=Address("火星", "奥林匹斯山"))
    for r in intake(world, [held, nowhere]):
        assert r.hold_reason == HoldReason.ADDRESS and decisions(world, r.order_id) == []


def test_an_order_no_single_warehouse_covers_is_split_at_intake(world):
    # Cups are in Shanghai and Guangzhou, the limited edition only in Beijing.
    [r] = intake(world, [new_order("S-7", [("SKU-CUP", 1), ("SKU-RARE", 1)])])
    assert r.hold_reason is None and r.warehouse_id is not None
    _, snap = _snapshot(world, r.order_id)
    assert snap["mode"] == "split" and snap["max_parcels"] == INTAKE_MAX_PARCELS
    assert "WH-BJ" in replay(snap) and len(replay(snap)) == 2


def test_the_reservation_follows_the_routers_choice(world):
    before = _stock(world, "WH-SH", "SKU-TEA").reserved
    [r] = intake(world, [new_order("S-8", [("SKU-TEA", 3)])])
    assert r.warehouse_id == "WH-SH"
    assert _stock(world, "WH-SH", "SKU-TEA").reserved == before + 3


def test_the_routing_context_is_rebuilt_when_a_warehouse_is_switched_off(world):
    [first] = intake(world, [new_order("S-9")])
    assert first.warehouse_id == "WH-SH"
    set_warehouse_active(world, "WH-SH", False)
    [second] = intake(world, [new_order("S-10")])
    assert second.warehouse_id != "WH-SH"
    _, snap = _snapshot(world, second.order_id)
    assert any("outage" in g["reasons"] and "WH-SH" in g["warehouses"] for g in snap["excluded"])


# -- rules at intake ------------------------------------------------------------------------


def test_a_review_rule_holds_the_order_with_its_reason_and_it_is_not_routed(world):
    go_live(world, '当 订单金额 > 1000元 时 转人工审核 原因 "大额订单"')
    big, small = intake(world, [new_order("R-1", [("SKU-TEA", 10)]), new_order("R-2")])
    assert (big.warehouse_id, big.hold_reason) == (None, review_hold("大额订单"))
    assert decisions(world, big.order_id) == []
    assert stored_order(world, big.order_id)["hold_reason"] == "review:大额订单"
    assert small.hold_reason is None and small.warehouse_id == "WH-SH"


def test_pricing_and_freight_rules_change_the_amounts_in_fen_and_the_event_says_so(world):
    go_live(world, "满100减10\n如果 订单来自杭州 则 运费减免5元")
    order = dataclasses.replace(new_order("R-3"), freight_fen=800)  # 128 元 of tea, 8 元 freight
    [r] = intake(world, [order])
    stored = stored_order(world, r.order_id)
    assert (stored["discount_fen"], stored["freight_fen"]) == (1_000, 300)
    assert stored["total_fen"] == 12_800 - 1_000 + 300
    with world.store.uow(read_only=True) as uow:
        [created] = [e for e in uow.outbox.for_order(r.order_id) if e["type"] == "order.created"]
        outcome = uow.connection.exec_driver_sql(
            "SELECT discount_fen, fired FROM rule_outcomes WHERE order_id = ?", (r.order_id,)
        ).one()
    assert created["payload"]["rule_changes"] == {"discount_fen": 1_000, "freight_off_fen": 500}
    assert set(created["payload"]["rules"]) == {"r1", "r2"}
    assert outcome[0] == 1_000 and set(outcome[1].split(",")) == {"r1", "r2"}


def test_a_gift_rule_adds_a_free_line_that_is_reserved_with_the_order(world):
    go_live(world, "满100送 SKU-CUP")
    before = _stock(world, "WH-SH", "SKU-CUP").reserved
    [r] = intake(world, [new_order("R-4")])
    lines = [
        (ln["sku"], ln["quantity"], ln["unit_price_fen"]) for ln in stored_order(world, r.order_id)["lines"]
    ]
    assert lines == [("SKU-TEA", 1, 12_800), ("SKU-CUP", 1, 0)]
    assert r.warehouse_id == "WH-SH" and _stock(world, "WH-SH", "SKU-CUP").reserved == before + 1


def test_a_tag_rule_tags_the_order(world):
    go_live(world, "当 订单金额>50元 时 标记 加急")
    [r] = intake(world, [new_order("R-5")])
    assert "urgent" in stored_order(world, r.order_id)["tags"]


def test_routing_rules_steer_the_router_and_are_named_in_the_decision(world):
    go_live(world, "当 订单来自杭州 时 排除仓库 WH-SH")
    [r] = intake(world, [new_order("R-6")])
    assert r.warehouse_id in {"WH-BJ", "WH-GZ"}
    row, snap = _snapshot(world, r.order_id)
    assert snap["directives"]["exclude"] == ["WH-SH"] and snap["rules"] == ["r1"]
    assert any("rule_excluded" in g["reasons"] and "WH-SH" in g["warehouses"] for g in snap["excluded"])
    assert orjson.loads(row["data"])["rules"] == "r1"
    [attempt] = routing_view(world, r.order_id, "zh")["attempts"]
    assert attempt["rules_fired"] == [
        {"rule_id": "r1", "name": "当 订单来自杭州 时 排除仓库 WH-SH", "category": "routing"}
    ]
    assert replay(snap) == [r.warehouse_id]


def test_a_reroute_keeps_the_directives_and_rules_of_intake_and_adds_its_exclusions(world):
    go_live(world, "当 订单来自杭州 时 排除仓库 WH-SH")
    [r] = intake(world, [new_order("R-11")])
    other = ({"WH-BJ", "WH-GZ"} - {r.warehouse_id}).pop()
    moved = reroute(world, r.order_id, reason="keep the rules", exclude=[r.warehouse_id])
    assert moved["warehouse_ids"] == [other]
    assert [f["rule_id"] for f in moved["rules_fired"]] == ["r1"]
    _, snap = _snapshot(world, r.order_id)
    assert sorted(snap["directives"]["exclude"]) == sorted(["WH-SH", r.warehouse_id])
    assert snap["rules"] == ["r1"]


def test_a_preferred_warehouse_wins_whenever_it_can_ship(world):
    go_live(world, "当 订单来自杭州 时 优先 WH-GZ")
    [r] = intake(world, [new_order("R-7")])
    assert r.warehouse_id == "WH-GZ"


def test_orders_in_a_canarys_places_get_the_canary_rules_and_the_rest_the_active_ones(world):
    go_live(world, "当 订单金额>50元 时 标记 加急")
    canary = go_live(world, "当 订单金额>50元 时 标记 试点", Canary(places=frozenset({"北京"})))
    hz, bj = intake(
        world, [new_order("R-9"), new_order("R-10", province="北京市", city="北京市", district="朝阳区")]
    )
    assert "urgent" in stored_order(world, hz.order_id)["tags"]
    assert "试点" in stored_order(world, bj.order_id)["tags"]
    with world.store.uow(read_only=True) as uow:
        rows = dict(
            uow.connection.exec_driver_sql(
                "SELECT order_id, canary FROM rule_outcomes WHERE version = ?", (canary,)
            ).all()
        )
    assert set(rows) == {bj.order_id} and bool(rows[bj.order_id])


def test_orders_are_unchanged_and_unrecorded_while_no_rule_version_is_live(world):
    [r] = intake(world, [new_order("R-8")])
    assert stored_order(world, r.order_id)["discount_fen"] == 0
    with world.store.uow(read_only=True) as uow:
        assert uow.catalog.count("rule_outcomes") == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_decisions_are_stored_read_back_and_rerouted_on_both_backends(backend, request, clock):
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    app = make_app(url, clock)
    try:
        save_catalog(app, warehouses=WAREHOUSES, skus=SKUS, stock=STOCK)
        go_live(app, "当 订单金额>50元 时 标记 加急")
        ok, held = intake(app, [new_order("P-1"), new_order("P-2", [("SKU-RARE", 10)])])
        assert "urgent" in stored_order(app, ok.order_id)["tags"]
        assert ok.outcome is IntakeOutcome.CREATED and ok.warehouse_id == "WH-SH"
        assert [d["status"] for d in decisions(app, ok.order_id)] == ["routed"]
        assert [d["status"] for d in decisions(app, held.order_id)] == ["held"]
        _, snap = _snapshot(app, ok.order_id)
        assert replay(snap) == ["WH-SH"]
        moved = reroute(app, ok.order_id, reason="backend check", exclude=["WH-SH"])
        assert moved["attempt"] == 2 and moved["warehouse_ids"] != ["WH-SH"]
        assert _stock(app, "WH-SH", "SKU-TEA").reserved == 0
        assert _stock(app, moved["warehouse_ids"][0], "SKU-TEA").reserved == 1
    finally:
        app.store.dispose()


def test_a_routed_order_stores_the_promise_routing_made_unless_the_platform_promised(world):
    plain, promised = intake(
        world,
        [new_order("P-1"), dataclasses.replace(new_order("P-2"), promised_at_ns=T0 + 7 * 86_400 * 10**9)],
    )
    [row] = decisions(world, plain.order_id)
    assert row["promise_ns"] is not None
    assert stored_order(world, plain.order_id)["promised_at_ns"] == row["promise_ns"]
    assert stored_order(world, promised.order_id)["promised_at_ns"] == T0 + 7 * 86_400 * 10**9


def test_an_order_held_for_stock_gets_its_promise_when_it_is_routed_later(world):
    [r] = intake(world, [new_order("P-3", [("SKU-RARE", 500)])])
    assert r.hold_reason == HoldReason.NO_STOCK.value
    assert stored_order(world, r.order_id)["promised_at_ns"] is None
    save_catalog(world, stock=[Stock("WH-SH", "SKU-RARE", 1000)])
    got = reroute(world, r.order_id, reason="补货")
    assert got["status"] == "routed"
    assert stored_order(world, r.order_id)["promised_at_ns"] == decisions(world, r.order_id)[-1]["promise_ns"]
