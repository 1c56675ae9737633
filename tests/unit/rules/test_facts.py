"""The order-facts schema: documented once, built from the domain model, same as the table."""

from __future__ import annotations

import polars as pl

import ordo.rules
from ordo.domain.orders.model import Address, Customer, CustomerTier, Line, LineFlag, Order, Sku
from ordo.rules.evaluation.compile_polars import SCHEMA, facts_frame
from ordo.rules.evaluation.evaluate import CompiledRuleSet, RuleSet
from ordo.rules.evaluation.facts import COLUMN_NAMES, CustomerStats, OrderFacts, RoutingResult, build_facts
from ordo.rules.language.glossary import default_glossary, short_place_name
from ordo.rules.language.parser import parse_rule

NS = 10**9


def make_order() -> Order:
    return Order(
        id="O1",
        channel="tmall",
        external_id="T1",
        customer_ref="C1",
        ship_to=Address(province="新疆维吾尔自治区", city="乌鲁木齐市", district="天山区"),
        lines=(Line("SKU-A", 2, 30_000), Line("GIFT-001", 1, 0, frozenset({LineFlag.GIFT}))),
        placed_at_ns=100 * NS,
        paid_at_ns=160 * NS,
        freight_fen=800,
        tags=("紧急",),
        remark="请尽快",
    )


def test_typed_dict_and_column_list_describe_the_same_schema() -> None:
    assert tuple(OrderFacts.__annotations__) == COLUMN_NAMES
    assert tuple(SCHEMA) == COLUMN_NAMES


def test_every_glossary_field_reads_a_documented_column() -> None:
    for fd in default_glossary().fields.values():
        assert fd.column == "" or fd.column in COLUMN_NAMES, fd.id


def test_facts_are_built_from_the_domain_order() -> None:
    catalog = {
        "SKU-A": Sku("SKU-A", "a", "生鲜", 30_000, 1_500),
        "GIFT-001": Sku("GIFT-001", "g", "赠品", 0, 100),
    }
    f = build_facts(
        make_order(),
        now_ns=900 * NS,
        customer=Customer("C1", "张三", CustomerTier.DIAMOND),
        stats=CustomerStats(ltv_fen=10**7, return_rate=0.1, blacklisted=False),
        routing=RoutingResult("WH-1", "ems", 100 * NS + 48 * 3600 * NS),
        signals={"predicted_stock_risk": 0.2},
        catalog=catalog,
    )
    assert f["goods_amount_fen"] == 60_000 and f["order_amount_fen"] == 60_800
    assert (f["province"], f["city"], f["district"]) == ("新疆", "乌鲁木齐", "天山区")
    assert (
        f["has_gift"] is True and f["skus"] == ["SKU-A", "GIFT-001"] and f["categories"] == ["生鲜", "赠品"]
    )
    assert f["weight_g"] == 3_100 and f["promise_s"] == 48 * 3600
    assert f["customer_tier"] == "diamond" and f["ms_paid_ns"] == 160 * NS and f["ms_stock_locked_ns"] is None
    rules = RuleSet.of(
        [
            parse_rule("当 客户等级为钻石 且 订单来自新疆 且 含赠品 时 标记 加急", rule_id="a"),
            parse_rule("已支付 超过 10分钟 未 库存锁定 则 重试锁库", rule_id="b"),
            parse_rule(
                "when predicted_stock_risk > 15% then freeze price_change for sales_guide", rule_id="c"
            ),
        ]
    )
    assert set(CompiledRuleSet(rules).evaluate(f).rule_ids) == {"a", "b", "c"}
    frame = facts_frame([f])
    assert frame.schema["skus"] == pl.List(pl.String) and frame.height == 1


def test_without_customer_or_routing_those_facts_are_unknown() -> None:
    f = build_facts(make_order(), now_ns=0)
    assert f["customer_tier"] is None and f["warehouse"] is None and f["weight_g"] is None


def test_place_names_are_shortened_the_same_way_everywhere() -> None:
    assert short_place_name("甘孜藏族自治州") == "甘孜"
    assert short_place_name("广西壮族自治区") == "广西"
    assert short_place_name("上海市") == "上海"


def test_package_exports_what_it_documents() -> None:
    for name in ordo.rules.__all__:
        assert hasattr(ordo.rules, name), name
    assert sorted(ordo.rules.__all__) == ordo.rules.__all__
