"""A parse error names the position and the word, asks about the nearest word, never guesses."""

from __future__ import annotations

import pytest

from ordo.rules.language.errors import RuleSyntaxError
from ordo.rules.language.parser import parse_rule


def error_of(sentence: str) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as info:
        parse_rule(sentence)
    return info.value


def test_unknown_chinese_field_suggests_the_nearest_field_in_chinese() -> None:
    e = error_of("如果 订单金鹅>50万 则 标记 加急")
    assert e.code == "unknown_field"
    assert e.word == "订单金鹅"
    assert e.position == 3 and e.column == 4
    assert e.suggestion == "订单金额"
    assert "未知字段「订单金鹅」，是否指「订单金额」？" in e.message
    assert e.message.startswith("第4个字符处")


def test_unknown_english_field_suggests_in_english() -> None:
    e = error_of("when order.amout > 500000 then tag urgent")
    assert e.code == "unknown_field"
    assert e.suggestion == "order.amount"
    assert e.message == 'at column 6: unknown field "order.amout" - did you mean "order.amount"?'


def test_unknown_value_of_a_closed_domain_is_asked_about_not_applied() -> None:
    e = error_of("当 客户等级为砖石 时 标记 加急")
    assert e.code == "unknown_value"
    assert e.suggestion == "钻石"
    assert "是否指「钻石」" in e.message
    e = error_of("when customer.tier = diamant then tag urgent")
    assert e.suggestion == "diamond"
    e = error_of("当 订单金额>5 时 通知 区域总建")
    assert e.suggestion == "区域总监"


def test_unknown_place_is_an_error_unless_quoted() -> None:
    assert error_of("如果 目的地 属于 上嗨 则 标记 x").code == "unknown_value"
    assert parse_rule('如果 区县 属于 "浦东新区" 则 标记 x').condition.values == ("浦东新区",)  # type: ignore[union-attr]


def test_unreadable_word_lists_what_may_follow() -> None:
    e = error_of("如果 订单来自上海 切 含赠品 则 运费减免5元")
    assert e.code == "unknown_word"
    assert e.word == "切" and e.position == 10
    assert "且" in e.expected and "则" in e.expected


def test_incomplete_sentence_says_so_in_its_language() -> None:
    assert error_of("当 订单金额>50万 时").message.startswith("第13个字符处：句子不完整")
    assert "incomplete" in error_of("when order.amount > 5 then").message


def test_units_must_fit_the_field() -> None:
    assert error_of("订单金额 > 2小时 则 标记 x").code == "bad_unit"
    assert error_of("已支付 超过 10 则 标记 x").code == "needs_unit"
    assert error_of("退货率 > 30 则 标记 x").code == "bad_ratio"
    assert error_of("订单金额 > 0.001元 则 标记 x").code == "bad_number"


def test_bad_characters_dates_and_quotes_are_pointed_at() -> None:
    e = error_of("订单金额 > 5 @ 则 标记 x")
    assert e.code == "bad_character" and e.position == 9
    assert error_of("活动期 2026-02-30 至 2026-03-01 则 标记 x").code == "bad_date"
    assert error_of('当 备注含"退款 时 标记 x').code == "unclosed_quote"


def test_pointer_marks_the_word() -> None:
    e = error_of("when order.amout > 5 then tag x")
    assert e.pointer().splitlines()[1] == "     ^^^^^^^^^^^"
