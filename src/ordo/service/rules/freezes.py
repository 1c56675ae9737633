"""Permission freezes: a rule's 冻结 takes a permission from a role while its signal lasts.

A live rule such as ``当 订单金额 > 100000 时 冻结 运营 撤单`` fires at intake
(:mod:`ordo.service.rules.actions`); :func:`signal` stores a freeze of (role, permission)
— or, when the freeze names no role, of every role holding the permission except ``admin``,
so an operator can always act — and audits it. Each further firing renews the signal.
The freeze clears by itself once the signal has been quiet for ``clears_after_s`` (business
clock), or when an operator lifts it (:func:`lift`, audited). While it holds, the API
refuses the permission to that role with a 403 naming the freeze (``permission_frozen``),
in both languages (:func:`check`, called by ``ordo.api.deps.requires``).

The rule glossary's permissions and roles map onto the API's (:data:`PERMISSIONS`,
:data:`ROLES`); a freeze of a permission or role the API does not have changes nothing,
and lint says so (``no_live_effect``).

Each process keeps the open freezes for :data:`CACHE_TTL_S` real seconds
(:class:`FreezeCache`, on the Ordo, dropped after every commit this process announces):
a freeze or lift through this process is seen at once, through another within that time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ordo.domain.access import PERMISSIONS as ROLE_PERMISSIONS
from ordo.domain.access import Perm, Role
from ordo.domain.errors import NotFound, PermissionDenied, ValidationError
from ordo.domain.events import Event
from ordo.rules.language import ast as A
from ordo.service.ports import UnitOfWork

if TYPE_CHECKING:
    from ordo.service.rules.records import Actor
    from ordo.service.runtime.app import Ordo

NS = 1_000_000_000
#: How long a freeze outlives the last firing of its rule (seconds of the business clock).
CLEARS_AFTER_S = 3600
#: How long a process trusts its copy of the open freezes (real seconds).
CACHE_TTL_S = 1.0
FROZEN_EVENT = "permission.frozen"
LIFTED_EVENT = "permission.lifted"

#: The rule glossary's permission names → the API's permissions.
PERMISSIONS: Mapping[str, Perm] = {
    "rule_edit": Perm.RULES_EDIT,
    "orders_cancel": Perm.ORDERS_CANCEL,
    "inventory_write": Perm.INVENTORY_WRITE,
    "incidents_write": Perm.INCIDENTS_WRITE,
}
#: What a freeze can take: the API checks only these.
FREEZABLE = frozenset(PERMISSIONS.values())
#: The rule glossary's roles → the API's roles.
ROLES: Mapping[str, Role] = {"ops": Role.OPS, "finance": Role.FINANCE, "risk": Role.RISK}


class PermissionFrozen(PermissionDenied):
    code = "permission_frozen"


@dataclass(frozen=True, slots=True)
class Target:
    role: Role
    perm: Perm


def targets(a: A.Freeze) -> list[Target]:
    """The (role, permission) pairs a freeze action takes; [] when it has no live effect."""
    perm = PERMISSIONS.get(a.target) if a.kind == "permission" else None
    if perm is None:
        return []
    if a.role is not None:
        role = ROLES.get(a.role)
        return [Target(role, perm)] if role is not None and perm in ROLE_PERMISSIONS[role] else []
    return [Target(r, perm) for r in Role if r is not Role.ADMIN and perm in ROLE_PERMISSIONS[r]]


def inert(a: A.Action) -> tuple[str, str] | None:
    """Why a freeze action changes nothing (zh, en), for lint; None when it acts (or is no freeze)."""
    if not isinstance(a, A.Freeze) or targets(a):
        return None
    if a.kind != "permission":
        return (
            f"冻结规则类别「{a.target}」暂不生效（只能冻结权限）",
            f"freezing the rule category {a.target} does nothing yet (only permissions can be frozen)",
        )
    if a.target not in PERMISSIONS:
        known = "、".join(PERMISSIONS)
        return (
            f"权限「{a.target}」在系统接口中不存在，冻结不会生效（可冻结：{known}）",
            f"the permission {a.target} is not one the API has; freezing it does nothing "
            f"(freezable: {', '.join(PERMISSIONS)})",
        )
    zh = f"角色「{a.role}」在系统中不存在或没有权限「{a.target}」，冻结不会生效"
    return zh, f"the role {a.role} does not exist in Ordo or lacks {a.target}; freezing it does nothing"


def in_force(row: Mapping[str, Any], now_ns: int) -> bool:
    """Not lifted, and its signal fired within ``clears_after_s``."""
    if row["lifted_at_ns"] is not None:
        return False
    return now_ns - int(row["last_signal_ns"]) < int(row["clears_after_s"]) * NS


def signal(uow: UnitOfWork, fired: Iterable[tuple[A.Freeze, str, int | None, str]], now: int) -> None:
    """Freeze, or renew the freeze of, each (role, permission) these fired freeze actions take."""
    open_rows = {(r["role"], r["permission"]): r for r in uow.actions.open_freezes()}
    done: set[tuple[str, str]] = set()
    events: list[Event] = []
    for a, rule_id, version, text in fired:
        for t in targets(a):
            key = (t.role.value, t.perm.value)
            if key in done:
                continue
            done.add(key)
            row = open_rows.get(key)
            if row is not None and in_force(row, now):
                uow.actions.update_freeze(row["id"], {"last_signal_ns": now})
                continue
            if row is not None:  # quiet long enough: it cleared; this firing is a new freeze
                cleared = int(row["last_signal_ns"]) + int(row["clears_after_s"]) * NS
                uow.actions.update_freeze(row["id"], {"lifted_at_ns": cleared, "lifted_by": "signal cleared"})
            reason = f"rule {rule_id}: {text}"[:500]
            values = {
                "role": key[0], "permission": key[1], "rule_id": rule_id[:64], "version": version,
                "reason": reason, "since_ns": now, "last_signal_ns": now, "clears_after_s": CLEARS_AFTER_S,
                "lifted_at_ns": None, "lifted_by": None,
            }  # fmt: skip
            freeze_id = uow.actions.add_freeze(values)
            details = {"freeze_id": freeze_id, "role": key[0], "permission": key[1], "rule_id": rule_id}
            note = f"冻结：角色「{key[0]}」的权限「{key[1]}」/ froze {key[1]} of role {key[0]} ({reason})"
            uow.rules.audit(
                at_ns=now, actor="rules", role=Role.ADMIN.value, action="freeze", note=note[:1000],
                version=version, details=details,
            )  # fmt: skip
            events.append(Event(FROZEN_EVENT, None, now, details))
    if events:
        uow.outbox.append(events)


class FreezeCache:
    """The open freezes as this process last read them, by (role, permission)."""

    def __init__(self, ttl_s: float = CACHE_TTL_S, now: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._ttl, self._now = ttl_s, now
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}
        self._read_at: float | None = None

    def fresh(self) -> bool:
        with self._lock:
            return self._read_at is not None and self._now() - self._read_at < self._ttl

    def put(self, rows: Iterable[Mapping[str, Any]]) -> None:
        with self._lock:
            self._rows = {(r["role"], r["permission"]): dict(r) for r in rows}
            self._read_at = self._now()

    def get(self, role: str, perm: str) -> dict[str, Any] | None:
        with self._lock:
            return self._rows.get((role, perm))

    def invalidate(self) -> None:
        with self._lock:
            self._read_at = None


def refresh(app: Ordo) -> None:
    """Read the open freezes into the Ordo's cache."""
    with app.store.uow(read_only=True) as uow:
        rows = uow.actions.open_freezes()
    app.caches.freezes.put(rows)


