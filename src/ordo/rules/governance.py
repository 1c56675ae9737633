"""Rule governance as data: tiers, who may approve them, a draft's statuses, escalation.

Owns the pure decisions of C5 (DESIGN §4), with no I/O and no clock:

* :func:`tier_of` – a rule's tier from what it does: L1 promotion / freight / gift / tag
  (self-serve after a backtest), L2 routing / review / carrier / incident playbooks
  (an approver of that domain), L3 freezes of permissions, automatic cancel or refund
  (risk approval);
* :func:`tier_of_change` – the tier of a change is the highest tier of the rules it adds,
  removes or alters;
* :func:`required_tier` – a backtest whose impact passes :class:`Escalation`'s bounds
  escalates the change to L3 by itself;
* :data:`TIER_POLICIES` – which permission edits and approves each tier (roles map to
  permissions in :mod:`ordo.domain.access`);
* :class:`DraftStatus` and its transition table;
* :func:`check_approval` – nobody approves a change they wrote (a person, whatever key they
  use), only someone who may edit rules, and only with the tier's right;
* :func:`check_emergency_rollback` – who may roll back at once without a second person.

It never reads the store; the service layer hands it what it needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from ordo.domain.access import Perm, Role, allowed
from ordo.domain.errors import Conflict, PermissionDenied
from ordo.rules.language import ast as A


class Tier(IntEnum):
    L1 = 1
    L2 = 2
    L3 = 3

    @property
    def label(self) -> str:
        return f"L{self.value}"


#: Playbook steps that take money or the order away from the customer: risk's call.
L3_PLAYBOOKS = frozenset({"cancel_order", "refund", "auto_refund"})

_ACTION_TIER: dict[type, Tier] = {
    A.Tag: Tier.L1,
    A.RedFlag: Tier.L1,
    A.Notify: Tier.L1,
    A.ThresholdOff: Tier.L1,
    A.Discount: Tier.L1,
    A.FreightWaive: Tier.L1,
    A.FreightOff: Tier.L1,
    A.Gift: Tier.L1,
    A.Hold: Tier.L2,
    A.Approve: Tier.L2,
    A.UseCarrier: Tier.L2,
    A.AvoidCarrier: Tier.L2,
    A.MergeWindow: Tier.L2,
    A.UseProfile: Tier.L2,
    A.PreferWarehouse: Tier.L2,
    A.ExcludeWarehouse: Tier.L2,
    A.SplitPolicy: Tier.L2,
    A.Playbook: Tier.L2,
    A.Freeze: Tier.L3,
    A.CreateTask: Tier.L1,
}


def tier_of_action(action: A.Action) -> Tier:
    if isinstance(action, A.Playbook) and action.step in L3_PLAYBOOKS:
        return Tier.L3
    return _ACTION_TIER[type(action)]


def tier_of(rule: A.Rule) -> Tier:
    return max((tier_of_action(a) for a in rule.actions), default=Tier.L1)


def _key(rule: A.Rule) -> A.Rule:
    return rule  # equality ignores id and source; priority and scope take part


def changed_rules(old: Sequence[A.Rule], new: Sequence[A.Rule]) -> tuple[list[A.Rule], list[A.Rule]]:
    """Rules only in ``new`` (added or altered) and only in ``old`` (removed or altered)."""
    before, after = Counter(map(_key, old)), Counter(map(_key, new))
    added = list((after - before).elements())
    removed = list((before - after).elements())
    return added, removed


def tier_of_change(old: Sequence[A.Rule], new: Sequence[A.Rule]) -> Tier:
    """The highest tier among the rules a change adds, removes or alters (L1 if none)."""
    added, removed = changed_rules(old, new)
    return max((tier_of(r) for r in [*added, *removed]), default=Tier.L1)


@dataclass(frozen=True, slots=True)
class Escalation:
    """A change touching more than these shares of the backtested orders or money is L3."""

    order_share: float = 0.20
    money_share: float = 0.05


@dataclass(frozen=True, slots=True)
class Impact:
    """What a backtest found, as far as escalation cares."""

    orders: int
    changed: int
    money_delta_fen: int
    gmv_fen: int

    @property
    def order_share(self) -> float:
        return self.changed / self.orders if self.orders else 0.0

    @property
    def money_share(self) -> float:
        return abs(self.money_delta_fen) / self.gmv_fen if self.gmv_fen else 0.0


def required_tier(change: Tier, impact: Impact | None, bounds: Escalation) -> tuple[Tier, str | None]:
    """The tier whose approval the change needs, and why it was escalated (if it was)."""
    if impact is None or change is Tier.L3:
        return change, None
    if impact.order_share > bounds.order_share:
        return Tier.L3, (
            f"回测影响 {impact.order_share:.1%} 的订单，超过 {bounds.order_share:.0%}，升级为 L3 风控审批 / "
            f"the backtest changes {impact.order_share:.1%} of orders (> {bounds.order_share:.0%}): "
            "escalated to L3, risk approval"
        )
    if impact.money_share > bounds.money_share:
        return Tier.L3, (
            f"回测金额影响 {impact.money_share:.1%}，超过 {bounds.money_share:.0%}，升级为 L3 风控审批 / "
            f"the backtest moves {impact.money_share:.1%} of the money (> {bounds.money_share:.0%}): "
            "escalated to L3, risk approval"
        )
    return change, None


@dataclass(frozen=True, slots=True)
class TierPolicy:
    tier: Tier
    edit: Perm
    #: None: self-serve once backtested (no approver needed).
    approve: Perm | None
    zh: str
    en: str


TIER_POLICIES: dict[Tier, TierPolicy] = {
    Tier.L1: TierPolicy(
        Tier.L1,
        Perm.RULES_EDIT,
        None,
        "促销/运费/赠品/标记：回测后自助发布",
        "promotion / freight / gift / tag: self-serve after a backtest",
    ),
    Tier.L2: TierPolicy(
        Tier.L2,
        Perm.RULES_EDIT,
        Perm.RULES_APPROVE_L2,
        "路由/审单/承运商：需本领域审批人",
        "routing / review / carrier: an approver of that domain",
    ),
    Tier.L3: TierPolicy(
        Tier.L3,
        Perm.RULES_EDIT,
        Perm.RULES_APPROVE_L3,
        "信用/账期/自动取消或退款：需风控审批",
        "credit / payment terms / automatic cancel or refund: risk approval",
    ),
}


class DraftStatus(StrEnum):
    """A draft's own steps; once published its version is canary, active or retired."""

    DRAFT = "draft"
    BACKTESTED = "backtested"
    APPROVED = "approved"
    PUBLISHED = "published"


