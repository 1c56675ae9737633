"""Platform shops, pull cursors, pulled orders and shipment confirmations on one backend
(subclassed per backend in ``test_platforms_store.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordo.clock import ManualClock
from ordo.service.ports import ShipmentRecord, ShopRecord
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, make_app


def shop(shop_id: str, channel: str = "taobao") -> ShopRecord:
    return {
        "id": shop_id,
        "channel": channel,
        "name": shop_id,
        "app_key": "key",
        "app_secret": "secret-0123456789",
        "session": "session-1",
        "endpoint": "http://127.0.0.1:1",
        "version": 1,
        "enabled": True,
        "created_at_ns": T0,
        "updated_at_ns": T0,
    }


def shipment(order_id: str, waybill: str, *, due: int = T0 + 900, kind: str = "ship") -> ShipmentRecord:
    return {
        "id": 0,
        "shop_id": "tb-1",
        "order_id": order_id,
        "channel": "taobao",
        "external_id": "E" + order_id,
        "waybill": waybill,
        "carrier": "sf",
        "state": "pending",
        "attempts": 0,
        "next_at_ns": T0,
        "outbound_at_ns": T0,
        "due_at_ns": due,
        "acked_at_ns": None,
        "sla_raised": False,
        "last_error": "",
        "created_at_ns": T0,
        "updated_at_ns": T0,
        "kind": kind,
        "lines": "",
    }


class PlatformsContract:
    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def store_app(self, url: str) -> Iterator[Ordo]:
        app = make_app(url, ManualClock(T0))
        yield app
        app.store.dispose()

    def test_shops_are_added_once_listed_and_rotated_with_a_new_version(self, store_app: Ordo) -> None:
        with store_app.store.uow() as uow:
            assert uow.platforms.add_shop(shop("tb-1"))
            assert uow.platforms.add_shop(shop("tb-2"))
            assert not uow.platforms.add_shop(shop("tb-1"))
            assert uow.platforms.add_shop(shop("jd-1", "jd"))
            uow.commit()
        with store_app.store.uow() as uow:
            assert (
                uow.platforms.rotate(
                    "tb-2", app_key=None, app_secret="new-secret-123", session=None, now_ns=T0 + 1
                )
                == 2
            )
            assert uow.platforms.rotate("nope", app_key=None, app_secret="x", session=None, now_ns=T0) is None
            uow.commit()
        with store_app.store.uow(read_only=True) as uow:
            assert [s["id"] for s in uow.platforms.shops("taobao")] == ["tb-1", "tb-2"]
            assert uow.platforms.versions() == {"tb-1": 1, "tb-2": 2, "jd-1": 1}
            row = uow.platforms.shop("tb-2")
            assert row is not None and row["app_secret"] == "new-secret-123" and row["session"] == "session-1"

    def test_a_cursor_only_moves_forward_and_each_order_keeps_its_first_shop(self, store_app: Ordo) -> None:
        with store_app.store.uow() as uow:
            assert uow.platforms.cursor("tb-1") is None
            assert uow.platforms.commit_page("tb-1", T0, [("taobao", "1"), ("taobao", "2")], T0) == 2
            assert uow.platforms.commit_page("tb-1", T0 - 5, [("taobao", "2"), ("taobao", "3")], T0) == 1
            assert uow.platforms.commit_page("tb-2", T0, [("taobao", "3")], T0) == 0
            uow.commit()
        with store_app.store.uow(read_only=True) as uow:
            assert uow.platforms.cursor("tb-1") == (T0, 3)
            assert uow.platforms.shops_of([("taobao", "3"), ("taobao", "9")]) == {("taobao", "3"): "tb-1"}

    def test_shipments_are_recorded_once_retried_dead_lettered_replayed_and_acked(
        self, store_app: Ordo
    ) -> None:
        with store_app.store.uow() as uow:
            assert (
                uow.platforms.add_shipments(
                    [shipment("O1", "SF1"), shipment("O1", "SF2"), shipment("O2", "SF3", due=T0 + 10)]
                )
                == 3
            )
            assert uow.platforms.add_shipments([shipment("O1", "SF1")]) == 0
            uow.commit()
        with store_app.store.uow() as uow:
            due = uow.platforms.due_shipments(T0)
            assert [s["waybill"] for s in due] == ["SF1", "SF2", "SF3"]
            one, two, three = (s["id"] for s in due)
            uow.platforms.shipment_acked([one], T0 + 1)
            uow.platforms.shipment_failed(
                two, attempts=1, next_at_ns=T0 + 50, error="503", dead=False, now_ns=T0
            )
            uow.platforms.shipment_failed(
                three, attempts=9, next_at_ns=T0 + 50, error="refused", dead=True, now_ns=T0
            )
            uow.commit()
        with store_app.store.uow() as uow:
            assert uow.platforms.due_shipments(T0 + 10) == []
            assert [s["id"] for s in uow.platforms.due_shipments(T0 + 50)] == [two]
            assert [s["id"] for s in uow.platforms.overdue(T0 + 20)] == [three]
            uow.platforms.mark_sla_raised([three])
            assert uow.platforms.overdue(T0 + 2_000) == [uow.platforms.shipments(state="pending")[0]]
            assert uow.platforms.replay_shipments(None, T0 + 60) == 1
            assert uow.platforms.shipment_counts() == {"acked": 1, "pending": 2}
            uow.commit()

    def test_a_waybill_is_shipped_and_cancelled_once_each_and_only_shipments_have_a_deadline(
        self, store_app: Ordo
    ) -> None:
        with store_app.store.uow() as uow:
            rows = [shipment("O1", "SF1", due=T0), shipment("O1", "SF1", due=T0, kind="cancel")]
            assert uow.platforms.add_shipments(rows) == 2  # one per order, kind and waybill
            assert uow.platforms.add_shipments(rows) == 0
            uow.commit()
        with store_app.store.uow() as uow:
            assert sorted(s["kind"] for s in uow.platforms.due_shipments(T0)) == ["cancel", "ship"]
            assert [s["kind"] for s in uow.platforms.overdue(T0 + 1)] == ["ship"]
