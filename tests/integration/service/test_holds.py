"""Holding orders by hand, releasing them, and correcting an unresolved address, on SQLite
and on PostgreSQL: stock, milestones, events, routing attempts and the address incident."""

from __future__ import annotations

from typing import Any

import pytest

from ordo.domain.errors import LifecycleViolation, NotFound, ValidationError
from ordo.domain.orders.holds import HoldReason
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.service.events import projector
from ordo.service.incidents.scan import scan
from ordo.service.orders.address_fix import AddressFix, correct_address
from ordo.service.orders.holds import held_orders, hold, release
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance, cancel
from ordo.service.routing.decisions import reroute
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, new_order
from tests.integration.service.routing_helpers import decisions, go_live, stored_order

OPS = "api:ops-key"
LOST = {"province": "火星省", "city": "奥林帕斯市", "district": "奥林帕斯区"}


def _reserved(app: Ordo, warehouse: str, sku: str) -> int:
    with app.store.uow(read_only=True) as uow:
        return uow.stock.get([(warehouse, sku)])[(warehouse, sku)].reserved


def _events(app: Ordo, order_id: str, kind: str) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return [e for e in uow.outbox.for_order(order_id) if e["type"] == kind]


def _steps(app: Ordo, order_id: str) -> set[str]:
    return {m["milestone"] for m in stored_order(app, order_id)["milestones"]}


def test_a_held_order_keeps_its_reservation_and_release_keeps_its_warehouse(shop):
    [r] = intake(shop, [new_order("H-1", [("SKU-TEA", 2)])])
    [out] = hold(shop, [r.order_id], reason="渠道暂停发货", actor=OPS)
    assert (out.outcome, out.hold_reason, out.warehouse_id) == ("held", "manual:渠道暂停发货", "WH-SH")
    order = stored_order(shop, r.order_id)
    assert (order["hold_reason"], order["warehouse_id"]) == ("manual:渠道暂停发货", "WH-SH")
    assert _reserved(shop, "WH-SH", "SKU-TEA") == 2
    assert "on_hold" in _steps(shop, r.order_id)
    [held] = _events(shop, r.order_id, "order.held")
    assert held["payload"]["reservation"] == "kept" and held["payload"]["by"] == OPS
    assert [o["id"] for o in held_orders(shop, prefix="manual:")] == [r.order_id]

    got = release(shop, r.order_id, actor=OPS, note="渠道恢复")
    assert (got["warehouse_id"], got["hold_reason"], got["routing_attempt"]) == ("WH-SH", None, None)
    assert stored_order(shop, r.order_id)["hold_reason"] is None
    assert _reserved(shop, "WH-SH", "SKU-TEA") == 2
    assert [d["attempt"] for d in decisions(shop, r.order_id)] == [1]  # not routed again
    [released] = _events(shop, r.order_id, "order.released")
    assert (
        released["payload"]["previous_hold"] == "manual:渠道暂停发货"
        and not released["payload"]["routed_now"]
    )
    assert held_orders(shop) == []


def test_a_reroute_moves_a_held_order_but_does_not_lift_its_hold(shop):
    [r] = intake(shop, [new_order("H-RR", [("SKU-TEA", 1)])])
    hold(shop, [r.order_id], reason="客户改期", actor=OPS)
    attempt = reroute(shop, r.order_id, reason="上海仓检修", exclude=["WH-SH"])
    order = stored_order(shop, r.order_id)
    assert order["warehouse_id"] == attempt["warehouse_ids"][0] != "WH-SH"
    assert order["hold_reason"] == "manual:客户改期"


def test_a_hold_that_frees_the_stock_is_routed_again_on_release(shop):
    [r] = intake(shop, [new_order("H-2", [("SKU-MILK", 3)])])
    [out] = hold(shop, [r.order_id], reason="客户要求延迟", actor=OPS, release_stock=True)
    assert out.warehouse_id is None and _reserved(shop, "WH-SH", "SKU-MILK") == 0
    assert stored_order(shop, r.order_id)["warehouse_id"] is None
    got = release(shop, r.order_id, actor=OPS)
    assert (got["warehouse_id"], got["routing_attempt"]) == ("WH-SH", 2)
    assert _reserved(shop, "WH-SH", "SKU-MILK") == 3
    assert [d["trigger"] for d in decisions(shop, r.order_id)] == ["intake", "release"]
    assert stored_order(shop, r.order_id)["hold_reason"] is None


