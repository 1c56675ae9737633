"""Merge candidates (合单): which orders may ship as one parcel."""

from __future__ import annotations

import pytest

from ordo.domain.errors import LifecycleViolation, ValidationError
from ordo.domain.orders.consolidation import OpenOrder, address_key, candidates, check_parcel
from ordo.domain.orders.milestones import Milestone as M

H = 3600 * 10**9
HOME = address_key("浙江省", "杭州市", "西湖区", "文三路 100 号", "张三")


def order(oid: str, at_h: int = 0, **kw: object) -> OpenOrder:
    base: dict[str, object] = {
        "id": oid,
        "customer_id": "CU1",
        "address": HOME,
        "warehouse_id": "WH-SH",
        "placed_at_ns": at_h * H,
        "steps": frozenset({M.CREATED, M.PAID, M.ROUTED}),
    }
    base.update(kw)
    return OpenOrder(**base)  # type: ignore[arg-type]


def test_one_customers_orders_to_one_door_within_the_window_are_proposed_together():
    groups = candidates([order("A"), order("B", 2), order("C", 30)], window_ns=24 * H)
    assert [[o.id for o in g] for g in groups] == [["A", "B"]]


def test_the_same_address_typed_with_full_width_spaces_is_the_same_door():
    assert address_key("浙江省", "杭州市", "西湖区", "文三路\u3000100 号", "张三") == HOME


def test_cod_sealed_shipped_cancelled_and_other_customers_orders_are_never_proposed():
    others = [
        order("COD", tags=("cod",)),
        order("SEAL", tags=("封单",)),
        order("GONE", steps=frozenset({M.CREATED, M.OUTBOUND})),
        order("CXL", steps=frozenset({M.CREATED, M.CANCELLED})),
        order("OTHER", customer_id="CU2"),
        order("ELSEWHERE", warehouse_id="WH-BJ"),
    ]
    assert candidates([order("A"), *others]) == []


def test_an_operator_merge_is_refused_with_the_rule_it_breaks():
    with pytest.raises(LifecycleViolation) as shipped:
        check_parcel([order("A"), order("B", steps=frozenset({M.PACKED, M.OUTBOUND}))])
    assert shipped.value.code == "already_shipped"
    with pytest.raises(LifecycleViolation) as cod:
        check_parcel([order("A"), order("B", tags=("cod",))])
    assert cod.value.code == "order_sealed"
    with pytest.raises(LifecycleViolation) as door:
        check_parcel([order("A"), order("B", address="elsewhere")])
    assert door.value.code == "different_address"
    with pytest.raises(ValidationError):
        check_parcel([order("A")])
    check_parcel([order("A"), order("B")])  # allowed: no error
