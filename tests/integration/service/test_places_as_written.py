"""Every province-level division, written short (上海, 广西, 内蒙古) or in full (上海市,
广西壮族自治区), is the same place through intake, routing, the overview, the order and
held-order filters and the rules' region predicates, on SQLite and on PostgreSQL.

The provinces come from the shipped division table, so a province it adds is tested too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ordo.adapters.geo import load_divisions
from ordo.clock import ManualClock
from ordo.domain.errors import ValidationError
from ordo.domain.geo import find_province
from ordo.domain.orders.holds import HoldReason
from ordo.domain.orders.model import Carrier, Warehouse, WarehouseClass
from ordo.service.channels.intake import Push, receive_batch
from ordo.service.channels.receive import ChannelOutcome, Receipt, set_sku_mapping
from ordo.service.events.overview import snapshot
from ordo.service.events.projector import rebuild
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders import holds
from ordo.service.orders.intake import intake
from ordo.service.orders.queries import search_orders
from ordo.service.ports import OrderFilter
from ordo.service.runtime.app import Ordo
from tests.conftest import SKUS, STOCK, T0, WAREHOUSES, make_app, new_order
from tests.integration.service.routing_helpers import go_live, stored_order

DIVISIONS = load_divisions()
PROVINCES = DIVISIONS.provinces()
BACKENDS = ["sqlite", "postgresql"]
FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"


def _first_city(code: str) -> tuple[str, str]:
    """(short, full) name of the province's first city; the province's own for 上海, 香港 …"""
    for d in DIVISIONS.cities():
        if d.adcode[:2] == code and d.name not in ("市辖区", "县"):
            full = d.name
            return (full[:-1] if full.endswith("市") and len(full) > 2 else full), full
    p = DIVISIONS.by_code[code + "0000"]
    short = find_province(p.name)
    assert short is not None
    return short.short, p.name


def test_the_division_table_has_every_province_level_division() -> None:
    assert len(PROVINCES) == 34
    assert {p.name for p in PROVINCES} == {find_province(p.name).name for p in PROVINCES}  # type: ignore[union-attr]


@pytest.fixture(scope="module", params=BACKENDS)
def places(
    request: pytest.FixtureRequest, pg_server: Callable[[], str], tmp_path_factory: Any
) -> Iterator[Ordo]:
    """One store per backend for the whole module: 34 × 2 orders go into one world."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('places') / 'ordo.db'}"
    else:
        url = pg_server()
    app = make_app(url, ManualClock(T0))
    save_catalog(app, warehouses=WAREHOUSES, skus=SKUS, stock=STOCK)
    yield app
    app.store.dispose()


@pytest.mark.parametrize("province", PROVINCES, ids=lambda p: p.name)
def test_a_province_written_short_or_in_full_is_routed_stored_and_counted_alike(
    places: Ordo, province: Any
) -> None:
    p = find_province(province.name)
    assert p is not None and p.adcode == province.adcode
    city_short, city_full = _first_city(p.code)
    short, full = intake(
        places,
        [
            new_order(f"S-{p.code}", province=p.short, city=city_short, district=""),
            new_order(f"F-{p.code}", province=p.name, city=city_full, district=""),
        ],
    )
    a, b = stored_order(places, short.order_id or ""), stored_order(places, full.order_id or "")
    assert a["adcode"] == b["adcode"] and a["adcode"].startswith(p.code)
    # Full canonical names: the province's, and its city's (the province's own for 上海, 香港 …).
    assert (a["province"], a["city"]) == (b["province"], b["city"])
    assert a["province"] == p.name and a["city"] == city_full
    # The bug this guards: a short name matched no warehouse's province, so every warehouse
    # was "outside its service area" and the order waited for stock.
    assert short.hold_reason is None and short.warehouse_id is not None
    assert (short.warehouse_id, short.status) == (full.warehouse_id, full.status)
    by_province = snapshot(places)["by_province"]
    assert by_province.get(p.name) == 2
    assert p.short not in by_province


