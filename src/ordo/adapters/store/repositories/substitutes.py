"""Substitute SKUs (``sku_substitutes``): a small table, read whole or by SKU, upserted by key.

Upserts are delete-then-insert by (sku, substitute, channel), portable to both backends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.rows import chunks
from ordo.adapters.store.schema.inventory import sku_substitutes
from ordo.domain.inventory.substitutes import Substitute
from ordo.service.ports.inventory import SubstituteRow

S = sku_substitutes.c


def _row(r: Any) -> SubstituteRow:
    return SubstituteRow(
        Substitute(r.sku, r.substitute, int(r.ratio), r.channel, int(r.priority)),
        int(r.updated_at_ns),
        r.updated_by,
    )


class SubstituteRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    def rows(self, skus: Iterable[str] | None = None) -> list[SubstituteRow]:
        """Every row, or the rows of these SKUs; by SKU, priority, channel, substitute."""
        q = sa.select(sku_substitutes).order_by(S.sku, S.priority, S.channel, S.substitute)
        if skus is None:
            return [_row(r) for r in self._c.execute(q)]
        out: list[SubstituteRow] = []
        for part in chunks(sorted(set(skus))):
            out.extend(_row(r) for r in self._c.execute(q.where(S.sku.in_(part))))
        return sorted(out, key=lambda r: (r.item.sku, r.item.priority, r.item.channel, r.item.substitute))

    def save(self, items: Sequence[Substitute], now_ns: int, by: str) -> None:
        for s in items:
            self._c.execute(
                sa.delete(sku_substitutes).where(
                    S.sku == s.sku, S.substitute == s.substitute, S.channel == s.channel
                )
            )
        if items:
            self._c.execute(
                sa.insert(sku_substitutes),
                [
                    {
                        "sku": s.sku,
                        "substitute": s.substitute,
                        "channel": s.channel,
                        "ratio": s.ratio,
                        "priority": s.priority,
                        "updated_at_ns": now_ns,
                        "updated_by": by[:64],
                    }
                    for s in items
                ],
            )

    def delete(self, sku: str, substitute: str, channel: str) -> bool:
        done = self._c.execute(
            sa.delete(sku_substitutes).where(S.sku == sku, S.substitute == substitute, S.channel == channel)
        )
        return bool(done.rowcount)
