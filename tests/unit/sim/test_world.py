import re
from collections import Counter

import pytest

from ordo.adapters.geo import load_divisions
from ordo.domain.orders.model import CustomerTier, WarehouseClass
from ordo.sim.world import World, carriers, generate_world


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(42)


def test_the_world_has_at_least_thirty_warehouses_in_real_cities(world):
    div = load_divisions()
    assert len(world.warehouses) >= 30
    for w in world.warehouses:
        place = div.by_code[w.adcode]
        assert (w.lat, w.lng) == (place.lat, place.lng)
        assert w.province == div.province_of(place).name
        assert w.city == div.city_of(place).name


def test_the_big_logistics_hubs_all_have_a_warehouse(world):
    cities = {w.city for w in world.warehouses}
    for hub in (
        "上海市",
        "北京市",
        "广州市",
        "深圳市",
        "杭州市",
        "成都市",
        "武汉市",
        "西安市",
        "郑州市",
        "沈阳市",
        "乌鲁木齐市",
        "昆明市",
    ):
        assert hub in cities


def test_warehouses_come_in_three_classes_with_capacity_and_capabilities(world):
    classes = Counter(w.klass for w in world.warehouses)
    assert set(classes) == set(WarehouseClass)
    assert all(w.daily_capacity > 0 for w in world.warehouses)
    for capability in ("cold_chain", "hazmat", "oversize"):
        assert any(capability in w.capabilities for w in world.warehouses)
    assert any(not w.capabilities for w in world.warehouses)


def test_the_catalogue_has_over_two_thousand_priced_skus_in_many_categories(world):
    assert len(world.skus) >= 2000
    assert len({s.sku for s in world.skus}) == len(world.skus)
    categories = Counter(s.category for s in world.skus)
    assert len(categories) >= 10
    for s in world.skus:
        assert isinstance(s.price_fen, int) and s.price_fen > 0
        assert s.weight_g > 0
    fresh = [s for s in world.skus if s.category in ("生鲜", "乳品")]
    assert fresh and all("cold_chain" in s.flags for s in fresh)
    assert any("hazmat" in s.flags for s in world.skus if s.category == "户外")
    assert all("oversize" in s.flags for s in world.skus if s.category == "家具")


def test_the_same_seed_gives_the_same_world_and_another_seed_another(world):
    assert generate_world(42) == world
    other = generate_world(43)
    assert other != world
    assert [s.name for s in other.skus] != [s.name for s in world.skus]


def test_stock_sits_only_where_the_warehouse_can_handle_the_sku(world):
    warehouses = {w.id: w for w in world.warehouses}
    skus = {s.sku: s for s in world.skus}
    for row in world.stock:
        assert warehouses[row.warehouse_id].can_handle(skus[row.sku].flags)
        assert 0 <= row.safety < row.on_hand and row.reserved == 0


def test_every_sku_is_stocked_in_several_warehouses_deepest_in_own_ones(world):
    klass = {w.id: w.klass for w in world.warehouses}
    places = Counter(row.sku for row in world.stock)
    assert all(places[s.sku] >= 1 for s in world.skus)
    ordinary = [s.sku for s in world.skus if s.sku not in world.scarce_skus]
    assert all(places[sku] >= 3 for sku in ordinary)
    total = Counter()
    for row in world.stock:
        total[klass[row.warehouse_id]] += row.on_hand
    assert total[WarehouseClass.OWN] > total[WarehouseClass.REGIONAL] > total[WarehouseClass.THIRD_PARTY]
    # Row by row too: where a SKU sits in both, the own warehouses hold more of it on average.
    rows: dict[tuple[str, WarehouseClass], list[int]] = {}
    for row in world.stock:
        rows.setdefault((row.sku, klass[row.warehouse_id]), []).append(row.on_hand)
    both = [
        sku
        for sku in ordinary
        if (sku, WarehouseClass.REGIONAL) in rows and (sku, WarehouseClass.OWN) in rows
    ]
    deeper = sum(
        sum(rows[sku, WarehouseClass.OWN]) / len(rows[sku, WarehouseClass.OWN])
        > sum(rows[sku, WarehouseClass.REGIONAL]) / len(rows[sku, WarehouseClass.REGIONAL])
        for sku in both
    )
    assert deeper > 0.7 * len(both)


def test_a_few_hot_skus_are_scarce(world):
    on_hand = Counter()
    for row in world.stock:
        on_hand[row.sku] += row.on_hand
    assert 1 <= len(world.scarce_skus) <= 10
    hot = set(world.popularity[:150])
    for sku in world.scarce_skus:
        assert sku in hot
        assert on_hand[sku] < 50


def test_customers_have_skewed_tiers_and_well_formed_fake_phones(world):
    assert len(world.customers) == 5000
    tiers = Counter(c.tier for c in world.customers)
    assert (
        tiers[CustomerTier.REGULAR]
        > tiers[CustomerTier.SILVER]
        > tiers[CustomerTier.GOLD]
        > tiers[CustomerTier.DIAMOND]
        > 0
    )
    assert all(re.fullmatch(r"1[3-9]\d{9}", c.phone) for c in world.customers)
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,30}", c.name) for c in world.customers)


def test_only_sf_jd_and_ems_reach_xinjiang_and_tibet():
    reach = {c.id for c in carriers(load_divisions()) if "新疆维吾尔自治区" in c.coverage}
    assert reach == {"sf", "jdl", "ems"}
    names = {c.name for c in carriers(load_divisions())}
    assert {"顺丰速运", "京东物流", "中通快递", "圆通速递", "韵达快递", "申通快递", "极兔速递"} <= names


def test_a_smaller_world_can_be_asked_for():
    small = generate_world(1, warehouses=10, skus=100, customers=50)
    assert (len(small.warehouses), len(small.skus), len(small.customers)) == (10, 100, 50)
    with pytest.raises(ValueError):
        generate_world(1, warehouses=0)