@pytest.mark.parametrize(
    ("province", "city", "district", "adcode", "names"),
    [
        ("江苏", "南京", "玄武区", "320102", ("江苏省", "南京市", "玄武区")),
        ("浙江", "杭州", "", "330100", ("浙江省", "杭州市", "")),
        ("广西", "桂林", "", "450300", ("广西壮族自治区", "桂林市", "")),
        ("内蒙古", "包头", "", "150200", ("内蒙古自治区", "包头市", "")),
        ("新疆", "喀什", "", "653100", ("新疆维吾尔自治区", "喀什地区", "")),
        ("四川", "甘孜", "", "513300", ("四川省", "甘孜藏族自治州", "")),
        ("湖北", "襄樊", "樊城区", "420606", ("湖北省", "襄阳市", "樊城区")),
        ("上海", "上海", "闸北区", "310106", ("上海市", "上海市", "静安区")),
        ("上海", "上海市", "崇明县", "310151", ("上海市", "上海市", "崇明区")),
        ("Guangdong", "深圳", "南山区", "440305", ("广东省", "深圳市", "南山区")),
    ],
)
def test_short_old_and_english_names_are_stored_in_full_with_their_adcode(
    places: Ordo, province: str, city: str, district: str, adcode: str, names: tuple[str, str, str]
) -> None:
    order = new_order(f"C-{adcode}-{province}", province=province, city=city, district=district)
    [r] = intake(places, [order])
    row = stored_order(places, r.order_id or "")
    assert (row["adcode"], (row["province"], row["city"], row["district"])) == (adcode, names)
    assert r.warehouse_id is not None


def test_the_held_orders_filter_keeps_to_the_region(places: Ordo) -> None:
    gd, nm = intake(
        places,
        [
            new_order("H-GD", province="广东", city="广州", district="天河区"),
            new_order("H-NM", province="内蒙古", city="呼和浩特", district=""),
        ],
    )
    holds.hold(places, [gd.order_id or "", nm.order_id or ""], reason="check region", actor="test")
    for spelling in ("广东", "广东省", "Guangdong", "44", "广州", "广东广州", "440106"):
        held = holds.held_orders(places, region=spelling)
        assert [o["id"] for o in held] == [gd.order_id], spelling
    assert [o["id"] for o in holds.held_orders(places, region="内蒙古")] == [nm.order_id]
    assert {o["id"] for o in holds.held_orders(places)} >= {gd.order_id, nm.order_id}
    with pytest.raises(ValidationError) as refused:
        holds.held_orders(places, region="火星")
    assert refused.value.field == "province"


def test_the_order_filter_takes_a_province_as_people_type_it(places: Ordo) -> None:
    [r] = intake(places, [new_order("Q-YN", province="云南", city="昆明", district="")])

    def ids(text: str) -> list[str | None]:
        rows, _ = search_orders(places, OrderFilter(province=text), after_id=None, limit=200)
        return [o["id"] for o in rows]

    for spelling in ("云南", "云南省", "Yunnan", "53", "5301", "昆明", "昆明市"):
        assert r.order_id in ids(spelling), spelling
    assert r.order_id not in ids("广东")
    assert r.order_id not in ids("大理")


def test_a_region_rule_fires_for_short_and_full_names(places: Ordo) -> None:
    go_live(places, "当 目的地属于 华东 时 标记 加急")
    try:
        got = intake(
            places,
            [
                new_order("R-SH-1", province="上海", city="上海", district="浦东新区"),
                new_order("R-SH-2", province="上海市", city="上海市", district="浦东新区"),
                new_order("R-JS", province="Jiangsu", city="苏州", district=""),
                new_order("R-GD", province="广东", city="广州", district=""),
            ],
        )
        tagged = ["urgent" in stored_order(places, r.order_id or "")["tags"] for r in got]
        assert tagged == [True, True, True, False]
    finally:
        go_live(places, "当 订单金额>1000000元 时 标记 加急")


