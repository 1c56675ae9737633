"""Re-routing an open order, and a warehouse outage re-routing all of its open orders."""

from __future__ import annotations

import pytest

from ordo.domain.errors import Conflict, NotFound, ValidationError
from ordo.domain.orders.holds import HoldReason
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.routing import replay
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance, cancel
from ordo.service.routing.decisions import explain_order, outage, reroute, restore, routing_view
from tests.conftest import T0, new_order
from tests.integration.service.routing_helpers import decisions, stored_order


def _reserved(app, warehouse, sku):
    with app.store.uow(read_only=True) as uow:
        return uow.stock.get([(warehouse, sku)])[(warehouse, sku)].reserved


def test_a_reroute_moves_the_reservation_and_keeps_every_attempt(world):
    [r] = intake(world, [new_order("X-1", [("SKU-TEA", 2)])])
    assert r.warehouse_id == "WH-SH" and _reserved(world, "WH-SH", "SKU-TEA") == 2
    attempt = reroute(world, r.order_id, reason="WH-SH floods", exclude=["WH-SH"], lang="en")
    assert attempt["attempt"] == 2 and attempt["trigger"] == "reroute" and attempt["status"] == "routed"
    [moved_to] = attempt["warehouse_ids"]
    assert moved_to in {"WH-BJ", "WH-GZ"}
    assert _reserved(world, "WH-SH", "SKU-TEA") == 0 and _reserved(world, moved_to, "SKU-TEA") == 2
    assert stored_order(world, r.order_id)["warehouse_id"] == moved_to
    assert [d["attempt"] for d in decisions(world, r.order_id)] == [1, 2]
    sh = next(c for c in attempt["candidates"] if c["warehouse_id"] == "WH-SH")
    assert sh["excluded"] == ["excluded by a routing rule"] and not sh["chosen"]
    view = routing_view(world, r.order_id, "en")
    assert [a["warehouse_ids"] for a in view["attempts"]] == [["WH-SH"], [moved_to]]
    with world.store.uow(read_only=True) as uow:
        [moved] = [e for e in uow.outbox.for_order(r.order_id) if e["type"] == "order.rerouted"]
    assert (moved["payload"]["from"], moved["payload"]["to"]) == ("WH-SH", moved_to)


def test_a_reroute_with_nowhere_to_go_holds_the_order_for_stock_and_frees_its_units(world):
    [r] = intake(world, [new_order("X-2", [("SKU-MILK", 1)])])  # milk: Shanghai only
    attempt = reroute(world, r.order_id, reason="cold room broken", exclude=["WH-SH"])
    assert attempt["status"] == "held" and attempt["warehouse_ids"] == []
    order = stored_order(world, r.order_id)
    assert (order["warehouse_id"], order["hold_reason"]) == (None, HoldReason.NO_STOCK)
    assert _reserved(world, "WH-SH", "SKU-MILK") == 0
    # Reopened: routing it again finds Shanghai, and records the milestones once.
    again = reroute(world, r.order_id, reason="fixed")
    assert again["warehouse_ids"] == ["WH-SH"] and _reserved(world, "WH-SH", "SKU-MILK") == 1


def test_a_held_order_is_routed_by_a_reroute_once_stock_arrives(world):
    [r] = intake(world, [new_order("X-3", [("SKU-RARE", 4)])])  # 5 on hand, safety 1: fits
    [h] = intake(world, [new_order("X-4", [("SKU-RARE", 4)])])
    assert (r.warehouse_id, h.hold_reason) == ("WH-BJ", HoldReason.NO_STOCK)
    cancel(world, [r.order_id], reason="buyer changed mind")
    attempt = reroute(world, h.order_id, reason="stock freed")
    assert attempt["warehouse_ids"] == ["WH-BJ"]
    steps = {m["milestone"] for m in stored_order(world, h.order_id)["milestones"]}
    assert {"stock_locked", "routed"} <= steps


