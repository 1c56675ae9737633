"""Roles and what each may do, and the scope a caller is bound to.

Data, not code paths: the API asks ``allowed(role, perm)`` and, for a caller bound to some
channels or operations (an integration key, a user with a channel scope), ``in_scope``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from ordo.domain.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    OPS = "ops"
    FINANCE = "finance"
    RISK = "risk"
    VIEWER = "viewer"
    INTEGRATION = "integration"


class Perm(StrEnum):
    READ = "read"
    READ_PII = "read_pii"
    ORDERS_WRITE = "orders_write"
    MILESTONES_WRITE = "milestones_write"
    ORDERS_CANCEL = "orders_cancel"
    INVENTORY_WRITE = "inventory_write"
    #: Split a wrong customer merge (identity is personal data: operators only).
    CUSTOMERS_WRITE = "customers_write"
    #: Rules: draft, backtest, publish, roll back; approve L2 / L3 changes (ordo.rules.governance).
    RULES_EDIT = "rules_edit"
    RULES_APPROVE_L2 = "rules_approve_l2"
    RULES_APPROVE_L3 = "rules_approve_l3"
    #: Work the incident queue: assign, acknowledge, resolve, dismiss.
    INCIDENTS_WRITE = "exceptions_write"
    ADMIN = "admin"


PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    Role.OPS: frozenset(
        {
            Perm.READ,
            Perm.READ_PII,
            Perm.ORDERS_WRITE,
            Perm.MILESTONES_WRITE,
            Perm.ORDERS_CANCEL,
            Perm.INVENTORY_WRITE,
            Perm.CUSTOMERS_WRITE,
            Perm.RULES_EDIT,
            Perm.RULES_APPROVE_L2,
            Perm.INCIDENTS_WRITE,
        }
    ),
    Role.FINANCE: frozenset({Perm.READ, Perm.READ_PII, Perm.RULES_EDIT}),
    Role.RISK: frozenset(
        {Perm.READ, Perm.READ_PII, Perm.ORDERS_CANCEL, Perm.RULES_EDIT, Perm.RULES_APPROVE_L3}
    ),
    Role.VIEWER: frozenset({Perm.READ}),
    # Channel and system integrations write orders and milestones but see no PII back.
    Role.INTEGRATION: frozenset({Perm.READ, Perm.ORDERS_WRITE, Perm.MILESTONES_WRITE, Perm.ORDERS_CANCEL}),
}


def allowed(role: Role, perm: Perm) -> bool:
    return perm in PERMISSIONS[role]


def require(role: Role, perm: Perm) -> None:
    if not allowed(role, perm):
        raise PermissionDenied(
            f"role {role} may not {perm} / 角色「{role}」无权执行「{perm}」",
            details={"role": role.value, "permission": perm.value},
        )


class OutOfScope(PermissionDenied):
    """A caller bound to some channels or operations asked for another (403)."""

    code = "out_of_scope"


@dataclass(frozen=True, slots=True)
class Scope:
    """What a bound caller may touch: its channels, its shops and the operations it may use.

    An empty ``channels`` means every channel, an empty ``shops`` every shop (a shop is one
    of Ordo's platform shops, whose pulled orders it knows); ``operations`` None means every
    permission of the role. A scope only narrows a role, never widens it.
    """

    channels: frozenset[str] = frozenset()
    operations: frozenset[Perm] | None = None
    shops: frozenset[str] = frozenset()

    @property
    def unbound(self) -> bool:
        return not self.channels and not self.shops and self.operations is None

    def as_dict(self) -> dict[str, list[str] | None]:
        ops = None if self.operations is None else sorted(p.value for p in self.operations)
        return {"channels": sorted(self.channels), "shops": sorted(self.shops), "operations": ops}

    @classmethod
    def from_dict(cls, data: dict[str, object] | None) -> Scope:
        data = data or {}
        channels, ops, shops = data.get("channels") or [], data.get("operations"), data.get("shops") or []
        assert (
            isinstance(channels, list) and isinstance(shops, list) and (ops is None or isinstance(ops, list))
        )
        return cls(
            frozenset(str(c) for c in channels),
            None if ops is None else frozenset(Perm(str(o)) for o in ops),
            frozenset(str(s) for s in shops),
        )


UNBOUND = Scope()


def require_operation(scope: Scope, perm: Perm) -> None:
    """Refuse (403) an operation the scope does not list."""
    if scope.operations is not None and perm not in scope.operations:
        raise OutOfScope(
            f"this key may not {perm}: outside its allowed operations "
            f"/ 此密钥无权执行「{perm}」：超出其允许的操作",
            details={"refused": "operation", "permission": perm.value,
                     "allowed": sorted(p.value for p in scope.operations)},
        )  # fmt: skip


def require_channels(scope: Scope, channels: Iterable[str], what: str) -> None:
    """Refuse (403) ``what`` when any of ``channels`` lies outside the scope's channels."""
    if not scope.channels:
        return
    outside = sorted({c for c in channels if c not in scope.channels})
    if outside:
        raise OutOfScope(
            f"{what} of channel {', '.join(outside)} refused: this key is bound to "
            f"{', '.join(sorted(scope.channels))} / 拒绝对渠道「{'、'.join(outside)}」{_ZH.get(what, what)}："
            f"此密钥仅限渠道「{'、'.join(sorted(scope.channels))}」",
            details={"refused": what, "channels": outside, "allowed_channels": sorted(scope.channels)},
        )


def require_shops(scope: Scope, shops: Iterable[str | None], what: str) -> None:
    """Refuse (403) ``what`` when any order's shop (None: an order from no known shop) lies
    outside the scope's shops."""
    if not scope.shops:
        return
    outside = sorted({s or "-" for s in shops if s not in scope.shops})
    if outside:
        allowed = sorted(scope.shops)
        raise OutOfScope(
            f"{what} of shop {', '.join(outside)} refused ('-': an order from no known shop): this key "
            f"is bound to shop {', '.join(allowed)} / 拒绝对店铺「{'、'.join(outside)}」{_ZH.get(what, what)}"
            f"（「-」表示不属于任何已登记店铺的订单）：此密钥仅限店铺「{'、'.join(allowed)}」",
            details={"refused": what, "shops": outside, "allowed_shops": allowed},
        )


#: How each scoped write is named in Chinese in a refusal.
_ZH = {
    "cancel orders": "取消订单",
    "remap SKUs": "映射 SKU",
    "replay dead letters": "重放死信",
    "write milestones": "写入里程碑",
    "submit orders": "提交订单",
    "report statuses": "回报状态",
    "hold orders": "挂起订单",
    "release orders": "放行订单",
    "correct addresses": "更正地址",
    "re-route orders": "改派订单",
    "read": "查看",
    "read orders": "查看订单",
    "read incidents": "查看异常",
}
