"""Users, sessions and failed sign-ins; the channel of an order or a dead letter (scope checks)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.repositories.channels import OPEN
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema.channels import channel_dead_letters
from ordo.adapters.store.schema.people import login_failures, sessions, users

U, S, F, K = users.c, sessions.c, login_failures.c, t.api_keys.c
DL = channel_dead_letters.c
#: What a listing shows of a user: never the password hash.
_SHOWN = (U.id, U.login, U.display_name, U.role, U.scope, U.disabled, U.created_at_ns)


class PeopleRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    # users ------------------------------------------------------------------------------
    def add_user(self, **values: Any) -> None:
        self._c.execute(sa.insert(users).values(**values))

    def user(self, user_id: str) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(users).where(U.id == user_id)).mappings().first()
        return dict(row) if row else None

    def user_by_login(self, login: str) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(users).where(U.login == login)).mappings().first()
        return dict(row) if row else None

    def users(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._c.execute(sa.select(*_SHOWN).order_by(U.login)).mappings()]

    def names(self, logins: Collection[str]) -> dict[str, str]:
        if not logins:
            return {}
        q = sa.select(U.login, U.display_name).where(U.login.in_(list(logins)))
        return {r.login: r.display_name for r in self._c.execute(q)}

    def update_user(self, user_id: str, **values: Any) -> bool:
        return self._c.execute(sa.update(users).where(U.id == user_id).values(**values)).rowcount == 1

    def keys_of(self, user_id: str) -> list[str]:
        return list(self._c.execute(sa.select(K.id).where(K.user_id == user_id)).scalars())

    # sessions ---------------------------------------------------------------------------
    def add_session(self, **values: Any) -> None:
        self._c.execute(sa.insert(sessions).values(**values))

    def session(self, token_hash: str) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(sessions).where(S.token_hash == token_hash)).mappings().first()
        return dict(row) if row else None

    def end_session(self, token_hash: str, now_ns: int) -> None:
        self._c.execute(
            sa.update(sessions)
            .where(S.token_hash == token_hash, S.ended_at_ns.is_(None))
            .values(ended_at_ns=now_ns)
        )

    def prune_sessions(self, user_id: str, now_ns: int) -> int:
        res = self._c.execute(
            sa.delete(sessions).where(
                S.user_id == user_id, sa.or_(S.ended_at_ns.is_not(None), S.expires_at_ns <= now_ns)
            )
        )
        return int(res.rowcount)

    def end_sessions_of(self, user_id: str, now_ns: int) -> int:
        res = self._c.execute(
            sa.update(sessions)
            .where(S.user_id == user_id, S.ended_at_ns.is_(None))
            .values(ended_at_ns=now_ns)
        )
        return int(res.rowcount)

    # failed sign-ins --------------------------------------------------------------------
    def failures(self, login: str) -> dict[str, Any] | None:
        row = self._c.execute(sa.select(login_failures).where(F.login == login)).mappings().first()
        return dict(row) if row else None

    def set_failures(self, login: str, failures: int, window_start_ns: int) -> None:
        done = self._c.execute(
            sa.update(login_failures)
            .where(F.login == login)
            .values(failures=failures, window_start_ns=window_start_ns)
        )
        if done.rowcount == 0:
            self._c.execute(
                sa.insert(login_failures).values(
                    login=login, failures=failures, window_start_ns=window_start_ns
                )
            )

    def prune_failures(self, before_ns: int) -> int:
        return int(self._c.execute(sa.delete(login_failures).where(F.window_start_ns < before_ns)).rowcount)

    def clear_failures(self, login: str) -> None:
        self._c.execute(sa.delete(login_failures).where(F.login == login))

    # scope lookups ----------------------------------------------------------------------
    def order_channels(self, order_ids: Sequence[str]) -> dict[str, str]:
        if not order_ids:
            return {}
        o = t.orders.c
        q = sa.select(o.id, o.channel).where(o.id.in_(list(set(order_ids))))
        return {r.id: r.channel for r in self._c.execute(q)}

    def order_keys(self, order_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        if not order_ids:
            return {}
        o = t.orders.c
        q = sa.select(o.id, o.channel, o.external_id).where(o.id.in_(list(set(order_ids))))
        return {r.id: (r.channel, r.external_id) for r in self._c.execute(q)}

    def dead_letter_channels(self, ids: Sequence[int] | None, *, open_only: bool) -> dict[int, str]:
        q = sa.select(DL.id, DL.channel)
        if ids is not None:
            q = q.where(DL.id.in_(list(set(ids))))
        if open_only:
            q = q.where(DL.state == OPEN)
        return {int(r.id): r.channel for r in self._c.execute(q)}