def check(app: Ordo, role: Role, perm: Perm) -> None:
    """Refuse (403 ``permission_frozen``) a permission frozen for this role; the cache must be
    fresh (:func:`refresh` when :meth:`FreezeCache.fresh` says not)."""
    if role is Role.ADMIN:
        return
    row = app.caches.freezes.get(role.value, perm.value)
    if row is None or not in_force(row, app.clock.now_ns()):
        return
    minutes = int(row["clears_after_s"]) // 60
    raise PermissionFrozen(
        f"permission {perm.value} of role {role.value} is frozen by rule {row['rule_id']} "
        f"(freeze #{row['id']}); it clears {minutes} min after the rule last fired, or when an "
        f"operator lifts it / 角色「{role.value}」的权限「{perm.value}」已被规则「{row['rule_id']}」冻结"
        f"（冻结 #{row['id']}）；规则停止触发 {minutes} 分钟后自动解除，或由管理员解除",
        details={
            "freeze_id": row["id"], "rule_id": row["rule_id"], "role": role.value,
            "permission": perm.value, "since_ns": row["since_ns"], "reason": row["reason"],
        },
    )  # fmt: skip


def list_freezes(app: Ordo, limit: int = 200) -> list[dict[str, Any]]:
    now = app.clock.now_ns()
    with app.store.uow(read_only=True) as uow:
        rows = uow.actions.freezes(limit)
    return [{**r, "in_force": in_force(r, now)} for r in rows]


def lift(app: Ordo, actor: Actor, freeze_id: int, *, note: str) -> dict[str, Any]:
    """An operator gives the permission back before the signal clears (audited)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError("note", "say why: a note is required / 请填写解除原因（必填）")

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            row = uow.actions.freeze(freeze_id, lock=True)
            if row is None:
                raise NotFound(f"no freeze {freeze_id} / 冻结记录不存在", details={"freeze_id": freeze_id})
            if row["lifted_at_ns"] is None:
                values = {"lifted_at_ns": now, "lifted_by": actor.shown}
                uow.actions.update_freeze(freeze_id, values)
                row.update(values)
                details = {"freeze_id": freeze_id, "role": row["role"], "permission": row["permission"],
                           "rule_id": row["rule_id"]}  # fmt: skip
                uow.rules.audit(
                    at_ns=now, actor=actor.shown, role=actor.role.value, action="lift_freeze",
                    note=note[:1000], version=row["version"], details=details,
                )  # fmt: skip
                uow.outbox.append([Event(LIFTED_EVENT, None, now, {**details, "by": actor.shown})])
                uow.commit()
        return {**row, "in_force": in_force(row, now)}

    out: dict[str, Any] = app.retrying(work)
    app.caches.freezes.invalidate()
    return out
