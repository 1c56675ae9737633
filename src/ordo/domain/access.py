"""Roles and what each may do. Data, not code paths: the API asks ``allowed(role, perm)``."""

from __future__ import annotations

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
