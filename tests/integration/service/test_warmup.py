"""Server start-up warm-up: works on an empty store and on a stocked one, and writes no orders."""

from __future__ import annotations

import gc

import pytest

from ordo.service.orders.intake import intake
from ordo.service.runtime.warmup import settle_heap, warm_up
from tests.conftest import make_app, new_order, seed_tiny_world


@pytest.mark.parametrize("stocked", [False, True])
def test_warm_up_builds_the_caches_and_writes_no_orders(sqlite_url, clock, stocked):
    app = make_app(sqlite_url, clock)
    if stocked:
        seed_tiny_world(app)
    try:
        warm_up(app)
        with app.store.uow(read_only=True) as uow:
            assert uow.orders.count_by_status() == {}
        if stocked:  # the warmed caches serve the first real order
            [r] = intake(app, [new_order("WARM-1")])
            assert r.order_id and r.warehouse_id
    finally:
        app.store.dispose()


def test_settle_heap_moves_what_is_alive_out_of_later_collections():
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
