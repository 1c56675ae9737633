"""Customer identity and parcel merges through the service on one backend (subclassed per backend).

``IdentityContract`` is abstract: a backend's test module subclasses it and provides ``url``,
a database without rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from ordo.clock import ManualClock
from ordo.domain import events as ev
from ordo.domain.customers.identity import key_of
from ordo.domain.errors import Conflict, LifecycleViolation
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.model import Identifier, Order
from ordo.service.customers import identity
from ordo.service.orders import parcels
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, make_app, new_order, seed_tiny_world

PHONE, OPENID, MEMBER = (
    Identifier("phone", "13812345678"),
    Identifier("openid", "oWX-42"),
    Identifier("member", "M-7"),
)


def carrying(external_id: str, channel: str, *ids: Identifier, **kw: object) -> Order:
    return dataclasses.replace(new_order(external_id, channel=channel), identifiers=ids, **kw)  # type: ignore[arg-type]


class IdentityContract:
    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def world(self, url: str, clock: ManualClock) -> Iterator[Ordo]:
        app = make_app(url, clock)
        seed_tiny_world(app)
        yield app
        app.store.dispose()

    @staticmethod
    def created(app: Ordo, *orders: Order) -> list[str]:
        out = []
        for o in orders:  # one at a time: each channel's order arrives on its own
            [r] = intake(app, [o])
            assert r.customer_id is not None, r
            out.append(r.customer_id)
        return out

    def test_one_person_on_douyin_a_mini_program_and_in_a_store_is_one_customer_with_three_orders(
        self, world
    ):
        ids = self.created(
            world,
            carrying("DY-1", "douyin", PHONE),
            carrying("WX-1", "wechat_mp", OPENID, dataclasses.replace(PHONE, value="+86 138-1234-5678")),
            carrying("POS-1", "pos", MEMBER, OPENID),
        )
        assert len(set(ids)) == 1
        found = identity.customer(world, ids[0])
        assert found is not None
        assert sorted(o["channel"] for o in found["orders"]) == ["douyin", "pos", "wechat_mp"]
        assert sorted(i["kind"] for i in found["identifiers"]) == ["member", "openid", "phone"]
        assert identity.find_customer(world, "phone", "13812345678") == ids[0]
        assert identity.find_customer(world, "member", "M-7") == ids[0]

    def test_an_order_joining_two_customers_merges_them_with_its_evidence_and_a_split_undoes_it(self, world):
        douyin, store = self.created(
            world, carrying("DY-1", "douyin", PHONE), carrying("POS-1", "pos", MEMBER)
        )
        assert douyin != store
        [r] = intake(world, [carrying("WX-1", "wechat_mp", MEMBER, PHONE)])
        merged = identity.customer(world, store)
        assert merged is not None and merged["id"] == r.customer_id == min(douyin, store)
        assert len(merged["orders"]) == 3
        [merge] = merged["merges"]
        assert merge["order_id"] == r.order_id
        assert [e["kind"] for e in merge["evidence"]] == ["member", "phone"]
        with world.store.uow(read_only=True) as uow:
            [event] = uow.outbox.after(0, types=[ev.CUSTOMER_MERGED])
        assert event["payload"]["merge_id"] == merge["id"]

        identity.split(world, merge["id"], by="api:ops", reason="two people share a member card")
        apart = {
            identity.find_customer(world, "phone", "13812345678"),
            identity.find_customer(world, "member", "M-7"),
        }
        assert apart == {douyin, store}
        with pytest.raises(Conflict):
            identity.split(world, merge["id"], by="api:ops", reason="again")
        [r2] = intake(world, [carrying("WX-2", "wechat_mp", MEMBER, PHONE)])  # the same pair again
        assert identity.find_customer(world, "phone", "13812345678") != identity.find_customer(
            world, "member", "M-7"
        )
        assert r2.customer_id in apart

    def test_masked_identifiers_are_kept_with_the_order_but_link_no_one(self, world):
        masked = Identifier("phone", "138****5678", masked=True)
        [a] = intake(world, [carrying("DY-1", "douyin", masked, Identifier("buyer_id", "dy-1"))])
        [b] = intake(world, [carrying("DY-2", "douyin", masked, Identifier("buyer_id", "dy-2"))])
        [c] = intake(world, [carrying("DY-3", "douyin", masked)])
        assert a.customer_id != b.customer_id and c.customer_id is None
        with world.store.uow(read_only=True) as uow:
            assert uow.identity.identifiers(c.order_id or "") == [
                {"kind": "phone", "display": "138****5678", "links": False}
            ]

    def test_the_same_customers_unshipped_orders_to_one_door_are_proposed_and_merged_into_one_parcel(
        self, world
    ):
        ids = self.created(
            world,
            carrying("DY-1", "douyin", PHONE),
            carrying("DY-2", "douyin", PHONE),
            carrying("DY-3", "douyin", PHONE, tags=("cod",)),
        )
        [group] = parcels.merge_candidates(world, ids[0])
        assert len(group["order_ids"]) == 2
        merged = parcels.merge_parcel(world, group["order_ids"], by="api:ops", customer_id=ids[0])
        assert merged["order_ids"] == sorted(group["order_ids"])
        with world.store.uow(read_only=True) as uow:
            assert uow.parcels.get(merged["parcel_id"])["order_ids"] == merged["order_ids"]  # type: ignore[index]
            assert len(uow.outbox.after(0, types=[ev.PARCEL_MERGED])) == 2
        assert parcels.merge_candidates(world, ids[0]) == []  # already in a parcel

    def test_an_order_that_left_the_warehouse_cannot_join_a_parcel(self, world):
        self.created(world, carrying("DY-1", "douyin", PHONE), carrying("DY-2", "douyin", PHONE))
        with world.store.uow(read_only=True) as uow:
            customer = uow.identity.customer_of_key(
                key_of("phone", "13812345678", world.identity.pepper) or ""
            )
            order_ids = uow.identity.order_ids(customer or "", 10)
        advance(world, [MilestoneUpdate(order_ids[0], Milestone.OUTBOUND, T0, "wms")])
        with pytest.raises(LifecycleViolation) as refused:
            parcels.merge_parcel(world, order_ids, by="api:ops")
        assert refused.value.code == "already_shipped"
