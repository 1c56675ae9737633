"""Channel stock rules and the quantities last published to each channel (库存同步).

Rules are a small table read whole; published quantities are read per SKU set and
replaced per (channel, SKU) key. Upserts are delete-then-insert, portable to both
backends; two syncs racing on PostgreSQL end in a unique violation, which the store
reports as a conflict and the service retries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.rows import chunks
from ordo.adapters.store.schema.inventory import channel_stock_published, channel_stock_rules
from ordo.domain.inventory.stock import ChannelRule, SyncChange

R, P = channel_stock_rules.c, channel_stock_published.c
_RULE_FIELDS = ("buffer_pct", "buffer_units", "exclusive", "zero_below", "threshold")


def _rule(r: Any) -> ChannelRule:
    return ChannelRule(r.channel, r.sku, r.buffer_pct, r.buffer_units, r.exclusive, r.zero_below, r.threshold)


def _delete_keys(conn: sa.Connection, table: sa.Table, keys: Sequence[tuple[str, str]]) -> None:
    c = table.c
    by_channel: dict[str, list[str]] = {}
    for channel, sku in keys:
        by_channel.setdefault(channel, []).append(sku)
    for channel, skus in sorted(by_channel.items()):
        for part in chunks(sorted(set(skus))):
            conn.execute(sa.delete(table).where(c.channel == channel, c.sku.in_(part)))


class ChannelStockRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    # rules ------------------------------------------------------------------
    def rules(self, channel: str | None = None) -> list[ChannelRule]:
        q = sa.select(channel_stock_rules).order_by(R.channel, R.sku)
        if channel is not None:
            q = q.where(R.channel == channel)
        return [_rule(r) for r in self._c.execute(q)]

    def save_rules(self, rules: Sequence[ChannelRule], now_ns: int) -> None:
        if not rules:
            return
        _delete_keys(self._c, channel_stock_rules, [(r.channel, r.sku) for r in rules])
        rows = [
            {
                "channel": r.channel,
                "sku": r.sku,
                **{f: getattr(r, f) for f in _RULE_FIELDS},
                "updated_at_ns": now_ns,
            }
            for r in rules
        ]
        self._c.execute(sa.insert(channel_stock_rules), rows)

    def delete_rule(self, channel: str, sku: str) -> bool:
        done = self._c.execute(sa.delete(channel_stock_rules).where(R.channel == channel, R.sku == sku))
        return bool(done.rowcount)

    # published quantities ---------------------------------------------------
    def published(self, skus: Iterable[str] | None = None) -> dict[tuple[str, str], int]:
        """Last published quantity per (channel, SKU); all of them when ``skus`` is None."""
        q = sa.select(P.channel, P.sku, P.quantity)
        if skus is None:
            return {(c, s): int(n) for c, s, n in self._c.execute(q)}
        out: dict[tuple[str, str], int] = {}
        for part in chunks(sorted(set(skus))):
            out.update({(c, s): int(n) for c, s, n in self._c.execute(q.where(P.sku.in_(part)))})
        return out

    def publish(self, found: Sequence[SyncChange], now_ns: int) -> None:
        if not found:
            return
        _delete_keys(self._c, channel_stock_published, [(c.channel, c.sku) for c in found])
        rows = [
            {"channel": c.channel, "sku": c.sku, "quantity": c.quantity, "published_at_ns": now_ns}
            for c in found
        ]
        for part in chunks(rows, 400):
            self._c.execute(sa.insert(channel_stock_published), list(part))

    def forget(self, keys: Sequence[tuple[str, str]]) -> None:
        """Drop published quantities no rule covers any more (the channel is not synced)."""
        _delete_keys(self._c, channel_stock_published, keys)
