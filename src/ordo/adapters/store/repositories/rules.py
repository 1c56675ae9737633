"""Rule governance rows: drafts, immutable versions, the one state row, audit, live outcomes.

Plain dicts in and out; the service decides. ``state(lock=True)`` takes the state row
``FOR UPDATE`` on PostgreSQL (SQLite's BEGIN IMMEDIATE already serialises writers), so
two publishes or a publish and a breaker rollback never interleave.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.rows import bulk_insert
from ordo.adapters.store.schema import rules as rt

D, V, S, AU, OC = rt.rule_drafts.c, rt.rule_versions.c, rt.rule_state.c, rt.rule_audit.c, rt.rule_outcomes.c
RB = rt.rule_rollbacks.c


class RuleRepository:
    def __init__(self, conn: sa.Connection, *, lock_rows: bool) -> None:
        self._c = conn
        self._lock = lock_rows

    # drafts -------------------------------------------------------------------
    def add_draft(self, **values: Any) -> int:
        res = self._c.execute(sa.insert(rt.rule_drafts).values(**values).returning(D.id))
        return int(res.scalar_one())

    def draft(self, draft_id: int, *, lock: bool = False) -> dict[str, Any] | None:
        q = sa.select(rt.rule_drafts).where(D.id == draft_id)
        if lock and self._lock:
            q = q.with_for_update()
        row = self._c.execute(q).mappings().first()
        return dict(row) if row else None

    def drafts(self, *, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        q = sa.select(rt.rule_drafts).order_by(D.id.desc()).limit(limit)
        if status:
            q = q.where(D.status == status)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def update_draft(self, draft_id: int, **values: Any) -> None:
        self._c.execute(sa.update(rt.rule_drafts).where(D.id == draft_id).values(**values))

    # versions -----------------------------------------------------------------
    def add_version(self, **values: Any) -> None:
        self._c.execute(sa.insert(rt.rule_versions).values(**values))

    def version(self, version: int) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(rt.rule_versions).where(V.version == version)).mappings().first()
        return dict(row) if row else None

    def versions(self, limit: int = 100) -> list[dict[str, Any]]:
        q = sa.select(rt.rule_versions).order_by(V.version.desc()).limit(limit)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def last_version(self) -> int:
        return int(self._c.execute(sa.select(sa.func.coalesce(sa.func.max(V.version), 0))).scalar_one())

    # state --------------------------------------------------------------------
    def state(self, *, lock: bool = False) -> dict[str, Any]:
        q = sa.select(rt.rule_state).where(S.id == 1)
        if lock and self._lock:
            q = q.with_for_update()
        return dict(self._c.execute(q).mappings().one())

    def revision(self) -> int:
        return int(self._c.execute(sa.select(S.revision).where(S.id == 1)).scalar_one())

    def set_state(self, now_ns: int, **values: Any) -> None:
        """Rewrite the state row and bump its revision (caches elsewhere see they are stale)."""
        self._c.execute(
            sa.update(rt.rule_state)
            .where(S.id == 1)
            .values(revision=S.revision + 1, updated_at_ns=now_ns, **values)
        )

    # audit --------------------------------------------------------------------
    def audit(
        self,
        *,
        at_ns: int,
        actor: str,
        role: str,
        action: str,
        note: str,
        draft_id: int | None = None,
        version: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self._c.execute(
            sa.insert(rt.rule_audit).values(
                at_ns=at_ns,
                actor=actor,
                role=role,
                action=action,
                note=note,
                draft_id=draft_id,
                version=version,
                details=details or {},
            )
        )

    def audit_log(
        self, *, draft_id: int | None = None, version: int | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        q = sa.select(rt.rule_audit).order_by(AU.id.desc()).limit(limit)
        if draft_id is not None:
            q = q.where(AU.draft_id == draft_id)
        if version is not None:
            q = q.where(AU.version == version)
        return [dict(r) for r in self._c.execute(q).mappings()]

    # rollbacks waiting for approval ---------------------------------------------
    def add_rollback(self, **values: Any) -> int:
        res = self._c.execute(sa.insert(rt.rule_rollbacks).values(**values).returning(RB.id))
        return int(res.scalar_one())

    def rollback_request(self, request_id: int, *, lock: bool = False) -> dict[str, Any] | None:
        q = sa.select(rt.rule_rollbacks).where(RB.id == request_id)
        if lock and self._lock:
            q = q.with_for_update()
        row = self._c.execute(q).mappings().first()
        return dict(row) if row else None

    def rollback_requests(self, *, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        q = sa.select(rt.rule_rollbacks).order_by(RB.id.desc()).limit(limit)
        if status:
            q = q.where(RB.status == status)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def update_rollback(self, request_id: int, **values: Any) -> None:
        self._c.execute(sa.update(rt.rule_rollbacks).where(RB.id == request_id).values(**values))

    # live outcomes ------------------------------------------------------------
    def record_outcomes(self, rows: Sequence[dict[str, Any]]) -> None:
        """One row per order: version, canary?, held, discount, incident flag, fired rule ids."""
        bulk_insert(self._c, rt.rule_outcomes, rows)

    def outcome_metrics(self, version: int, since_ns: int) -> dict[str, int]:
        """Orders the version decided since ``since_ns``: count, held, incidents, discount sum,
        and orders whose discount was withheld by the version's budget."""
        one = sa.literal(1)
        q = sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((OC.held, one), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((OC.exception, one), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(OC.discount_fen), 0),
            sa.func.coalesce(sa.func.sum(sa.case((OC.over_budget, one), else_=0)), 0),
        ).where(OC.version == version, OC.at_ns >= since_ns)
        n, held, exc, disc, over = self._c.execute(q).one()
        return {
            "orders": int(n),
            "held": int(held),
            "exceptions": int(exc),
            "discount_fen": int(disc),
            "over_budget": int(over),
        }
