"""The order workbench's searches: the list's filters plus exact lookups by platform order
number, recipient phone (by its keyed hash only), recipient name and SKU (indexes of
``schema.worklist``), a count that stops at a cap, product names, and saved views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ordo.adapters.store.repositories.orders import SUMMARY_COLUMNS, in_region, summaries
from ordo.adapters.store.schema import core as t
from ordo.adapters.store.schema import overview as ot
from ordo.adapters.store.schema import worklist as wt
from ordo.service.ports.orders import OrderSummary
from ordo.service.ports.worklist import WorkFilter

O, L, V = t.orders.c, t.order_lines.c, wt.saved_views.c


def _where(q: sa.Select[Any], f: WorkFilter) -> sa.Select[Any]:
    b = f.base
    for column, value in (
        (O.status, b.status),
        (O.channel, b.channel),
        (O.warehouse_id, b.warehouse_id),
        (O.customer_ref, b.customer_ref),
        (O.province, b.province),
        (O.external_id, f.external_id),
        (O.id, f.order_id),
        (O.recipient_phone_key, f.phone_key),
        (O.recipient_name, f.recipient),
    ):
        if value is not None:
            q = q.where(column == value)
    if b.region is not None:
        q = q.where(in_region(b.region, O.province))
    if b.channels is not None:
        q = q.where(O.channel.in_(sorted(b.channels)))
    if b.created_from_ns is not None:
        q = q.where(O.created_at_ns >= b.created_from_ns)
    if b.created_to_ns is not None:
        q = q.where(O.created_at_ns < b.created_to_ns)
    if f.sku is not None:
        q = q.where(O.id.in_(sa.select(L.order_id).where(L.sku == f.sku)))
    if b.tag is not None:
        g = ot.order_tags.c
        q = q.where(O.id.in_(sa.select(g.order_id).where(g.tag == b.tag)))
    if f.held is True:
        q = q.where(O.hold_reason.is_not(None))
    elif f.held is False:
        q = q.where(O.hold_reason.is_(None))
    return q


class WorklistRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    def search(self, f: WorkFilter, *, after_id: str | None, limit: int) -> list[OrderSummary]:
        q = _where(sa.select(*SUMMARY_COLUMNS), f).order_by(O.id.desc()).limit(limit)
        if after_id is not None:
            q = q.where(O.id < after_id)
        return summaries(self._c.execute(q))

    def rows(
        self, f: WorkFilter, columns: Sequence[str], *, after_id: str | None, limit: int
    ) -> list[tuple[Any, ...]]:
        """Plain tuples of ``columns`` (``id`` first), newest first: an export's reads, without
        a mapping per row."""
        q = _where(sa.select(*[t.orders.c[c] for c in columns]), f).order_by(O.id.desc()).limit(limit)
        if after_id is not None:
            q = q.where(O.id < after_id)
        return [tuple(r) for r in self._c.execute(q)]

    def count(self, f: WorkFilter, cap: int) -> int:
        inner = _where(sa.select(O.id), f).limit(cap + 1).subquery()
        return int(self._c.execute(sa.select(sa.func.count()).select_from(inner)).scalar_one())

    def sku_names(self, skus: list[str]) -> dict[str, str]:
        if not skus:
            return {}
        q = sa.select(t.skus.c.sku, t.skus.c.name).where(t.skus.c.sku.in_(sorted(set(skus))))
        return {sku: name for sku, name in self._c.execute(q)}

    def views(self, owner: str) -> list[dict[str, Any]]:
        q = sa.select(V.name, V.query, V.updated_at_ns).where(V.owner == owner).order_by(V.name)
        return [dict(r) for r in self._c.execute(q).mappings()]

    def save_view(self, owner: str, name: str, query: dict[str, str], now_ns: int) -> None:
        done = self._c.execute(
            sa.update(wt.saved_views)
            .where(V.owner == owner, V.name == name)
            .values(query=query, updated_at_ns=now_ns)
        )
        if done.rowcount == 0:
            self._c.execute(
                sa.insert(wt.saved_views).values(owner=owner, name=name, query=query, updated_at_ns=now_ns)
            )

    def delete_view(self, owner: str, name: str) -> bool:
        done = self._c.execute(sa.delete(wt.saved_views).where(V.owner == owner, V.name == name))
        return bool(done.rowcount)
