"""The outbox read by region (province), as the SSE stream's ``region`` filter uses it."""

from __future__ import annotations

from ordo.service.orders.intake import intake
from tests.conftest import new_order


def test_events_can_be_read_for_one_province_only(world):
    intake(world, [new_order("R-1", province="浙江省"), new_order("R-2", province="广东省", city="广州市")])
    with world.store.uow(read_only=True) as uow:
        zhejiang = uow.outbox.after(0, region="浙江")
        everything = uow.outbox.after(0)
    assert len(everything) == 2
    assert len(zhejiang) == 1 and zhejiang[0]["order_id"] == everything[0]["order_id"]
