"""Substitute SKUs: which substitute a short line gets, the line as it ships, and what is refused."""

from __future__ import annotations

import pytest

from ordo.domain.errors import ValidationError
from ordo.domain.inventory.substitutes import (
    Substitute,
    substituted_line,
    substitutes_for,
    substitution,
)
from ordo.domain.orders.model import Line

CHANNELS = frozenset({"tmall", "jd"})
TABLE = [
    Substitute("CUP", "CUP-BLUE", 1, "", 1),
    Substitute("CUP", "CUP-RED", 1, "tmall", 1),
    Substitute("CUP", "CUP-2PACK", 2, "", 0),
]


def test_substitutes_are_tried_by_priority_then_the_channel_s_own_row() -> None:
    assert [s.substitute for s in substitutes_for(TABLE, "CUP", "tmall")] == [
        "CUP-2PACK",
        "CUP-RED",
        "CUP-BLUE",
    ]
    assert [s.substitute for s in substitutes_for(TABLE, "CUP", "jd")] == ["CUP-2PACK", "CUP-BLUE"]


def test_a_short_line_gets_the_first_substitute_with_the_units_and_others_stay() -> None:
    lines = [("CUP", 3), ("TEA", 1)]
    # The 2-pack would need 6 units: only 5, so the next one in order, red (tmall only).
    swaps = substitution(lines, TABLE, "tmall", {"CUP": 1, "TEA": 9, "CUP-2PACK": 5, "CUP-RED": 3})
    assert [(s.line, s.substitute, s.ratio) for s in swaps] == [(0, "CUP-RED", 1)]
    assert substitution(lines, TABLE, "tmall", {"CUP": 3, "TEA": 9}) == []  # nothing short


def test_no_substitution_without_stock_a_row_or_when_the_order_says_so() -> None:
    lines = [("CUP", 3)]
    assert substitution(lines, TABLE, "jd", {"CUP-RED": 9}) == []  # red is tmall's only
    assert substitution([("TEA", 2)], TABLE, "jd", {}) == []
    tagged = frozenset({"不换货"})
    assert substitution(lines, TABLE, "tmall", {"CUP-RED": 9}, tagged) == []


def test_the_substituted_line_keeps_the_amount_to_the_fen() -> None:
    line = Line("CUP", 3, 3_901, discount_fen=100)
    [swap] = substitution([("CUP", 3)], TABLE, "jd", {"CUP-2PACK": 6})
    out = substituted_line(line, swap)
    assert (out.sku, out.quantity) == ("CUP-2PACK", 6)
    assert out.amount_fen == line.amount_fen and out.discount_fen >= 0


@pytest.mark.parametrize(
    ("item", "field"),
    [
        (Substitute("CUP", "CUP"), "substitute"),
        (Substitute("CUP", "X", ratio=0), "ratio"),
        (Substitute("CUP", "X", channel="ebay"), "channel"),
        (Substitute("CUP", "X", priority=-1), "priority"),
        (Substitute("", "X"), "sku"),
    ],
)
def test_a_bad_substitute_names_its_field(item: Substitute, field: str) -> None:
    with pytest.raises(ValidationError) as err:
        item.check(CHANNELS, "items[0].")
    assert err.value.field == f"items[0].{field}"