def test_a_recount_folds_rows_stored_with_short_names_into_the_full_name(places: Ordo) -> None:
    """Read-time folding beside migration 0015 (which rewrites stored rows): a recount over
    a row still spelled ``福建`` counts it under 福建省, and city filters go by its adcode."""
    [r] = intake(places, [new_order("OLD-FJ", province="福建省", city="福州市", district="")])
    with places.store.uow() as uow:
        uow.connection.execute(
            sa.text("UPDATE orders SET province = '福建', city = '福州' WHERE id = :i"), {"i": r.order_id}
        )
        uow.commit()
    rebuild(places)
    spelled_in_full, _ = search_orders(places, OrderFilter(province="福建"), after_id=None, limit=200)
    assert r.order_id not in [o["id"] for o in spelled_in_full]  # it goes by the stored name
    found, _ = search_orders(places, OrderFilter(province="3501"), after_id=None, limit=200)
    assert r.order_id in [o["id"] for o in found]
    by_province = snapshot(places)["by_province"]
    assert by_province.get("福建省") == len(spelled_in_full) + 1 and "福建" not in by_province


def test_an_address_that_cannot_be_placed_keeps_its_province_in_full_for_the_filters(places: Ordo) -> None:
    [r] = intake(places, [new_order("U-GD", province="Guangdong", city="不存在", district="")])
    row = stored_order(places, r.order_id or "")
    assert r.hold_reason == HoldReason.ADDRESS.value and row["adcode"] is None
    assert (row["province"], row["city"]) == ("广东省", "不存在")
    assert r.order_id in [o["id"] for o in holds.held_orders(places, region="广东")]


def test_the_catalog_stores_warehouse_and_carrier_places_in_full(app: Ordo) -> None:
    wh = Warehouse("WH-X", "仓", "上海", "上海", "310114", 31.37, 121.26, WarehouseClass.OWN)
    save_catalog(
        app, warehouses=[wh], carriers=[Carrier("c1", "快递", coverage=frozenset({"新疆", "Tibet"}))]
    )
    with app.store.uow(read_only=True) as uow:
        [stored] = uow.catalog.warehouses()
        [carrier] = uow.catalog.carriers()
    assert (stored.province, stored.city) == ("上海市", "上海市")
    assert carrier.coverage == {"新疆维吾尔自治区", "西藏自治区"}


def test_a_platform_payload_with_short_names_is_routed_not_held_for_stock(world: Ordo) -> None:
    """The finding: taobao's receiver_state 上海 / receiver_city 上海 resolved an adcode, then
    intake excluded every warehouse as out of service area and held the order for stock."""
    set_sku_mapping(world, "taobao", "4801234567891", "SKU-CUP")
    trade = json.loads((FIXTURES / "taobao" / "create.json").read_text("utf-8"))

    def push(tid: int, state: str, city: str, district: str) -> Push:
        body = {**trade, "tid": tid, "tid_str": str(tid), "receiver_state": state, "receiver_city": city}
        body["receiver_district"] = district
        return Push("taobao", json.dumps(body, ensure_ascii=False))

    receipts = receive_batch(
        world,
        [
            push(8_000_001, "上海", "上海", "浦东新区"),
            push(8_000_002, "上海市", "上海市", "浦东新区"),
            push(8_000_003, "江苏", "南京", "玄武区"),
        ],
    )
    got = [r for r in receipts if isinstance(r, Receipt)]
    assert len(got) == 3 and all(r.outcome is ChannelOutcome.CREATED for r in got)
    assert [r.hold_reason for r in got] == [None, None, None]
    rows = [stored_order(world, r.order_id or "") for r in got]
    assert [(o["province"], o["city"], o["adcode"]) for o in rows] == [
        ("上海市", "上海市", "310115"),
        ("上海市", "上海市", "310115"),
        ("江苏省", "南京市", "320102"),
    ]
    assert rows[0]["warehouse_id"] == rows[1]["warehouse_id"] is not None