class VersionStatus(StrEnum):
    CANARY = "canary"
    ACTIVE = "active"
    RETIRED = "retired"


#: What may follow what. Editing a draft sends it back to ``draft`` (its backtest is stale).
TRANSITIONS: dict[DraftStatus, frozenset[DraftStatus]] = {
    DraftStatus.DRAFT: frozenset({DraftStatus.DRAFT, DraftStatus.BACKTESTED}),
    DraftStatus.BACKTESTED: frozenset({DraftStatus.DRAFT, DraftStatus.BACKTESTED, DraftStatus.APPROVED}),
    DraftStatus.APPROVED: frozenset({DraftStatus.DRAFT, DraftStatus.PUBLISHED}),
    DraftStatus.PUBLISHED: frozenset(),
}


class RuleTransitionRefused(Conflict):
    code = "rule_transition_refused"


class SelfApproval(PermissionDenied):
    code = "self_approval"


class ApprovalTierDenied(PermissionDenied):
    code = "approval_tier"


def check_transition(current: DraftStatus, target: DraftStatus, draft_id: int) -> None:
    if target not in TRANSITIONS[current]:
        raise RuleTransitionRefused(
            f"draft {draft_id} is {current.value}; it cannot become {target.value} / "
            f"草稿 {draft_id} 当前为「{current.value}」，不能变为「{target.value}」",
            details={"draft_id": draft_id, "status": current.value, "target": target.value},
        )


def check_approval(
    *, author: str | Collection[str], approver: str | Collection[str], role: Role, tier: Tier
) -> None:
    """Raise unless ``approver`` (with ``role``) may approve a change of ``tier`` by ``author``.

    ``author`` and ``approver`` may each be several names of one party (a person's id and the
    name a key went by): any name in common is the same person. Approving needs the tier's
    editing right at least, so a reader or an integration approves no tier, not even L1.
    """
    authors = {author} if isinstance(author, str) else set(author)
    approvers = {approver} if isinstance(approver, str) else set(approver)
    if authors & approvers:
        raise SelfApproval(
            "nobody approves a change they wrote, whatever key they use "
            "/ 不能审批自己编写的变更（无论使用哪个密钥）",
            details={"author": sorted(authors), "approver": sorted(approvers)},
        )
    policy = TIER_POLICIES[tier]
    for perm in (policy.edit, policy.approve):
        if perm is None or allowed(role, perm):
            continue
        raise ApprovalTierDenied(
            f"a {tier.label} change needs {policy.en}; role {role.value} may not approve it / "
            f"{tier.label} 变更{policy.zh}，角色「{role.value}」无权审批",
            details={"tier": tier.label, "role": role.value, "permission": perm.value},
        )


class EmergencyRollbackDenied(PermissionDenied):
    code = "emergency_rollback_refused"


#: Who may roll back at once, without a second person, and up to which tier: the duty roles
#: that answer for a live incident. Everyone else asks for the tier's approval.
EMERGENCY_ROLLBACK: dict[Role, Tier] = {Role.ADMIN: Tier.L3, Role.OPS: Tier.L2}


def check_emergency_rollback(role: Role, tier: Tier) -> None:
    """Raise unless ``role`` may roll back a change of ``tier`` at once (audited, with a reason)."""
    ceiling = EMERGENCY_ROLLBACK.get(role)
    if ceiling is None or tier > ceiling:
        raise EmergencyRollbackDenied(
            f"role {role.value} may not roll back a {tier.label} change in an emergency; ask for "
            f"approval / 角色「{role.value}」无权紧急回滚 {tier.label} 变更，请提交审批",
            details={"tier": tier.label, "role": role.value,
                     "allowed": {r.value: t.label for r, t in EMERGENCY_ROLLBACK.items()}},
        )  # fmt: skip
