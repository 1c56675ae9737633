"""Lint says when a rule can do nothing yet: a field nothing feeds ("no live source /
暂无数据来源"), or a freeze of a permission or role the API does not have."""

from __future__ import annotations

import pytest

from ordo.rules.language import lint
from ordo.service.rules import lint_text


def _codes(text: str) -> list[str]:
    return [w["code"] for w in lint_text(text)]  # type: ignore[misc]


def test_a_field_without_a_source_is_named_in_both_languages(monkeypatch: pytest.MonkeyPatch) -> None:
    # No field lacks a source today; the check still names one that would.
    monkeypatch.setattr(lint, "NO_LIVE_SOURCE", {"predicted_stock_risk": ("没有预测", "no forecast")})
    [w] = lint_text("当 AI预测库存风险 > 0.5 时 标记 缺货风险")
    assert w["code"] == "no_live_source" and w["rule_id"] == "r1"
    assert "暂无数据来源" in str(w["zh"]) and "no live source" in str(w["en"])


def test_predicted_stock_risk_has_a_source_at_intake_and_in_backtests() -> None:
    assert _codes("当 AI预测库存风险 > 0.5 时 标记 缺货风险") == []


def test_fields_with_a_source_say_nothing() -> None:
    assert _codes("当 订单金额 > 1000 时 标记 大额") == []
    # The customer's history has one since customer_stats (intake, returns, backtests).
    assert _codes("当 客户累计消费 > 1000 时 标记 老客") == []
    assert _codes("如果 首单 且 客户订单数 < 3 且 客户退货率 < 10% 则 标记 新客") == []
    assert _codes("when customer.tier = gold then tag vip") == []


def test_a_freeze_the_api_cannot_enforce_is_no_live_effect_and_one_it_can_is_quiet() -> None:
    [w] = lint_text("当 订单金额 > 1000 时 冻结 导购 价格调整")
    assert w["code"] == "no_live_effect" and "price_change" in str(w["en"])
    assert _codes("当 订单金额 > 1000 时 冻结 运营 撤单") == []
    assert _codes("当 订单金额 > 1000 时 冻结 规则编辑") == []
