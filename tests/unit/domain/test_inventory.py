"""Available-to-promise, safety stock and channel sellable quantities (pure arithmetic)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordo.domain.errors import ValidationError
from ordo.domain.inventory import stock as inv
from ordo.domain.inventory.stock import ANY_SKU, ChannelRule, SyncChange

CHANNELS = {"tmall", "douyin", "jd", "pinduoduo"}


def test_atp_is_on_hand_less_reserved_and_safety_and_never_negative():
    assert inv.atp(100, 30, 10) == 60
    assert inv.atp(10, 8, 5) == 0
    assert inv.atp(0, 0, 0) == 0


def test_a_row_is_low_at_or_below_its_safety_stock_plus_the_warning_threshold():
    assert inv.is_low(10, 5, 5)
    assert not inv.is_low(11, 5, 5)
    assert inv.is_low(13, 5, 5, threshold=3)


def test_pools_add_each_warehouse_atp_per_sku_without_letting_a_short_row_subtract():
    rows = [("TEA", 10, 2, 1), ("TEA", 3, 3, 2), ("CUP", 5, 0, 0)]
    assert inv.pools(rows) == {"TEA": 7, "CUP": 5}


def test_without_buffers_every_channel_sells_the_whole_pool():
    rules = [ChannelRule("tmall"), ChannelRule("douyin")]
    assert inv.sellable(40, rules) == {"tmall": 40, "douyin": 40}


def test_a_buffer_holds_back_the_larger_of_its_units_and_its_percentage_rounded_up():
    assert inv.sellable(100, [ChannelRule("tmall", buffer_pct=15, buffer_units=10)]) == {"tmall": 85}
    assert inv.sellable(100, [ChannelRule("tmall", buffer_pct=5, buffer_units=10)]) == {"tmall": 90}
    assert inv.sellable(9, [ChannelRule("tmall", buffer_pct=10)]) == {"tmall": 8}  # 0.9 held → 1
    assert inv.sellable(3, [ChannelRule("tmall", buffer_units=10)]) == {"tmall": 0}


def test_exclusive_allocations_are_ring_fenced_from_the_other_channels():
    rules = [ChannelRule("tmall", exclusive=30), ChannelRule("douyin")]
    assert inv.sellable(100, rules) == {"tmall": 100, "douyin": 70}


def test_a_pool_too_small_for_the_exclusives_is_shared_in_proportion_to_them():
    rules = [ChannelRule("tmall", exclusive=30), ChannelRule("jd", exclusive=10), ChannelRule("douyin")]
    # 20 units over asks of 30 and 10: 15 and 5; nothing left for the shared pool.
    assert inv.sellable(20, rules) == {"tmall": 15, "jd": 5, "douyin": 0}
    # 3 units over asks of 1 each: largest remainder, ties by name.
    three = [ChannelRule(c, exclusive=1) for c in ("tmall", "jd", "douyin", "pinduoduo")]
    assert sorted(inv.sellable(3, three).items()) == [
        ("douyin", 1),
        ("jd", 1),
        ("pinduoduo", 1),
        ("tmall", 0),
    ]


def test_below_its_floor_a_channel_publishes_zero():
    rules = [ChannelRule("tmall", zero_below=5), ChannelRule("douyin")]
    assert inv.sellable(4, rules) == {"tmall": 0, "douyin": 4}
    assert inv.sellable(5, rules) == {"tmall": 5, "douyin": 5}


@given(
    pool=st.integers(0, 10_000),
    asks=st.lists(
        st.tuples(st.integers(0, 500), st.integers(0, 100), st.integers(0, 500), st.integers(0, 50)),
        min_size=1,
        max_size=4,
    ),
)
def test_no_channel_is_ever_offered_more_than_the_pool_and_exclusives_never_exceed_it(pool, asks):
    names = ["tmall", "douyin", "jd", "pinduoduo"]
    rules = [
        ChannelRule(names[i], exclusive=e, buffer_pct=p, buffer_units=u, zero_below=z)
        for i, (e, p, u, z) in enumerate(asks)
    ]
    got = inv.sellable(pool, rules)
    assert all(0 <= q <= pool for q in got.values())
    granted = inv._shares(pool, [(r.channel, r.exclusive) for r in rules])
    assert sum(granted.values()) == min(pool, sum(r.exclusive for r in rules))
    assert all(granted[r.channel] <= r.exclusive for r in rules)


def test_a_channel_rule_for_a_sku_wins_over_its_default_and_unruled_channels_get_nothing():
    pools = {"TEA": 100, "CUP": 10}
    rules = [
        ChannelRule("tmall", ANY_SKU, buffer_units=5),
        ChannelRule("tmall", "CUP", zero_below=20),
        ChannelRule("douyin", "TEA", buffer_pct=50),
    ]
    got = {k: q for k, (q, _) in inv.channel_quantities(pools, rules).items()}
    assert got == {("tmall", "TEA"): 95, ("tmall", "CUP"): 0, ("douyin", "TEA"): 50}


def test_a_sku_named_by_a_rule_but_without_stock_has_nothing_to_sell():
    got = inv.channel_quantities({}, [ChannelRule("tmall", "GHOST")])
    assert {k: q for k, (q, _) in got.items()} == {("tmall", "GHOST"): 0}


def test_a_change_is_published_first_time_past_the_threshold_and_always_to_or_from_zero():
    assert inv.due(10, None, 5)
    assert not inv.due(10, 10, 1)
    assert not inv.due(14, 10, 5)
    assert inv.due(15, 10, 5)
    assert inv.due(0, 3, 5)
    assert inv.due(3, 0, 5)


def test_changes_compare_with_what_was_last_published():
    rule = ChannelRule("tmall", threshold=3)
    current = {("tmall", "A"): (10, rule), ("tmall", "B"): (7, rule), ("tmall", "C"): (0, rule)}
    published = {("tmall", "A"): 9, ("tmall", "B"): 2, ("tmall", "C"): 1}
    assert inv.changes(current, published) == [
        SyncChange("tmall", "B", 7, 2),
        SyncChange("tmall", "C", 0, 1),
    ]


def test_sync_events_come_one_per_channel_in_parts():
    found = [SyncChange("tmall", f"S{i:04}", i, None) for i in range(inv.SYNC_ITEMS_PER_EVENT + 1)]
    found.append(SyncChange("douyin", "S0001", 3, 4))
    events = inv.sync_events(found, 123, "test")
    assert [(e.type, e.channel, len(e.payload["items"])) for e in events] == [
        (inv.STOCK_SYNC, "douyin", 1),
        (inv.STOCK_SYNC, "tmall", inv.SYNC_ITEMS_PER_EVENT),
        (inv.STOCK_SYNC, "tmall", 1),
    ]
    assert events[0].payload["items"] == [{"sku": "S0001", "quantity": 3, "previous": 4}]
    assert all(e.order_id is None and e.at_ns == 123 for e in events)


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        (ChannelRule("ebay"), "channel"),
        (ChannelRule("tmall", ""), "sku"),
        (ChannelRule("tmall", buffer_pct=101), "buffer_pct"),
        (ChannelRule("tmall", buffer_units=-1), "buffer_units"),
        (ChannelRule("tmall", exclusive=inv.MAX_UNITS + 1), "exclusive"),
        (ChannelRule("tmall", zero_below=True), "zero_below"),
        (ChannelRule("tmall", threshold=0), "threshold"),
    ],
)
def test_a_bad_rule_is_refused_naming_its_field(rule, field):
    with pytest.raises(ValidationError) as err:
        rule.check(CHANNELS, "rules[2].")
    assert err.value.field == f"rules[2].{field}"


def test_unit_counts_must_be_whole_and_in_range():
    assert inv.check_units(0, "safety") == 0
    for bad in (-1, 1.5, "3", None, True, inv.MAX_UNITS + 1):
        with pytest.raises(ValidationError) as err:
            inv.check_units(bad, "safety")
        assert err.value.field == "safety"
