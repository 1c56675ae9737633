"""Permission freezes, notify channels and deliveries (``schema.actions``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.schema import actions as at

F, C, D = at.permission_freezes.c, at.notify_channels.c, at.notify_deliveries.c
B = at.bot_replies.c


class ActionRepository:
    def __init__(self, conn: sa.Connection, *, lock_rows: bool = False) -> None:
        self._c = conn
        self._lock = lock_rows

    # freezes ------------------------------------------------------------------------
    def open_freezes(self) -> list[dict[str, Any]]:
        q = sa.select(at.permission_freezes).where(F.lifted_at_ns.is_(None)).order_by(F.id)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def freeze(self, freeze_id: int, *, lock: bool = False) -> dict[str, Any] | None:
        q = sa.select(at.permission_freezes).where(F.id == freeze_id)
        if lock and self._lock:
            q = q.with_for_update()
        row = self._c.execute(q).mappings().first()
        return dict(row) if row else None

    def add_freeze(self, row: dict[str, Any]) -> int:
        res = self._c.execute(sa.insert(at.permission_freezes).values(**row).returning(F.id))
        return int(res.scalar_one())

    def update_freeze(self, freeze_id: int, values: dict[str, Any]) -> None:
        self._c.execute(sa.update(at.permission_freezes).where(F.id == freeze_id).values(**values))

    def freezes(self, limit: int = 200) -> list[dict[str, Any]]:
        q = sa.select(at.permission_freezes).order_by(F.id.desc()).limit(limit)
        return [dict(r) for r in self._c.execute(q).mappings()]

    # notify channels ----------------------------------------------------------------
    def channels(self) -> list[dict[str, Any]]:
        q = sa.select(at.notify_channels).order_by(C.name)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def put_channel(self, row: dict[str, Any]) -> None:
        self._c.execute(sa.delete(at.notify_channels).where(C.name == row["name"]))
        self._c.execute(sa.insert(at.notify_channels).values(**row))

    def delete_channel(self, name: str) -> bool:
        return bool(self._c.execute(sa.delete(at.notify_channels).where(C.name == name)).rowcount)

    # deliveries ---------------------------------------------------------------------
    def add_deliveries(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            self._c.execute(sa.insert(at.notify_deliveries), list(rows))

    def add_delivery(self, row: dict[str, Any]) -> int:
        res = self._c.execute(sa.insert(at.notify_deliveries).values(**row).returning(D.id))
        return int(res.scalar_one())

    def due_deliveries(self, now_ns: int, limit: int) -> list[dict[str, Any]]:
        q = (
            sa.select(at.notify_deliveries)
            .where(D.status == "pending", D.next_attempt_ns <= now_ns)
            .order_by(D.id)
            .limit(limit)
        )
        return [dict(r) for r in self._c.execute(q).mappings()]

    def update_deliveries(self, ids: Sequence[int], values: dict[str, Any]) -> None:
        if ids:
            self._c.execute(sa.update(at.notify_deliveries).where(D.id.in_(list(ids))).values(**values))

    def sent_since(self, channel: str, since_ns: int) -> int:
        q = sa.select(sa.func.count()).where(
            D.channel == channel, D.status == "sent", D.sent_at_ns >= since_ns
        )
        return int(self._c.execute(q).scalar_one())

    def deliveries(
        self, *, status: str | None = None, channel: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        q = sa.select(at.notify_deliveries).order_by(D.id.desc()).limit(limit)
        if status is not None:
            q = q.where(D.status == status)
        if channel is not None:
            q = q.where(D.channel == channel)
        return [dict(r) for r in self._c.execute(q).mappings()]

    # chat bot replies ---------------------------------------------------------------
    def add_bot_reply(self, row: dict[str, Any]) -> int:
        res = self._c.execute(sa.insert(at.bot_replies).values(**row).returning(B.id))
        return int(res.scalar_one())

    def due_bot_replies(self, now_ns: int, limit: int) -> list[dict[str, Any]]:
        q = (
            sa.select(at.bot_replies)
            .where(B.status == "pending", B.next_attempt_ns <= now_ns)
            .order_by(B.id)
            .limit(limit)
        )
        return [dict(r) for r in self._c.execute(q).mappings()]

    def update_bot_replies(self, ids: Sequence[int], values: dict[str, Any]) -> None:
        if ids:
            self._c.execute(sa.update(at.bot_replies).where(B.id.in_(list(ids))).values(**values))

    def bot_replies_sent_since(
        self, platform: str, since_ns: int, *, bot: str | None = None, chat: str | None = None
    ) -> int:
        q = sa.select(sa.func.count()).where(
            B.platform == platform, B.status == "sent", B.sent_at_ns > since_ns
        )
        if bot is not None:
            q = q.where(B.bot == bot)
        if chat is not None:
            q = q.where(B.chat == chat)
        return int(self._c.execute(q).scalar_one())

    def bot_replies_deferred(self, platform: str, bot: str, chat: str) -> int:
        q = sa.select(sa.func.count()).where(
            B.platform == platform,
            B.bot == bot,
            B.chat == chat,
            B.status == "pending",
            B.attempts == 0,
        )
        return int(self._c.execute(q).scalar_one())

    def bot_replies(self, *, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        q = sa.select(at.bot_replies).order_by(B.id.desc()).limit(limit)
        if status is not None:
            q = q.where(B.status == status)
        return [dict(r) for r in self._c.execute(q).mappings()]
