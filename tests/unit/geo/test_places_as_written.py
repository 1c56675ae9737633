"""Places as people write them: every province-level division by its short, full and English
names; old names of renamed cities and districts; a county under its other suffix; and the
division table agreeing with the domain's province list."""

from __future__ import annotations

import numpy as np
import pytest

from ordo.adapters.geo import load_divisions
from ordo.adapters.geo.address import AddressResolver, default_resolver
from ordo.adapters.geo.renames import OLD_CITIES, OLD_DISTRICTS
from ordo.domain.geo import PROVINCES, Province, canonical_province, find_province, province_by_code
from ordo.domain.orders.model import Carrier, Warehouse, WarehouseClass
from ordo.domain.routing.network import build_network


@pytest.fixture(scope="module")
def resolver() -> AddressResolver:
    return default_resolver()


def test_the_domain_province_list_is_the_division_tables() -> None:
    table = {d.adcode: d.name for d in load_divisions().provinces()}
    assert {p.adcode: p.name for p in PROVINCES} == table
    assert len(table) == 34


@pytest.mark.parametrize("p", PROVINCES, ids=lambda p: p.name)
def test_every_spelling_of_a_province_finds_it(resolver: AddressResolver, p: Province) -> None:
    full = find_province(p.name)
    assert full is not None
    spellings = [full.name, full.short, full.code, *full.english, full.english[0].title() + " Province"]
    assert {find_province(s) for s in spellings} == {full}
    assert province_by_code(full.adcode) == full == province_by_code(full.code + "0102")
    assert canonical_province(full.short) == full.name
    short, whole = resolver.resolve(full.short, ""), resolver.resolve(full.name, "")
    if short.resolved:  # a province alone resolves only where it is its own city (上海, 香港)
        assert (short.adcode, short.province, short.city) == (whole.adcode, whole.province, whole.city)
    else:
        assert short.reason == whole.reason


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Inner Mongolia", "内蒙古自治区"), ("Hong Kong SAR", "香港特别行政区"), ("Tibet", "西藏自治区"),
     ("广西省", "广西壮族自治区"), ("Shaanxi", "陕西省"), ("Shanxi", "山西省"), ("吉林", "吉林省")],
)  # fmt: skip
def test_other_spellings(name: str, expected: str) -> None:
    assert canonical_province(name) == expected


def test_a_name_that_is_no_province_is_kept_and_a_city_is_not_taken_for_its_province() -> None:
    assert find_province("吉林市") is None and find_province("火星") is None
    assert canonical_province("火星") == "火星"


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("江苏", "南京", ""), ("江苏省", "南京市", "", "320100")),
        (("山东", "青岛", "崂山区"), ("山东省", "青岛市", "崂山区", "370212")),
        (("四川", "成都", "武侯区"), ("四川省", "成都市", "武侯区", "510107")),
        (("黑龙江", "哈尔滨", ""), ("黑龙江省", "哈尔滨市", "", "230100")),
        (("宁夏", "银川", ""), ("宁夏回族自治区", "银川市", "", "640100")),
        (("西藏", "拉萨", ""), ("西藏自治区", "拉萨市", "", "540100")),
        (("湖北", "恩施", ""), ("湖北省", "恩施土家族苗族自治州", "", "422800")),
        (("北京", "北京", "宣武区"), ("北京市", "北京市", "西城区", "110102")),
        (("天津", "天津", "蓟县"), ("天津市", "天津市", "蓟州区", "120119")),
        (("重庆", "重庆", "梁平区"), ("重庆市", "重庆市", "梁平县", "500228")),
        (("江苏", "苏州", "吴江市"), ("江苏省", "苏州市", "吴江区", "320509")),
        (("云南", "思茅", ""), ("云南省", "普洱市", "", "530800")),
        (("香港", "香港", ""), ("香港特别行政区", "香港特别行政区", "", "810000")),
        (("澳门", "", ""), ("澳门特别行政区", "澳门特别行政区", "", "820000")),
    ],
)
def test_short_and_old_names_resolve_to_full_canonical_names(
    resolver: AddressResolver, parts: tuple[str, str, str], expected: tuple[str, str, str, str]
) -> None:
    r = resolver.resolve(*parts)
    assert (r.province, r.city, r.district, r.adcode) == expected


def test_old_names_in_free_text_and_streets_still_never_matched(resolver: AddressResolver) -> None:
    r = resolver.parse("湖北襄樊市樊城区人民路1号")
    assert (r.city, r.district, r.adcode, r.rest) == ("襄阳市", "樊城区", "420606", "人民路1号")
    r = resolver.parse("上海市闸北区共和新路")
    assert (r.district, r.rest) == ("静安区", "共和新路")
    r = resolver.parse("浙江杭州西湖区西湖路1号")
    assert (r.district, r.rest) == ("西湖区", "西湖路1号")


def test_every_rename_points_at_a_division_the_table_has() -> None:
    codes = load_divisions().by_code
    assert all(code in codes for code in (*OLD_CITIES.values(), *OLD_DISTRICTS.values()))


def test_an_adcode_gives_its_full_names(resolver: AddressResolver) -> None:
    r = resolver.canonical("310115")
    assert r is not None and (r.province, r.city, r.district) == ("上海市", "上海市", "浦东新区")
    assert resolver.canonical("999999") is None and resolver.canonical("31xx") is None


def test_the_network_names_provinces_in_full_however_the_catalog_spelled_them() -> None:
    wh = Warehouse("W", "仓", "上海", "上海", "310114", 31.3, 121.2, WarehouseClass.OWN)
    carrier = Carrier("c", "快递", coverage=frozenset({"上海", "新疆"}))
    net = build_network([wh], [carrier])
    assert set(net.provinces) == {"上海市", "新疆维吾尔自治区"}
    assert int(net.p_carriers[net.p_index["上海市"]]) == 1
    assert np.array_equal(net.w_province, [net.p_index["上海市"]])