def test_the_overview_counts_follow_a_hold_that_frees_the_stock_and_its_release(shop):
    projector.catch_up(shop)
    a, b = intake(shop, [new_order("H-P1"), new_order("H-P2")])
    hold(shop, [a.order_id, b.order_id], reason="盘点", actor=OPS, release_stock=True)
    release(shop, a.order_id, actor=OPS)
    projector.catch_up(shop)
    with shop.store.uow(read_only=True) as uow:
        followed = uow.overview.counts()["warehouse"]
    projector.rebuild(shop)
    with shop.store.uow(read_only=True) as uow:
        recounted = uow.overview.counts()["warehouse"]
    assert (
        {k: n for k, n in followed.items() if n} == {k: n for k, n in recounted.items() if n} == {"WH-SH": 1}
    )


def test_a_batch_hold_answers_per_order_and_refuses_shipped_closed_and_unknown_ones(shop):
    a, b, c, d = intake(shop, [new_order(f"H-B{n}") for n in range(4)])
    advance(shop, [MilestoneUpdate(b.order_id, Milestone.OUTBOUND, T0, "wms")])
    cancel(shop, [c.order_id], reason="buyer")
    hold(shop, [d.order_id], reason="first", actor=OPS)
    got = hold(
        shop,
        [a.order_id, b.order_id, c.order_id, d.order_id, "OR-NOPE", a.order_id],
        reason="stop",
        actor=OPS,
    )
    assert [(o.order_id, o.outcome) for o in got] == [
        (a.order_id, "held"),
        (b.order_id, "refused"),
        (c.order_id, "refused"),
        (d.order_id, "already_held"),
        ("OR-NOPE", "not_found"),
    ]
    assert got[1].error is not None and got[1].error.code == "already_shipped"
    assert got[2].error is not None and got[2].error.code == "order_closed"
    assert stored_order(shop, d.order_id)["hold_reason"] == "manual:first"  # the first hold stands
    assert stored_order(shop, b.order_id)["hold_reason"] is None
    with pytest.raises(ValidationError) as err:
        hold(shop, [a.order_id], reason="  ", actor=OPS)
    assert err.value.field == "reason"
    with pytest.raises(ValidationError) as err:
        hold(shop, [], reason="x", actor=OPS)
    assert err.value.field == "order_ids"


def test_release_refuses_what_is_not_its_to_let_go(shop):
    free, short, gone = intake(
        shop, [new_order("H-R1"), new_order("H-R2", [("SKU-RARE", 9)]), new_order("H-R3")]
    )
    [lost] = intake(shop, [new_order("H-R4", **LOST)])
    assert stored_order(shop, short.order_id)["hold_reason"] == HoldReason.NO_STOCK
    hold(shop, [gone.order_id], reason="x", actor=OPS)
    cancel(shop, [gone.order_id], reason="buyer")
    for oid, code in [
        (free.order_id, "not_held"),
        (short.order_id, "waits_for_stock"),
        (lost.order_id, "address_unresolved"),
        (gone.order_id, "order_closed"),
    ]:
        with pytest.raises(LifecycleViolation) as err:
            release(shop, oid, actor=OPS)
        assert err.value.code == code and "/" in err.value.message  # English / 中文
    with pytest.raises(NotFound):
        release(shop, "OR-NOPE", actor=OPS)


