"""A caller's scope: channels and operations narrow a role, and refusals say what and why in two languages."""

from __future__ import annotations

import pytest

from ordo.domain.access import UNBOUND, OutOfScope, Perm, Scope, require_channels, require_operation
from ordo.domain.errors import PermissionDenied


def test_an_unbound_scope_refuses_nothing() -> None:
    require_channels(UNBOUND, ["jd", "tmall"], "cancel orders")
    require_operation(UNBOUND, Perm.ADMIN)
    assert UNBOUND.unbound


def test_a_channel_outside_the_scope_is_refused_naming_the_channel_and_the_write() -> None:
    jd = Scope(frozenset({"jd"}))
    require_channels(jd, ["jd", "jd"], "cancel orders")
    with pytest.raises(OutOfScope) as caught:
        require_channels(jd, ["jd", "tmall", "douyin"], "cancel orders")
    err = caught.value
    assert isinstance(err, PermissionDenied) and err.http_status == 403 and err.code == "out_of_scope"
    assert err.details == {
        "refused": "cancel orders", "channels": ["douyin", "tmall"], "allowed_channels": ["jd"],
    }  # fmt: skip
    assert "cancel orders of channel douyin, tmall" in err.message and "取消订单" in err.message


def test_an_operation_the_scope_does_not_list_is_refused() -> None:
    tracking = Scope(frozenset(), frozenset({Perm.MILESTONES_WRITE}))
    require_operation(tracking, Perm.MILESTONES_WRITE)
    with pytest.raises(OutOfScope) as caught:
        require_operation(tracking, Perm.ORDERS_CANCEL)
    assert caught.value.details["permission"] == "orders_cancel" and "超出" in caught.value.message


def test_a_scope_round_trips_through_its_stored_form() -> None:
    scope = Scope(frozenset({"jd", "tmall"}), frozenset({Perm.READ, Perm.ORDERS_WRITE}))
    stored = scope.as_dict()
    assert stored == {"channels": ["jd", "tmall"], "shops": [], "operations": ["orders_write", "read"]}
    assert Scope.from_dict(stored) == scope
    assert Scope.from_dict(None) == UNBOUND == Scope.from_dict({"channels": [], "operations": None})


def test_an_order_from_another_shop_or_from_no_known_shop_is_outside_a_shop_scope() -> None:
    from ordo.domain.access import require_shops

    shop = Scope(shops=frozenset({"tb-flagship"}))
    require_shops(shop, ["tb-flagship"], "cancel orders")
    require_shops(UNBOUND, [None, "any"], "cancel orders")
    with pytest.raises(OutOfScope) as caught:
        require_shops(shop, ["tb-flagship", "tb-outlet", None], "cancel orders")
    assert caught.value.details == {
        "refused": "cancel orders", "shops": ["-", "tb-outlet"], "allowed_shops": ["tb-flagship"],
    }  # fmt: skip
    assert "店铺" in caught.value.message and "shop" in caught.value.message
    assert not shop.unbound and Scope.from_dict(shop.as_dict()) == shop
