"""The merge window (合单) end to end: a published rule holds a customer's orders to one
door, the upkeep step routes them once the window ends and merges them into one parcel
(one warehouse, one carrier); each platform order keeps its id; a sealed order never waits
nor merges."""

from __future__ import annotations

import dataclasses

import pytest

from ordo.clock import ManualClock
from ordo.domain import events as ev
from ordo.domain.orders.holds import hold_kind
from ordo.domain.orders.model import Identifier, Order
from ordo.service.orders.intake import intake
from ordo.service.orders.merge_window import ACTOR, release_due
from ordo.service.runtime.app import Ordo
from tests.conftest import new_order
from tests.integration.service.routing_helpers import decisions, go_live, stored_order

RULE = "同一买家 同一地址 的 订单 合单 等待 30 分钟"


def _order(external_id: str, sku: str, *tags: str) -> Order:
    """One buyer (the platform's buyer id links the orders to one customer), one door."""
    base = new_order(external_id, [(sku, 1)])
    return dataclasses.replace(base, identifiers=(Identifier("buyer_id", "tb-buyer-1"),), tags=tags)


def _events(app: Ordo, order_id: str, name: str) -> list[dict[str, object]]:
    with app.store.uow(read_only=True) as uow:
        rows = uow.outbox.for_order(order_id)
    return [dict(r["payload"]) for r in rows if r["type"] == name]


def test_merge_window_merges_two_orders_to_one_door_into_one_parcel(world: Ordo, clock: ManualClock) -> None:
    go_live(world, RULE)
    [first] = intake(world, [_order("MW-1", "SKU-TEA")])
    clock.advance(5 * 60)
    [second] = intake(world, [_order("MW-2", "SKU-CUP")])
    [sealed] = intake(world, [_order("MW-SEALED", "SKU-TEA", "封单")])

    # Held, unrouted, for the window; the sealed order went on its way at once.
    for res in (first, second):
        row = stored_order(world, res.order_id)
        assert hold_kind(row["hold_reason"]) == "merge_window" and row["warehouse_id"] is None
    assert stored_order(world, sealed.order_id)["hold_reason"] is None
    assert stored_order(world, sealed.order_id)["warehouse_id"] is not None

    clock.advance(20 * 60)  # 25 minutes after the first: the window is still open
    assert release_due(world).parcels == []
    assert hold_kind(stored_order(world, first.order_id)["hold_reason"]) == "merge_window"

    clock.advance(6 * 60)  # 31 minutes after the first
    done = release_due(world)
    [parcel] = done.parcels
    assert parcel["order_ids"] == [first.order_id, second.order_id]
    assert done.refused == {} and done.alone == []

    a, b = stored_order(world, first.order_id), stored_order(world, second.order_id)
    assert a["hold_reason"] is None and b["hold_reason"] is None
    assert a["warehouse_id"] == b["warehouse_id"] == parcel["warehouse_id"]
    # One routing decision for the shipment: the second rides the first's carrier.
    lead, follow = decisions(world, first.order_id)[-1], decisions(world, second.order_id)[-1]
    assert lead["trigger"] == follow["trigger"] == "merge_window"
    assert lead["carrier_ids"] == follow["carrier_ids"] != ""
    # The platform orders keep their own ids (each is confirmed back on its own).
    assert (a["external_id"], b["external_id"]) == ("MW-1", "MW-2")
    # Audited: released by the merge window, then merged, for each order.
    for oid in (first.order_id, second.order_id):
        [released] = _events(world, oid, ev.ORDER_RELEASED)
        assert released["by"] == ACTOR and released["group_size"] == 2
        [merged] = _events(world, oid, ev.PARCEL_MERGED)
        assert merged["parcel_id"] == parcel["parcel_id"] and merged["by"] == "rule:merge_window"
    # The sealed order never joined.
    assert sealed.order_id not in parcel["order_ids"]
    assert _events(world, sealed.order_id, ev.PARCEL_MERGED) == []
    # Nothing left to do.
    assert release_due(world).parcels == []


def test_a_lone_order_goes_on_its_own_when_its_window_ends(world: Ordo, clock: ManualClock) -> None:
    go_live(world, "merge orders to the same address within 10 minutes")
    [only] = intake(world, [new_order("MW-ALONE", [("SKU-TEA", 1)])])
    assert hold_kind(stored_order(world, only.order_id)["hold_reason"]) == "merge_window"
    clock.advance(11 * 60)
    done = release_due(world)
    assert done.parcels == [] and done.alone == [only.order_id]
    row = stored_order(world, only.order_id)
    assert row["hold_reason"] is None and row["warehouse_id"] is not None


def test_a_round_reads_every_page_of_held_orders_so_the_oldest_are_not_left_behind(
    world: Ordo, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ordo.service.orders import merge_window

    monkeypatch.setattr(merge_window, "PAGE", 1)  # one held order a page
    go_live(world, RULE)
    done = []
    for n in range(3):  # three buyers, one order each
        order = dataclasses.replace(
            _order(f"MW-P{n}", "SKU-TEA"), identifiers=(Identifier("buyer_id", f"tb-buyer-p{n}"),)
        )
        [res] = intake(world, [order])
        done.append(res.order_id)
    clock.advance(31 * 60)
    assert sorted(release_due(world).alone) == sorted(done)
