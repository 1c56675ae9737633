"""API keys (stored hashed) and idempotency records."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ordo.adapters.store.schema import core as t

K, I = t.api_keys.c, t.idempotency_keys.c


class AccessRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    def add_key(
        self,
        key_id: str,
        name: str,
        role: str,
        key_hash: str,
        now_ns: int,
        *,
        user_id: str | None = None,
        scope: dict[str, Any] | None = None,
    ) -> None:
        self._c.execute(
            sa.insert(t.api_keys).values(
                id=key_id,
                name=name,
                role=role,
                key_hash=key_hash,
                created_at_ns=now_ns,
                user_id=user_id,
                scope=scope,
            )
        )

    def key(self, key_id: str) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(t.api_keys).where(K.id == key_id)).mappings().first()
        return dict(row) if row else None

    def keys(self) -> list[dict[str, Any]]:
        q = sa.select(K.id, K.name, K.role, K.user_id, K.scope, K.created_at_ns, K.revoked_at_ns).order_by(
            K.id
        )
        return [dict(r) for r in self._c.execute(q).mappings()]

    def revoke_key(self, key_id: str, now_ns: int) -> bool:
        res = self._c.execute(
            sa.update(t.api_keys)
            .where(K.id == key_id, K.revoked_at_ns.is_(None))
            .values(revoked_at_ns=now_ns)
        )
        return res.rowcount == 1

    def idempotent(self, key: str) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(t.idempotency_keys).where(I.key == key)).mappings().first()
        return dict(row) if row else None

    def claim(self, key: str, request_hash: str, now_ns: int) -> bool:
        """Take ``key`` for this transaction's request; :meth:`answer` fills in its answer
        before the commit, so nobody ever reads the placeholder. False when another request
        holds it (PostgreSQL first waits for a transaction that holds it uncommitted)."""
        insert = postgresql.insert if self._c.dialect.name == "postgresql" else sqlite.insert
        q = insert(t.idempotency_keys).values(
            key=key, request_hash=request_hash, status_code=0, response={}, created_at_ns=now_ns
        )
        claimed = q.on_conflict_do_nothing(index_elements=["key"]).returning(I.key)
        return self._c.execute(claimed).first() is not None

    def answer(self, key: str, status_code: int, response: Any) -> None:
        """The answer to the request that claimed ``key``, in the request's own transaction."""
        self._c.execute(
            sa.update(t.idempotency_keys)
            .where(I.key == key)
            .values(status_code=status_code, response=response)
        )

    def remember(self, key: str, request_hash: str, status_code: int, response: Any, now_ns: int) -> None:
        self._c.execute(
            sa.insert(t.idempotency_keys).values(
                key=key,
                request_hash=request_hash,
                status_code=status_code,
                response=response,
                created_at_ns=now_ns,
            )
        )
