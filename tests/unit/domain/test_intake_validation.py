"""Business validation at intake: every rule refuses with the dotted path of the field it checks."""

from __future__ import annotations

import dataclasses

import pytest

from ordo.domain.errors import UnknownSku, ValidationError
from ordo.domain.orders.model import Address, Line, Order
from ordo.domain.orders.validation import (
    MAX_LINES,
    MAX_QUANTITY,
    MAX_TAGS,
    MAX_UNIT_PRICE_FEN,
    validate_order,
)

T0 = 1_794_355_200 * 1_000_000_000
DAY = 86_400 * 10**9
KNOWN = frozenset({"SKU-A", "SKU-B"})


def order(**changes: object) -> Order:
    base = Order(
        id="",
        channel="tmall",
        external_id="TM-1",
        customer_ref="C-1",
        ship_to=Address("浙江省", "杭州市", "西湖区"),
        lines=(Line("SKU-A", 2, 1_000), Line("SKU-B", 1, 500, frozenset({"fragile"}))),
        placed_at_ns=T0,
        paid_at_ns=T0,
    )
    return dataclasses.replace(base, **changes)


def line(**changes: object) -> tuple[Line, ...]:
    return (dataclasses.replace(Line("SKU-A", 2, 1_000), **changes),)


def test_a_well_formed_order_passes():
    validate_order(order(), KNOWN)


def test_a_free_gift_line_and_a_full_discount_are_allowed():
    validate_order(
        order(lines=(Line("SKU-A", 1, 0, frozenset({"gift"})), Line("SKU-B", 1, 100, discount_fen=100))),
        KNOWN,
    )


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (order(channel="myspace"), "channel"),
        (order(external_id="x" * 65), "external_id"),
        (order(external_id="  "), "external_id"),
        (order(customer_ref="c" * 65), "customer_ref"),
        (order(remark="r" * 1001), "remark"),
        (order(lines=()), "lines"),
        (order(lines=(Line("SKU-A", 1, 1),) * (MAX_LINES + 1)), "lines"),
        (order(tags=("t",) * (MAX_TAGS + 1)), "tags"),
        (order(lines=line(quantity=0)), "lines[0].quantity"),
        (order(lines=line(quantity=MAX_QUANTITY + 1)), "lines[0].quantity"),
        (order(lines=line(unit_price_fen=-1)), "lines[0].unit_price_fen"),
        (order(lines=line(unit_price_fen=MAX_UNIT_PRICE_FEN + 1)), "lines[0].unit_price_fen"),
        (order(lines=line(discount_fen=2_001)), "lines[0].discount_fen"),
        (order(lines=line(discount_fen=-1)), "lines[0].discount_fen"),
        (order(lines=line(flags=frozenset({"radioactive"}))), "lines[0].flags"),
        (order(freight_fen=-1), "freight_fen"),
        (order(discount_fen=2_501), "discount_fen"),
        (order(discount_fen=-1), "discount_fen"),
        (order(paid_at_ns=T0 - DAY - 1), "paid_at"),
    ],
)
def test_each_rule_refuses_with_the_field_it_checks(bad, field):
    with pytest.raises(ValidationError) as info:
        validate_order(bad, KNOWN)
    error = info.value
    assert error.field == field
    assert error.details["field"] == field
    assert error.code == "validation_failed"
    assert error.http_status == 422
    assert " / " in error.message  # bilingual


def test_the_failing_line_is_named_by_its_index():
    bad = order(lines=(Line("SKU-A", 1, 100), Line("SKU-B", 1, 100), Line("SKU-A", 0, 100)))
    with pytest.raises(ValidationError) as info:
        validate_order(bad, KNOWN)
    assert info.value.field == "lines[2].quantity"


def test_an_unknown_sku_is_its_own_error_code_and_names_the_line():
    bad = order(lines=(Line("SKU-A", 1, 100), Line("SKU-NOPE", 1, 100)))
    with pytest.raises(UnknownSku) as info:
        validate_order(bad, KNOWN)
    assert info.value.code == "unknown_sku"
    assert info.value.field == "lines[1].sku"
    assert "SKU-NOPE" in info.value.message


def test_a_prefix_places_the_field_inside_a_batch():
    with pytest.raises(ValidationError) as info:
        validate_order(order(lines=line(sku="SKU-NOPE")), KNOWN, prefix="orders[3].")
    assert info.value.field == "orders[3].lines[0].sku"


def test_an_unknown_channel_lists_the_allowed_ones():
    with pytest.raises(ValidationError) as info:
        validate_order(order(channel="myspace"), KNOWN)
    assert "tmall" in info.value.details["allowed"]


def test_the_limits_themselves_are_accepted():
    validate_order(
        order(
            external_id="x" * 64,
            tags=("t",) * MAX_TAGS,
            lines=line(quantity=MAX_QUANTITY, unit_price_fen=MAX_UNIT_PRICE_FEN),
            paid_at_ns=T0 - DAY,
        ),
        KNOWN,
    )


def test_as_dict_is_the_api_error_shape():
    with pytest.raises(ValidationError) as info:
        validate_order(order(freight_fen=-5), KNOWN)
    body = info.value.as_dict()
    assert body["error"] == "validation_failed"
    assert body["details"]["field"] == "freight_fen"
    assert body["message"] == info.value.message
