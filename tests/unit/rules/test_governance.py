"""Governance as data: tiers from what a rule does, escalation, transitions, approvals, canary."""

from __future__ import annotations

import pytest

from ordo.domain.access import Role
from ordo.rules.evaluation.canary import Canary, bucket, canary_places
from ordo.rules.governance import (
    TIER_POLICIES,
    ApprovalTierDenied,
    DraftStatus,
    Escalation,
    Impact,
    RuleTransitionRefused,
    SelfApproval,
    Tier,
    check_approval,
    check_transition,
    required_tier,
    tier_of,
    tier_of_change,
)
from ordo.rules.language.glossary import default_glossary
from ordo.rules.language.parser import parse_rule


@pytest.mark.parametrize(
    ("sentence", "tier"),
    [
        ("满299减50", Tier.L1),
        ("如果 订单来自上海 且 含赠品 则 运费减免5元", Tier.L1),
        ("当 客户等级为钻石 时 标记 加急 并 通知 区域总监", Tier.L1),
        ("新疆,西藏 走 邮政", Tier.L2),
        ('当 客户在黑名单 时 转人工审核 原因 "黑名单"', Tier.L2),
        ("已支付 超过 10分钟 未 库存锁定 则 重试锁库", Tier.L2),
        ("已支付 超过 3天 未 已出库 则 取消订单", Tier.L3),
        ("when predicted_stock_risk > 15% then freeze price_change for role sales_guide", Tier.L3),
    ],
)
def test_a_rules_tier_follows_from_what_it_does(sentence: str, tier: Tier) -> None:
    assert tier_of(parse_rule(sentence)) is tier


def test_a_change_takes_the_highest_tier_of_what_it_adds_or_removes() -> None:
    promo, route = parse_rule("满299减50"), parse_rule("新疆 走 邮政")
    assert tier_of_change([promo], [promo]) is Tier.L1
    assert tier_of_change([promo, route], [promo]) is Tier.L2  # removing a routing rule is L2 too
    assert tier_of_change([], [promo]) is Tier.L1


def test_a_backtest_touching_many_orders_or_much_money_escalates_to_l3() -> None:
    bounds = Escalation(order_share=0.2, money_share=0.05)
    small = Impact(orders=100, changed=5, money_delta_fen=100, gmv_fen=1_000_000)
    assert required_tier(Tier.L1, small, bounds) == (Tier.L1, None)
    tier, why = required_tier(Tier.L1, Impact(100, 30, 0, 1_000_000), bounds)
    assert tier is Tier.L3 and why is not None and "30.0%" in why
    tier, why = required_tier(Tier.L2, Impact(100, 1, -80_000, 1_000_000), bounds)
    assert tier is Tier.L3 and why is not None and "8.0%" in why


def test_nobody_approves_their_own_change_even_an_admin() -> None:
    with pytest.raises(SelfApproval):
        check_approval(author="k1", approver="k1", role=Role.ADMIN, tier=Tier.L1)


def test_each_tier_names_the_role_that_may_approve_it() -> None:
    check_approval(author="a", approver="b", role=Role.OPS, tier=Tier.L2)
    check_approval(author="a", approver="b", role=Role.RISK, tier=Tier.L3)
    with pytest.raises(ApprovalTierDenied):
        check_approval(author="a", approver="b", role=Role.OPS, tier=Tier.L3)
    with pytest.raises(ApprovalTierDenied):
        check_approval(author="a", approver="b", role=Role.FINANCE, tier=Tier.L2)
    assert TIER_POLICIES[Tier.L1].approve is None


def test_a_draft_cannot_skip_its_backtest_or_be_published_twice() -> None:
    with pytest.raises(RuleTransitionRefused):
        check_transition(DraftStatus.DRAFT, DraftStatus.APPROVED, 1)
    with pytest.raises(RuleTransitionRefused):
        check_transition(DraftStatus.PUBLISHED, DraftStatus.PUBLISHED, 1)
    check_transition(DraftStatus.APPROVED, DraftStatus.PUBLISHED, 1)


def test_the_canary_bucket_is_stable_and_a_share_takes_about_that_share() -> None:
    assert bucket("OR123") == bucket("OR123")
    ids = [f"OR{i:06d}" for i in range(20_000)]
    share = sum(Canary(0.05).covers(i) for i in ids) / len(ids)
    assert 0.04 < share < 0.06
    # Widening a canary keeps every order that was already in it.
    assert all(Canary(0.2).covers(i) for i in ids if Canary(0.05).covers(i))


def test_a_canary_by_region_covers_orders_shipping_there() -> None:
    places = canary_places(["华东", "新疆维吾尔自治区"], default_glossary())
    assert {"上海", "浙江", "新疆"} <= places
    c = Canary(places=places)
    assert c.covers("X", province="浙江", city="杭州") and not c.covers("X", province="四川", city="成都")
    with pytest.raises(ValueError):
        Canary(1.5)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INTEGRATION])
@pytest.mark.parametrize("tier", list(Tier))
def test_readers_and_integrations_approve_no_tier_not_even_l1(role: Role, tier: Tier) -> None:
    with pytest.raises(ApprovalTierDenied):
        check_approval(author="a", approver="b", role=role, tier=tier)


def test_l1_approval_needs_the_right_to_edit_rules() -> None:
    for role in (Role.FINANCE, Role.RISK, Role.OPS, Role.ADMIN):
        check_approval(author="a", approver="b", role=role, tier=Tier.L1)


def test_any_name_in_common_is_the_same_person() -> None:
    # One person through two keys: the drafts record the person, not the key.
    with pytest.raises(SelfApproval):
        check_approval(author={"k1", "user:7"}, approver={"k2", "user:7"}, role=Role.ADMIN, tier=Tier.L2)
    check_approval(author={"k1", "user:7"}, approver={"k2", "user:8"}, role=Role.ADMIN, tier=Tier.L2)


def test_an_emergency_rollback_is_for_admins_and_for_ops_up_to_l2() -> None:
    from ordo.rules.governance import EmergencyRollbackDenied, check_emergency_rollback

    for tier in Tier:
        check_emergency_rollback(Role.ADMIN, tier)
    check_emergency_rollback(Role.OPS, Tier.L2)
    with pytest.raises(EmergencyRollbackDenied):
        check_emergency_rollback(Role.OPS, Tier.L3)
    for role in (Role.FINANCE, Role.RISK, Role.VIEWER, Role.INTEGRATION):
        with pytest.raises(EmergencyRollbackDenied):
            check_emergency_rollback(role, Tier.L2)
