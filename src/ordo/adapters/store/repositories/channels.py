"""Omnichannel intake's rows: the SKU map, webhook secrets, dead letters, pending updates.

Used inside a unit of work: ``ChannelRepository(uow.connection)``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.rows import chunks, from_csv
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema.channels import (
    channel_dead_letters,
    channel_pending,
    channel_secrets,
    channel_sku_map,
)

DL, P, S, K = channel_dead_letters.c, channel_pending.c, channel_secrets.c, channel_sku_map.c
OPEN, REPLAYED = "open", "replayed"
_ANY_PENDING = sa.select(P.id).limit(1)


class ChannelRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    # SKU map ----------------------------------------------------------------
    def sku_map(self, channel: str) -> dict[str, str]:
        q = sa.select(K.platform_sku, K.ordo_sku).where(K.channel == channel)
        return {r.platform_sku: r.ordo_sku for r in self._c.execute(q)}

    def set_sku(self, channel: str, platform_sku: str, ordo_sku: str, now_ns: int) -> None:
        done = self._c.execute(
            sa.update(channel_sku_map)
            .where(K.channel == channel, K.platform_sku == platform_sku)
            .values(ordo_sku=ordo_sku, updated_at_ns=now_ns)
        )
        if not done.rowcount:
            self._c.execute(
                sa.insert(channel_sku_map).values(
                    channel=channel, platform_sku=platform_sku, ordo_sku=ordo_sku, updated_at_ns=now_ns
                )
            )

    # secrets ----------------------------------------------------------------
    def secret(self, channel: str) -> str | None:
        value: str | None = self._c.execute(sa.select(S.secret).where(S.channel == channel)).scalar()
        return value

    def set_secret(self, channel: str, secret: str, now_ns: int) -> None:
        self._c.execute(sa.delete(channel_secrets).where(S.channel == channel))
        self._c.execute(
            sa.insert(channel_secrets).values(channel=channel, secret=secret, updated_at_ns=now_ns)
        )

    # dead letters -----------------------------------------------------------
    def add_dead_letter(
        self, channel: str, external_id: str | None, body: str, reasons: list[dict[str, str]], now_ns: int
    ) -> int:
        result = self._c.execute(
            sa.insert(channel_dead_letters)
            .values(
                channel=channel,
                external_id=(external_id or None) and external_id[:64],
                body=body,
                reason_code=reasons[0]["code"][:32] if reasons else "unknown",
                reasons=reasons,
                state=OPEN,
                attempts=0,
                received_at_ns=now_ns,
                updated_at_ns=now_ns,
            )
            .returning(DL.id)
        )
        return int(result.scalar_one())

    def dead_letters(
        self,
        *,
        ids: Sequence[int] | None = None,
        state: str | None = OPEN,
        limit: int = 1000,
        channels: Collection[str] | None = None,
    ) -> list[dict[str, Any]]:
        q = sa.select(channel_dead_letters).order_by(DL.id).limit(limit)
        if ids is not None:
            q = q.where(DL.id.in_(list(ids)))
        if channels is not None:
            q = q.where(DL.channel.in_(sorted(channels)))
        if state is not None:
            q = q.where(DL.state == state)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def resolve_dead_letter(self, dl_id: int, order_id: str | None, now_ns: int) -> None:
        self._c.execute(
            sa.update(channel_dead_letters)
            .where(DL.id == dl_id)
            .values(state=REPLAYED, order_id=order_id, attempts=DL.attempts + 1, updated_at_ns=now_ns)
        )

    def retry_failed(self, dl_id: int, reasons: list[dict[str, str]], now_ns: int) -> None:
        self._c.execute(
            sa.update(channel_dead_letters)
            .where(DL.id == dl_id)
            .values(
                reasons=reasons,
                reason_code=reasons[0]["code"][:32] if reasons else "unknown",
                attempts=DL.attempts + 1,
                updated_at_ns=now_ns,
            )
        )

    # updates that came before their order ------------------------------------
    def park(self, channel: str, external_id: str, body: str, now_ns: int) -> None:
        self._c.execute(
            sa.insert(channel_pending).values(
                channel=channel, external_id=external_id[:64], body=body, received_at_ns=now_ns
            )
        )

    def pending_among(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        """Those of ``keys`` (channel, external id) with a parked update. The table is empty
        nearly always, so one constant query answers first and the keyed one runs only if not."""
        if not keys or self._c.execute(_ANY_PENDING).first() is None:
            return set()
        out: set[tuple[str, str]] = set()
        for part in chunks(sorted(set(keys)), 400):
            q = sa.select(P.channel, P.external_id).where(sa.tuple_(P.channel, P.external_id).in_(list(part)))
            out.update((r.channel, r.external_id) for r in self._c.execute(q))
        return out

    def take_pending_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
        """The parked bodies of these orders, oldest first, removed from the table, in one query:
        (channel, external id) → bodies."""
        out: dict[tuple[str, str], list[str]] = {}
        for part in chunks(sorted(set(keys)), 400):
            q = (
                sa.select(P.id, P.channel, P.external_id, P.body)
                .where(sa.tuple_(P.channel, P.external_id).in_(list(part)))
                .order_by(P.id)
            )
            rows = list(self._c.execute(q))
            if rows:
                self._c.execute(sa.delete(channel_pending).where(P.id.in_([r.id for r in rows])))
            for r in rows:
                out.setdefault((r.channel, r.external_id), []).append(r.body)
        return out

    # reads the service needs around an order -------------------------------
    def sku_map_for(self, channel: str, platform_skus: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for part in chunks(sorted(set(platform_skus))):
            q = sa.select(K.platform_sku, K.ordo_sku).where(K.channel == channel, K.platform_sku.in_(part))
            out.update({r.platform_sku: r.ordo_sku for r in self._c.execute(q)})
        return out

    def sku_flags(self, skus: Sequence[str]) -> dict[str, frozenset[str]]:
        """Handling flags of those of ``skus`` that are in the catalogue."""
        out: dict[str, frozenset[str]] = {}
        for part in chunks(sorted(set(skus))):
            q = sa.select(t.skus.c.sku, t.skus.c.flags).where(t.skus.c.sku.in_(part))
            out.update({r.sku: from_csv(r.flags) for r in self._c.execute(q)})
        return out

    def order_states(self, order_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """(status, hold reason) of those of ``order_ids`` that exist."""
        out: dict[str, tuple[str, str | None]] = {}
        for part in chunks(sorted(set(order_ids))):
            o = t.orders.c
            q = sa.select(o.id, o.status, o.hold_reason).where(o.id.in_(part))
            out.update({r.id: (r.status, r.hold_reason) for r in self._c.execute(q)})
        return out
