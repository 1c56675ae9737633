"""Trigger sentences: read in both languages, rendered back, refused where they cannot mean anything."""

from __future__ import annotations

import pytest

from ordo.rules.language import ast as A
from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.parser import parse_rule
from ordo.rules.language.render import render_rule
from ordo.service.rules.text import ruleset_of, triggers_of

CASES = [
    (
        "30天内退货2次则创建任务交给客服期限2小时",
        "if returns at least 2 within 30d then create task for customer_service due 2h",
        A.Count("returned", 2, 30 * 86_400),
        A.Always(),
        A.CreateTask("customer_service", None, 7_200),
    ),
    (
        "如果 连续3次 在抖音 咨询 未下单 则 创建任务 交给 销售 期限 1天",
        "if 3 consecutive inquiries on douyin without ordering then create task assign to sales due 1d",
        A.Streak("inquiry", 3, "ordered", "douyin"),
        A.Always(),
        A.CreateTask("sales", None, 86_400),
    ),
    (
        "如果 订单延迟 且 客户累计消费 超过 5000元 则 创建任务 交给 客服 期限 2小时",
        "when delayed and customer.ltv > 5000 then create task for customer_service due 2h",
        A.Single("delayed"),
        A.Compare("customer.ltv", A.Op.GT, 500_000),
        A.CreateTask("customer_service", None, 7_200),
    ),
]


@pytest.mark.parametrize(("zh", "en", "pattern", "condition", "task"), CASES)
def test_a_trigger_reads_the_same_in_chinese_and_english(
    zh: str, en: str, pattern: A.Pattern, condition: A.Condition, task: A.CreateTask
) -> None:
    a, b = parse_rule(zh), parse_rule(en)
    assert a == b
    assert a.trigger == pattern
    assert a.condition == condition
    assert a.actions == (task,)
    assert a.category is A.Category.TRIGGER


@pytest.mark.parametrize("zh", [c[0] for c in CASES])
def test_a_trigger_renders_back_to_a_sentence_that_reads_the_same(zh: str) -> None:
    rule = parse_rule(zh)
    for lang in ("zh", "en"):
        again = parse_rule(render_rule(rule, lang))  # type: ignore[arg-type]
        assert again == rule and again.trigger == rule.trigger


def test_more_than_n_counts_from_n_plus_one_and_a_task_without_a_due_time_is_due_in_a_day() -> None:
    rule = parse_rule("30天内 在天猫 退货 超过 2次 则 创建任务 交给 客服")
    assert rule.trigger == A.Count("returned", 3, 30 * 86_400, "tmall")
    assert rule.actions == (A.CreateTask("customer_service", None, A.DEFAULT_TASK_DUE_S),)


def test_a_task_goes_to_a_named_user_in_quotes_with_a_title() -> None:
    rule = parse_rule('如果 连续2次 投诉 则 创建任务 交给 "li.lei" 期限 4小时 "安抚回访"')
    assert rule.actions == (A.CreateTask(None, "li.lei", 4 * 3_600, "安抚回访"),)


def test_a_trigger_condition_reads_the_customer_only() -> None:
    with pytest.raises(RuleSyntaxError) as e:
        parse_rule("如果 订单延迟 且 订单金额 超过 500元 则 创建任务 交给 客服")
    assert e.value.code == "trigger_field"


def test_an_unknown_owner_is_refused_with_the_roles_nearby() -> None:
    with pytest.raises(RuleSyntaxError) as e:
        parse_rule("如果 订单延迟 则 创建任务 交给 保安")
    assert e.value.code == "unknown_value"


def test_order_rules_and_triggers_are_told_apart_in_a_text() -> None:
    text = "如果 渠道 为 抖音 则 转人工审核\n30天内退货2次则创建任务交给客服"
    assert [r.id for r in ruleset_of(text).rules] == ["r1"]
    assert [r.id for r in triggers_of(text)] == ["r2"]


@pytest.mark.parametrize(
    ("text", "tag", "remark"),
    [
        ("如果 客户退货率 > 30% 则 标记 高退货", "高退货", None),
        ("如果 首单 则 标记 退货风险", "退货风险", None),
        ("如果 首单 则 标记 易投诉", "易投诉", None),
        ("如果 首单 则 标记 高取消", "高取消", None),
        ("如果 买家备注 含 退货 则 转人工审核", None, "退货"),
    ],
)
def test_event_words_are_plain_words_in_a_rule_that_raises_no_task(
    text: str, tag: str | None, remark: str | None
) -> None:
    rule = parse_rule(text)
    assert rule.trigger is None
    if tag is not None:
        assert rule.actions == (A.Tag(tag=tag),)
    if remark is not None:
        assert rule.condition == A.Contains(field="order.remark", values=(remark,))
