"""Address normalisation: a table of real Chinese addresses, and the ones it must not guess."""

from __future__ import annotations

import pytest

from ordo.adapters.geo.address import AddressResolver, default_resolver


@pytest.fixture(scope="module")
def resolver() -> AddressResolver:
    return default_resolver()


@pytest.mark.parametrize(
    ("text", "province", "city", "district", "adcode", "rest"),
    [
        ("浙江省杭州市西湖区文三路100号", "浙江省", "杭州市", "西湖区", "330106", "文三路100号"),
        ("浙江杭州西湖区文三路100号", "浙江省", "杭州市", "西湖区", "330106", "文三路100号"),
        ("上海市浦东新区世纪大道1号", "上海市", "上海市", "浦东新区", "310115", "世纪大道1号"),
        ("上海上海市浦东新区世纪大道1号", "上海市", "上海市", "浦东新区", "310115", "世纪大道1号"),
        ("北京市市辖区朝阳区建国路88号", "北京市", "北京市", "朝阳区", "110105", "建国路88号"),
        ("北京朝阳区建国路88号", "北京市", "北京市", "朝阳区", "110105", "建国路88号"),
        ("重庆市忠县忠州街道", "重庆市", "重庆市", "忠县", "500233", "忠州街道"),
        ("江苏省南京市鼓楼区中山路1号", "江苏省", "南京市", "鼓楼区", "320106", "中山路1号"),
        ("吉林省吉林市船营区", "吉林省", "吉林市", "船营区", "220204", ""),
        ("杭州市西湖区文三路", "浙江省", "杭州市", "西湖区", "330106", "文三路"),
        ("广东 广州 白云区 机场路", "广东省", "广州市", "白云区", "440111", "机场路"),
        ("新疆维吾尔自治区乌鲁木齐市天山区", "新疆维吾尔自治区", "乌鲁木齐市", "天山区", "650102", ""),
    ],
)
def test_text_addresses_resolve_to_divisions(
    resolver: AddressResolver, text: str, province: str, city: str, district: str, adcode: str, rest: str
) -> None:
    r = resolver.parse(text.replace(" ", ""))
    assert (r.province, r.city, r.district, r.adcode, r.rest) == (province, city, district, adcode, rest)
    assert r.resolved and r.confidence >= 0.9 and r.lat is not None and r.lng is not None


def test_a_city_without_districts_resolves_at_city_level_with_lower_confidence(
    resolver: AddressResolver,
) -> None:
    r = resolver.parse("广东省东莞市南城区鸿福路")
    assert (r.city, r.adcode, r.confidence) == ("东莞市", "441900", 0.8)


def test_a_county_level_city_under_the_province_is_a_city(resolver: AddressResolver) -> None:
    r = resolver.parse("湖北省潜江市园林路")
    assert (r.province, r.city, r.adcode) == ("湖北省", "潜江市", "429005")


def test_a_district_named_without_its_city_is_inferred_only_when_unique(resolver: AddressResolver) -> None:
    r = resolver.parse("浙江省西湖区文三路")
    assert (r.city, r.district, r.confidence) == ("杭州市", "西湖区", 0.9)


@pytest.mark.parametrize(
    "text",
    [
        "朝阳区建国路88号",  # Beijing or Changchun?
        "鼓楼区中山路",  # four 鼓楼区
        "浙江省南京市鼓楼区",  # contradiction
        "火星市奥林匹斯山",  # nowhere
        "",
        "文三路100号",  # no division at all
        "浙江省",  # a province is not an address
    ],
)
def test_ambiguous_contradictory_or_unknown_text_is_unresolved_never_guessed(
    resolver: AddressResolver, text: str
) -> None:
    r = resolver.parse(text)
    assert not r.resolved and r.adcode is None and r.confidence == 0 and r.reason


def test_a_street_that_shares_a_district_name_is_not_taken_for_it(resolver: AddressResolver) -> None:
    r = resolver.parse("杭州市西湖文化广场")  # 西湖 here is a square, not 西湖区
    assert r.city == "杭州市" and r.district == "" and r.confidence == 0.8


@pytest.mark.parametrize(
    ("parts", "adcode"),
    [
        (("浙江省", "杭州市", "西湖区"), "330106"),
        (("浙江", "杭州", "西湖区"), "330106"),
        (("北京", "朝阳区", "三环到四环之间"), "110105"),  # JD's municipality shape
        (("上海市", "上海市", "浦东新区"), "310115"),
        (("上海", "", "浦东新区"), "310115"),
        (("浙江省", "杭州市", "临平区"), "330100"),  # a district newer than the registry: city level
    ],
)
def test_parts_as_platforms_send_them(
    resolver: AddressResolver, parts: tuple[str, str, str], adcode: str
) -> None:
    assert resolver.resolve(*parts).adcode == adcode


@pytest.mark.parametrize(
    "parts",
    [
        ("浙江省", "南京市", "鼓楼区"),
        ("火星", "杭州市", ""),
        ("浙江省", "", ""),
        ("***", "***", "***"),
        ("", "", ""),
    ],
)
def test_parts_that_do_not_fit_are_unresolved(resolver: AddressResolver, parts: tuple[str, str, str]) -> None:
    r = resolver.resolve(*parts)
    assert not r.resolved and r.reason
