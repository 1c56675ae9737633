import random
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ordo.adapters.geo import load_divisions
from ordo.domain.orders.validation import validate_order
from ordo.sim.demand import CHANNEL_MIX, RETAIL_DAY, DemandCurve, OrderFactory, schedule
from ordo.sim.extids import local_time
from ordo.sim.world import World, generate_world
from tests.conftest import T0

HOUR = 3600 * 10**9


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(5)


@pytest.fixture(scope="module")
def orders(world):
    factory = OrderFactory(world, load_divisions(), seed=5)
    return [factory.make(t) for t in schedule(factory.curve, T0, 3000, random.Random(5))]


def test_the_promotion_hour_sells_at_least_2_3_times_the_mean_hourly_rate():
    curve = DemandCurve.retail_day(promo_hour=20)
    assert curve.peak_ratio() >= 2.3
    assert max(range(24), key=lambda h: curve.weights[h]) == 20


@pytest.mark.parametrize("hour", [0, 11, 20])
def test_any_promotion_hour_becomes_the_peak(hour):
    curve = DemandCurve.retail_day(promo_hour=hour)
    assert curve.peak_ratio() >= 2.3
    assert curve.shares()[hour] == max(curve.shares())


def test_an_ordinary_day_has_a_night_trough_a_lunch_bump_and_an_evening_peak():
    day = DemandCurve.retail_day(promo_hour=None)
    shares = day.shares()
    night = min(range(24), key=lambda h: shares[h])
    assert 2 <= night <= 6
    assert shares[12] > shares[10] and shares[12] > shares[15]
    assert min(shares[20:23]) > shares[12] > shares[night] * 5
    assert day.peak_ratio() < 2.3  # only the promotion makes the big spike


@given(total=st.integers(0, 100_000), first_hour=st.integers(0, 23), promo=st.none() | st.integers(0, 23))
def test_hourly_counts_add_up_to_exactly_the_requested_orders(total, first_hour, promo):
    curve = DemandCurve.retail_day(promo_hour=promo)
    counts = curve.hourly_counts(total, first_hour)
    assert len(counts) == 24 and sum(counts) == total
    shares = curve.shares()
    for k, count in enumerate(counts):
        assert abs(count - total * shares[(first_hour + k) % 24]) < 1


def test_the_schedule_places_every_order_inside_the_day_in_time_order():
    curve = DemandCurve.retail_day()
    times = schedule(curve, T0, 5000, random.Random(1))
    assert len(times) == 5000 and times == sorted(times)
    assert times[0] >= T0 and times[-1] < T0 + 24 * HOUR
    by_hour = Counter(local_time(t).hour for t in times)
    assert by_hour.most_common(1)[0][0] == 20
    assert by_hour[20] >= 2.3 * 5000 / 24


def test_a_curve_needs_24_hours():
    with pytest.raises(ValueError):
        DemandCurve(tuple(RETAIL_DAY[:23]))


def test_generated_orders_pass_intake_validation(world, orders):
    known = {s.sku for s in world.skus}
    for order in orders:
        validate_order(order, known)
        assert 1 <= len([line for line in order.lines if "gift" not in line.flags]) <= 5
        assert order.total_fen >= 0 and order.freight_fen >= 0


def test_ship_to_addresses_are_real_districts_weighted_to_big_cities(orders):
    div = load_divisions()
    for order in orders:
        a = order.ship_to
        place = div.by_code[a.adcode]
        assert (a.lat, a.lng) == (place.lat, place.lng)
        assert a.province == div.province_of(place).name
        assert a.city == div.city_of(place).name
        assert a.district in ("", place.name)
        assert a.detail and a.name and re.fullmatch(r"1[3-9]\d{9}", a.phone)
    cities = Counter(o.ship_to.city for o in orders)
    top = {c for c, _ in cities.most_common(8)}
    assert len(top & {"北京市", "上海市", "广州市", "深圳市"}) >= 3
    assert len(cities) > 100  # and still the long tail of the country


def test_the_channel_mix_follows_the_configured_shares(orders):
    seen = Counter(o.channel for o in orders)
    for channel, share in CHANNEL_MIX:
        assert abs(seen[channel.value] / len(orders) - share) < 0.03


def test_gifts_are_free_flagged_lines_and_handling_flags_follow_the_sku(world, orders):
    skus = {s.sku: s for s in world.skus}
    gifts = [line for o in orders for line in o.lines if "gift" in line.flags]
    assert 0.04 * len(orders) < len(gifts) < 0.12 * len(orders)
    assert all(line.unit_price_fen == 0 and line.quantity == 1 for line in gifts)
    for o in orders:
        for line in o.lines:
            assert line.flags - {"gift"} == skus[line.sku].flags
    assert any("cold_chain" in o.flags for o in orders)
    assert any("hazmat" in o.flags for o in orders)


def test_sku_popularity_is_skewed_towards_the_bestsellers(world, orders):
    sold = Counter(line.sku for o in orders for line in o.lines if "gift" not in line.flags)
    top = set(world.popularity[:100])
    assert sum(n for sku, n in sold.items() if sku in top) > 0.25 * sum(sold.values())


def test_external_ids_look_like_each_platforms_own(orders):
    patterns = {
        "taobao": r"[1-3]\d{18}",
        "tmall": r"[1-3]\d{18}",
        "jd": r"[23]\d{11}",
        "douyin": r"69\d{17}",
        "pinduoduo": r"\d{6}-\d{15}",
        "kuaishou": r"2\d{15}",
        "wechat_mp": r"WX\d{20}",
        "pos": r"POS\d{17}",
        "b2b": r"PO\d{12}",
    }
    for o in orders:
        assert re.fullmatch(patterns[o.channel], o.external_id), (o.channel, o.external_id)
    pdd = [o for o in orders if o.channel == "pinduoduo"]
    assert all(o.external_id[:6] == f"{local_time(o.placed_at_ns):%y%m%d}" for o in pdd)
    assert len({(o.channel, o.external_id) for o in orders}) == len(orders)


def test_money_is_integer_fen_and_discounts_never_exceed_the_goods(orders):
    for o in orders:
        assert all(isinstance(v, int) for v in (o.freight_fen, o.discount_fen, o.total_fen))
        assert 0 <= o.discount_fen <= o.goods_fen
    assert any(o.discount_fen > 0 for o in orders)
    assert any(o.freight_fen > 0 for o in orders)
    assert any(o.remark for o in orders)
    assert any(o.paid_at_ns is None for o in orders)


def test_the_same_seed_makes_the_same_orders(world):
    def day(seed):
        factory = OrderFactory(world, load_divisions(), seed=seed)
        return [factory.make(t) for t in schedule(factory.curve, T0, 50, random.Random(seed))]

    assert day(9) == day(9)
    assert day(9) != day(10)
