"""Every sentence of the issue and DESIGN §4 reads, and equivalent sentences give one AST."""

from __future__ import annotations

from datetime import date

import pytest

from ordo.rules.language import ast as A
from ordo.rules.language.parser import parse_rule, parse_rules

DESIGN_SENTENCES = [
    "如果 订单来自上海 且 含赠品 则 运费减免5元",
    "如果订单来自上海且含赠品,则运费免5元",
    "当 客户等级为钻石 且 订单金额>50万 时 标记 加急 并 通知 区域总监",
    "满299减50 叠加赠品 GIFT-001 (渠道为天猫, 活动期 2026-06-01 至 2026-06-18)",
    '当 订单含"紧急"标签 且 目的地属于 地震灾区 时 红标预警 并 推送 区域总监',
    "when customer.tier = diamond and order.amount > 500000 then tag urgent, notify regional_director",
    "when predicted_stock_risk > 15% then freeze price_change for role sales_guide",
    "新疆,西藏 走 邮政",
    "已支付 超过 10分钟 未 库存锁定 则 重试锁库 并 通知 运营",
]


@pytest.mark.parametrize("sentence", DESIGN_SENTENCES)
def test_every_design_sentence_parses(sentence: str) -> None:
    rule = parse_rule(sentence)
    assert rule.actions
    assert rule.source == sentence


def test_the_three_amount_forms_give_the_same_ast() -> None:
    forms = [
        "订单金额>50万 则 标记 加急",
        "订单金额 大于 500000 则 标记 加急",
        "when order.amount > 500000 then tag urgent",
    ]
    rules = [parse_rule(s) for s in forms]
    assert rules[0] == rules[1] == rules[2]
    assert rules[0].condition == A.Compare("order.amount", A.Op.GT, 50_000_000)  # 50万元 in fen


def test_money_units_are_yuan_unless_written() -> None:
    assert parse_rule("订单金额 > 5元 则 标记 x").condition == A.Compare("order.amount", A.Op.GT, 500)
    assert parse_rule("订单金额 > 5 则 标记 x").condition == A.Compare("order.amount", A.Op.GT, 500)
    assert parse_rule("订单金额 > 0.5元 则 标记 x").condition == A.Compare("order.amount", A.Op.GT, 50)
    assert parse_rule("订单金额 > 1.2万 则 标记 x").condition == A.Compare("order.amount", A.Op.GT, 1_200_000)


def test_chinese_and_english_dsl_sentences_give_the_same_ast() -> None:
    zh = parse_rule("当 客户等级为钻石 且 订单金额>50万 时 标记 加急 并 通知 区域总监")
    en = parse_rule(
        "when customer.tier = diamond and order.amount > 500000 then tag urgent, notify regional_director"
    )
    assert zh == en
    assert zh.category is A.Category.NOTIFY
    assert zh.actions == (A.Tag("urgent"), A.Notify("regional_director"))


def test_punctuation_and_spacing_variants_give_the_same_ast() -> None:
    a = parse_rule(DESIGN_SENTENCES[0])
    b = parse_rule(DESIGN_SENTENCES[1])
    c = parse_rule("如果订单来自上海市，且含赠品，则运费减免５元。")  # full-width digit, Chinese commas
    assert a == b == c
    assert a.condition == A.All((A.InSet("ship_to.place", ("上海",)), A.IsTrue("order.has_gift")))
    assert a.actions == (A.FreightOff(500),)
    assert a.category is A.Category.PRICING


def test_promotion_with_scope_stacks_a_gift_and_is_limited_to_the_campaign() -> None:
    r = parse_rule(DESIGN_SENTENCES[3])
    assert r.condition == A.Always()
    assert r.actions == (A.ThresholdOff(29_900, 5_000), A.Gift("GIFT-001", stackable=True))
    assert r.scope == A.All(
        (
            A.InSet("channel", ("tmall",)),
            A.DateRange("order.placed_date", date(2026, 6, 1), date(2026, 6, 18)),
        )
    )
    assert A.Compare("order.goods_amount", A.Op.GE, 29_900) in r.guard.items  # type: ignore[union-attr]


def test_quoted_tags_and_region_groups() -> None:
    r = parse_rule(DESIGN_SENTENCES[4])
    assert r.condition == A.All(
        (A.Contains("order.tags", ("紧急",)), A.InSet("ship_to.place", (), ("quake_zone",)))
    )
    assert r.actions == (A.RedFlag(), A.Notify("regional_director"))
    assert parse_rule("当 订单含“紧急”标签 时 红标预警") == parse_rule('当 订单含"紧急"标签 时 红标预警')


