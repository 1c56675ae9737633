"""Carrier policies by region and the merge window (合单) read as merchants write them, in
Chinese and English, and render back to sentences that read the same."""

from __future__ import annotations

import pytest

from ordo.rules.language import ast as A
from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.parser import parse_rule
from ordo.rules.language.render import render_rule

ZHEJIANG = A.InSet("ship_to.place", ("浙江",))
REMOTE = A.InSet("ship_to.place", (), ("remote",))


@pytest.mark.parametrize(
    ("sentence", "condition", "actions"),
    [
        ("浙江 的 订单 使用 顺丰", ZHEJIANG, (A.UseCarrier("sf"),)),
        ("浙江的订单走顺丰", ZHEJIANG, (A.UseCarrier("sf"),)),
        ("orders to 浙江 use 顺丰", ZHEJIANG, (A.UseCarrier("sf"),)),
        ("偏远地区 不用 极兔", REMOTE, (A.AvoidCarrier("jtexpress"),)),
        ("偏远地区不走极兔、中通", REMOTE, (A.AvoidCarrier("jtexpress"), A.AvoidCarrier("zto"))),
        ("orders to remote avoid 极兔", REMOTE, (A.AvoidCarrier("jtexpress"),)),
        (
            "如果 收货省份 属于 偏远地区 则 不用 极兔",
            A.InSet("ship_to.province", (), ("remote",)),
            (A.AvoidCarrier("jtexpress"),),
        ),
        ("同一买家 同一地址 的 订单 合单 等待 30 分钟", A.Always(), (A.MergeWindow(1800),)),
        ("同一客户同一地址的订单合单等待2小时", A.Always(), (A.MergeWindow(7200),)),
        ("merge orders to the same address within 30 minutes", A.Always(), (A.MergeWindow(1800),)),
        ("如果 渠道 为 天猫 则 合单 等待 10分钟", A.InSet("channel", ("tmall",)), (A.MergeWindow(600),)),
    ],
)
def test_the_sentence_reads_as_meant_and_renders_back_to_the_same_rule(
    sentence: str, condition: A.Condition, actions: tuple[A.Action, ...]
) -> None:
    rule = parse_rule(sentence)
    assert (rule.condition, rule.actions, rule.category) == (condition, actions, A.Category.ROUTING)
    for lang in ("zh", "en"):
        assert parse_rule(render_rule(rule, lang)) == rule


def test_a_merge_without_a_wait_says_its_default_wait_when_rendered() -> None:
    rule = parse_rule("合单")
    assert rule.actions == (A.MergeWindow(A.DEFAULT_MERGE_WINDOW_S),)
    assert render_rule(rule, "zh") == "合单 等待 30分钟"
    assert render_rule(rule, "en") == "merge_orders within 30min"


def test_a_merge_wait_needs_a_unit_and_an_unknown_carrier_is_refused() -> None:
    with pytest.raises(RuleSyntaxError) as e:
        parse_rule("合单 等待 30")
    assert e.value.code == "needs_unit"
    with pytest.raises(RuleSyntaxError) as e:
        parse_rule("偏远地区 不用 飞毛腿")
    assert e.value.code == "unknown_value"


def test_a_word_glued_to_orders_stays_one_unknown_field_with_a_suggestion() -> None:
    with pytest.raises(RuleSyntaxError) as e:
        parse_rule("如果 订单金鹅>50万 则 标记 加急")
    assert e.value.code == "unknown_field"
