"""Service-layer behaviour that is not about the backend (run on SQLite; the store contract
runs intake, advance and cancel on every backend)."""

from __future__ import annotations

import dataclasses

import pytest

from ordo.domain.errors import StoreConflict
from ordo.domain.orders.holds import HoldReason
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import Address
from ordo.service.inventory.catalog import save_catalog, set_warehouse_active
from ordo.service.orders.intake import IntakeOutcome, intake
from ordo.service.orders.milestones import advance
from tests.conftest import T0, new_order


def test_listeners_are_woken_after_intake_and_advance_and_can_unsubscribe(world):
    woken = []
    unsubscribe = world.notifier.subscribe(lambda: woken.append(1))
    [r] = intake(world, [new_order("N-1")])
    advance(world, [MilestoneUpdate(r.order_id, Milestone.PICKED, T0, "wms")])
    assert len(woken) == 2
    unsubscribe()
    unsubscribe()  # twice is harmless
    intake(world, [new_order("N-2")])
    assert len(woken) == 2


def test_retrying_gives_up_after_the_allowed_attempts_with_the_conflict(world):
    world.retry = dataclasses.replace(world.retry, max_attempts=3)
    attempts = []

    def always_loses() -> None:
        attempts.append(1)
        raise StoreConflict("lost again")

    with pytest.raises(StoreConflict):
        world.retrying(always_loses)
    assert len(attempts) == 3


def test_retrying_does_not_repeat_work_that_failed_for_another_reason(world):
    attempts = []

    def broken() -> None:
        attempts.append(1)
        raise ValueError("a bug, not a race")

    with pytest.raises(ValueError):
        world.retrying(broken)
    assert attempts == [1]


def test_an_inactive_warehouse_gets_no_new_orders_until_it_reopens(world):
    assert set_warehouse_active(world, "WH-SH", False) is True
    assert set_warehouse_active(world, "WH-NOPE", False) is False
    [closed] = intake(world, [new_order("I-1")])
    assert closed.warehouse_id == "WH-GZ"  # Hangzhou's next nearest holder of tea
    set_warehouse_active(world, "WH-SH", True)
    [reopened] = intake(world, [new_order("I-2")])
    assert reopened.warehouse_id == "WH-SH"


def test_intake_locates_an_address_from_its_names_when_the_channel_sent_no_coordinates(world):
    [r] = intake(world, [new_order("G-1", province="北京市", city="北京市", district="朝阳区")])
    with world.store.uow(read_only=True) as uow:
        order = uow.orders.get(r.order_id)
    assert order is not None and order["adcode"] == "110105"
    assert 39 < order["lat"] < 41 and 116 < order["lng"] < 117
    assert r.warehouse_id == "WH-BJ"


def test_coordinates_sent_by_the_channel_are_kept(world):
    base = new_order("G-2")
    given = dataclasses.replace(
        base, ship_to=dataclasses.replace(base.ship_to, lat=39.9, lng=116.4, adcode="330106")
    )
    [r] = intake(world, [given])
    with world.store.uow(read_only=True) as uow:
        order = uow.orders.get(r.order_id)
    assert order is not None and (order["lat"], order["lng"], order["adcode"]) == (39.9, 116.4, "330106")
    assert r.warehouse_id == "WH-BJ"  # the coordinates decide, not the province name


def test_an_address_nobody_can_locate_is_held_for_its_address_not_routed_by_guess(world):
    # The router needs a place to weigh distance, lanes and carrier coverage; the old
    # nearest-warehouse strategy fell back to warehouse class, which was a guess.
    nowhere = dataclasses.replace(new_order("G-3"), ship_to=Address("火星", "奥林匹斯山"))
    [r] = intake(world, [nowhere])
    assert r.outcome is IntakeOutcome.CREATED
    assert (r.warehouse_id, r.hold_reason) == (None, HoldReason.ADDRESS)


def test_empty_batches_do_nothing(world):
    assert intake(world, []) == []
    assert advance(world, []) == []


def test_intake_results_render_as_plain_dicts_with_the_error_when_rejected(world):
    ok, bad = intake(world, [new_order("J-1"), new_order("J-2", [("SKU-NOPE", 1)])])
    assert ok.as_dict()["outcome"] == "created" and "error" not in ok.as_dict()
    assert bad.as_dict()["error"]["error"] == "unknown_sku"
    assert bad.as_dict()["index"] == 1


def test_catalog_metadata_is_saved_with_the_catalog(app):
    save_catalog(app, meta={"world": "tiny", "seed": "7"})
    with app.store.uow(read_only=True) as uow:
        assert (uow.catalog.get_meta("world"), uow.catalog.get_meta("seed")) == ("tiny", "7")