def test_guard_rule_reads_in_both_languages() -> None:
    en = parse_rule(DESIGN_SENTENCES[6])
    zh = parse_rule("当AI预测库存风险>15%时，自动冻结导购价格调整权限")
    assert en == zh
    assert en.category is A.Category.GUARD
    assert en.condition == A.Compare("signal.predicted_stock_risk", A.Op.GT, 0.15)
    assert en.actions == (A.Freeze("price_change", "permission", "sales_guide"),)


def test_carrier_policy_lists_with_comma_or_dunhao() -> None:
    a = parse_rule("新疆,西藏 走 邮政")
    b = parse_rule("新疆、西藏 走 邮政")
    c = parse_rule("如果 目的地 属于 新疆维吾尔自治区、西藏自治区 则 走 EMS")
    d = parse_rule("when ship_to in (xinjiang, tibet) then use carrier ems")
    assert a == b == c == d
    assert a.category is A.Category.ROUTING
    assert a.actions == (A.UseCarrier("ems"),)


def test_incident_rule_watches_milestones_over_time() -> None:
    r = parse_rule(DESIGN_SENTENCES[8])
    assert r.category is A.Category.INCIDENT
    assert r.condition == A.All((A.Elapsed("paid", A.Op.GT, 600), A.Not(A.Reached("stock_locked"))))
    assert r.actions == (A.Playbook("retry_stock_lock"), A.Notify("ops"))
    assert parse_rule("when paid > 10 min and not stock_locked then retry_stock_lock, notify ops") == r


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("订单重量 > 2公斤 则 标记 heavy", A.Compare("order.weight", A.Op.GT, 2000)),
        ("订单重量 > 2 则 标记 heavy", A.Compare("order.weight", A.Op.GT, 2000)),  # bare weight is kg
        ("承诺时效 > 2小时 则 标记 slow", A.Compare("route.promise", A.Op.GT, 7200)),
        ("退货率 >= 0.3 则 标记 risky", A.Compare("customer.return_rate", A.Op.GE, 0.3)),
        ("退货率 >= 30% 则 标记 risky", A.Compare("customer.return_rate", A.Op.GE, 0.3)),
        ("商品件数 >= 3 则 标记 bulk", A.Compare("order.item_count", A.Op.GE, 3)),
    ],
)
def test_numbers_with_units_land_in_base_units(sentence: str, expected: A.Condition) -> None:
    assert parse_rule(sentence).condition == expected


def test_review_pricing_and_routing_actions() -> None:
    assert parse_rule('当 客户在黑名单 时 转人工审核 原因 "黑名单"').actions == (A.Hold("黑名单"),)
    assert parse_rule("当 订单金额 < 100 时 自动审核通过").category is A.Category.REVIEW
    assert parse_rule("打9折 (渠道为京东)").actions == (A.Discount(1000),)
    assert parse_rule("discount 10% (channel = jd)") == parse_rule("打9折 (渠道为京东)")
    assert parse_rule("每满200减20 最多100 (渠道为天猫)").actions == (
        A.ThresholdOff(20_000, 2_000, True, 10_000),
    )
    assert parse_rule("每满200送 GIFT-9 最多3件").actions == (A.Gift("GIFT-9", 1, 20_000, True, 3),)
    assert parse_rule("如果 目的地属于 华东 则 使用权重方案 大促 并 优先仓库 WH-SH-01").actions == (
        A.UseProfile("promo"),
        A.PreferWarehouse("WH-SH-01"),
    )
    assert parse_rule("目的地属于 偏远地区 则 不拆单").actions == (A.SplitPolicy(False),)
    assert parse_rule("如果 订单来自天猫 则 包邮").condition == A.InSet("channel", ("tmall",))


def test_or_not_and_brackets() -> None:
    r = parse_rule("如果 不 含赠品 且 (渠道为天猫 或 渠道为京东) 则 标记 x")
    assert r.condition == A.All(
        (
            A.Not(A.IsTrue("order.has_gift")),
            A.AnyOf((A.InSet("channel", ("tmall",)), A.InSet("channel", ("jd",)))),
        )
    )
    assert parse_rule("如果 渠道 不属于 天猫、京东 则 标记 x").condition == A.Not(
        A.InSet("channel", ("tmall", "jd"))
    )


def test_parse_rules_reads_one_rule_per_line_with_comments() -> None:
    rules = parse_rules("# 促销\n满299减50 (渠道为天猫)\n\n新疆,西藏 走 邮政  # 偏远\n")
    assert [r.id for r in rules] == ["r2", "r4"]