def test_cancelled_or_picked_orders_cannot_be_rerouted_and_bad_input_names_its_field(world):
    a, b, c = intake(world, [new_order("X-5"), new_order("X-6"), new_order("X-7")])
    cancel(world, [a.order_id], reason="test")
    advance(world, [MilestoneUpdate(b.order_id, Milestone.PICKED, T0, "wms")])
    for oid in (a.order_id, b.order_id):
        with pytest.raises(Conflict):
            reroute(world, oid, reason="too late")
    with pytest.raises(NotFound):
        reroute(world, "OR-NOPE", reason="x")
    with pytest.raises(ValidationError) as err:
        reroute(world, c.order_id, reason="x", exclude=["WH-MARS"])
    assert err.value.field == "exclude_warehouses"


def test_an_outage_switches_the_warehouse_off_and_reroutes_its_open_orders(world):
    results = intake(world, [new_order(f"X-{n}", [("SKU-TEA", 1)]) for n in range(10, 14)])
    assert {r.warehouse_id for r in results} == {"WH-SH"}
    advance(world, [MilestoneUpdate(results[0].order_id, Milestone.PACKED, T0, "wms")])
    summary = outage(world, "WH-SH", reason="power cut")
    assert summary["orders"] == 4 and summary["rerouted"] == 3 and summary["refused"] == 1
    for r in results[1:]:
        [first, second] = decisions(world, r.order_id)
        assert (
            first["trigger"] == "intake"
            and second["trigger"] == "outage"
            and second["warehouse_ids"] != "WH-SH"
        )
    assert stored_order(world, results[0].order_id)["warehouse_id"] == "WH-SH"  # packed: stays
    [later] = intake(world, [new_order("X-20")])
    assert later.warehouse_id != "WH-SH"


def test_ending_an_outage_switches_the_warehouse_on_and_routes_what_waited_for_it(world):
    # Cold chain: only Shanghai keeps milk, so during its outage milk orders wait for stock.
    [milk] = intake(world, [new_order("X-40", [("SKU-MILK", 1)])])
    assert milk.warehouse_id == "WH-SH"
    outage(world, "WH-SH", reason="停电")
    [waiting] = intake(world, [new_order("X-41", [("SKU-MILK", 1)])])
    assert waiting.warehouse_id is None and waiting.hold_reason == HoldReason.NO_STOCK.value
    assert stored_order(world, milk.order_id)["hold_reason"] == HoldReason.NO_STOCK.value

    summary = restore(world, "WH-SH", reason="来电")
    assert summary["was_active"] is False and summary["retried"] == 2 and summary["routed"] == 2
    for oid in (milk.order_id, waiting.order_id):
        order = stored_order(world, oid)
        assert order["warehouse_id"] == "WH-SH" and order["hold_reason"] is None
        assert decisions(world, oid)[-1]["trigger"] == "restored"
    assert "仓库恢复" in explain_order(world, waiting.order_id, "zh")
    [later] = intake(world, [new_order("X-42", [("SKU-MILK", 1)])])
    assert later.warehouse_id == "WH-SH"
    with pytest.raises(NotFound):
        restore(world, "WH-MARS", reason="x")


def test_explain_answers_why_this_warehouse_and_why_not_that_one_in_both_languages(world):
    [r] = intake(world, [new_order("X-30")])
    zh = explain_order(world, r.order_id, "zh", "WH-BJ")
    en = explain_order(world, r.order_id, "en", "WH-BJ")
    assert "选择 上海嘉定仓（WH-SH）" in zh and "未选 WH-BJ" in zh and "时效" in zh
    assert "chose WH-SH" in en and "not WH-BJ" in en and "delivery time" in en
    reroute(world, r.order_id, reason="test", exclude=["WH-SH"])
    assert "excluded by hard constraints" in explain_order(world, r.order_id, "en", "WH-SH")


def test_every_stored_attempt_replays_to_the_plan_it_recorded(world):
    [r] = intake(world, [new_order("X-40", [("SKU-TEA", 1), ("SKU-CUP", 1)])])
    reroute(world, r.order_id, reason="test", exclude=[r.warehouse_id])
    from ordo.service.routing.expand import expand

    with world.store.uow(read_only=True) as uow:
        for row in uow.routing.attempts(r.order_id):
            snap = expand(row, world.caches.routing.listing(uow, row["network"]))
            assert replay(snap) == [w for w in row["warehouse_ids"].split(",") if w]