def test_correcting_an_unresolved_address_routes_the_order_and_resolves_its_incident(shop):
    [r] = intake(shop, [new_order("H-A1", [("SKU-TEA", 1)], **LOST)])
    assert (r.warehouse_id, r.hold_reason) == (None, HoldReason.ADDRESS)
    scan(shop)
    with shop.store.uow(read_only=True) as uow:
        [opened] = uow.incidents.open_of_orders([r.order_id])
    assert opened["detector"] == "address"
    fix = AddressFix("浙江", "杭州", "西湖区", "文三路 100 号", receiver="李四", phone="13900001111")
    got = correct_address(shop, r.order_id, fix, actor=OPS)
    assert (got["province"], got["city"], got["district"]) == ("浙江省", "杭州市", "西湖区")
    assert got["warehouse_id"] is not None and got["hold_reason"] is None and got["routing_attempt"] == 1
    order = stored_order(shop, r.order_id)
    assert order["adcode"] == "330106" and order["lat"] is not None and order["hold_reason"] is None
    assert (order["recipient_name"], order["recipient_phone"]) == ("李四", "13900001111")
    assert _reserved(shop, got["warehouse_id"], "SKU-TEA") == 1
    assert {"stock_locked", "routed"} <= _steps(shop, r.order_id)
    assert [d["trigger"] for d in decisions(shop, r.order_id)] == ["address"]
    [event] = _events(shop, r.order_id, "order.address_corrected")
    p = event["payload"]
    assert p["old"]["province"] == "火星省" and p["new"]["city"] == "杭州市" and p["was_held"]
    assert p["old"]["phone"] == "138****1234" and p["new"]["phone"] == "139****1111"
    assert "13812341234" not in str(p) and "13900001111" not in str(p)
    with shop.store.uow(read_only=True) as uow:
        assert uow.incidents.open_of_orders([r.order_id]) == []
        closed = uow.incidents.get(opened["id"])
        watch = uow.incidents.watches([r.order_id])[r.order_id]
    assert closed is not None and (closed["state"], closed["closed_by"]) == ("resolved", OPS)
    assert watch.hold_reason is None
    scan(shop)  # a later scan does not open it again
    with shop.store.uow(read_only=True) as uow:
        assert uow.incidents.open_of_orders([r.order_id]) == []


def test_an_address_that_cannot_be_located_is_refused_naming_the_part_and_changes_nothing(shop):
    [r] = intake(shop, [new_order("H-A2", **LOST)])
    with pytest.raises(ValidationError) as err:
        correct_address(shop, r.order_id, AddressFix("浙江省", "火星市", "", "某路 1 号"), actor=OPS)
    assert err.value.field == "city"
    order = stored_order(shop, r.order_id)
    assert (order["province"], order["hold_reason"]) == ("火星省", HoldReason.ADDRESS)
    assert _events(shop, r.order_id, "order.address_corrected") == []


def test_a_routed_order_gets_its_new_address_without_being_routed_again_until_it_leaves(shop):
    [r] = intake(shop, [new_order("H-A3")])
    got = correct_address(shop, r.order_id, AddressFix("", "", "", "上海市浦东新区世纪大道 1 号"), actor=OPS)
    assert (got["province"], got["district"], got["detail"]) == ("上海市", "浦东新区", "世纪大道 1 号")
    assert got["warehouse_id"] == r.warehouse_id and got["routing_attempt"] is None
    assert stored_order(shop, r.order_id)["recipient_phone"] == "13812341234"  # not asked to change
    assert len(decisions(shop, r.order_id)) == 1
    advance(shop, [MilestoneUpdate(r.order_id, Milestone.OUTBOUND, T0, "wms")])
    with pytest.raises(LifecycleViolation) as err:
        correct_address(shop, r.order_id, AddressFix("浙江省", "杭州市", "西湖区", "x"), actor=OPS)
    assert err.value.code == "already_shipped"


def test_releasing_a_review_hold_routes_the_order_and_records_the_review(world):
    go_live(world, '当 订单金额 > 100 时 转人工审核 原因 "大额"')
    [r] = intake(world, [new_order("H-V1", [("SKU-TEA", 1)])])
    assert r.warehouse_id is None and (r.hold_reason or "").startswith("review")
    assert [o["id"] for o in held_orders(world, prefix="review")] == [r.order_id]
    got = release(world, r.order_id, actor=OPS, note="已核实")
    assert got["warehouse_id"] == "WH-SH" and got["routing_attempt"] == 1
    assert {"reviewed", "stock_locked", "routed"} <= _steps(world, r.order_id)
    assert stored_order(world, r.order_id)["status"] == "processing"
    assert _reserved(world, "WH-SH", "SKU-TEA") == 1
