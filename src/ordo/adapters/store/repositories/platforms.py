"""Platform shops, pull cursors, pulled orders and shipment confirmations.

Used inside a unit of work: ``PlatformRepository(uow.connection)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

import sqlalchemy as sa

from ordo.adapters.store.rows import chunks
from ordo.adapters.store.schema.core import order_lines
from ordo.adapters.store.schema.platforms import (
    platform_listings,
    platform_orders,
    platform_pull_cursors,
    platform_shipments,
    platform_shops,
    platform_stock_pushes,
)
from ordo.service.ports.platforms import (
    ListingRecord,
    PlatformLine,
    ShipmentRecord,
    ShopRecord,
    StockPushRecord,
)

S, C, O, P = platform_shops.c, platform_pull_cursors.c, platform_orders.c, platform_shipments.c
L, Q = platform_listings.c, platform_stock_pushes.c
PENDING, ACKED, DEAD = "pending", "acked", "dead"


class PlatformRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    # shops -----------------------------------------------------------------
    def add_shop(self, shop: ShopRecord) -> bool:
        """Insert a shop; False if one with that id exists already."""
        if self._c.execute(sa.select(S.id).where(S.id == shop["id"])).first() is not None:
            return False
        self._c.execute(sa.insert(platform_shops).values(**shop))
        return True

    def shops(self, channel: str | None = None) -> list[ShopRecord]:
        q = sa.select(platform_shops).order_by(S.channel, S.id)
        if channel is not None:
            q = q.where(S.channel == channel)
        return [cast(ShopRecord, dict(r)) for r in self._c.execute(q).mappings()]

    def shop(self, shop_id: str) -> ShopRecord | None:
        row = self._c.execute(sa.select(platform_shops).where(S.id == shop_id)).mappings().first()
        return cast(ShopRecord, dict(row)) if row is not None else None

    def rotate(
        self, shop_id: str, *, app_key: str | None, app_secret: str | None, session: str | None, now_ns: int
    ) -> int | None:
        """New credentials for a shop (those given); its new version, or None if no such shop."""
        values: dict[str, object] = {"version": S.version + 1, "updated_at_ns": now_ns}
        for name, value in (("app_key", app_key), ("app_secret", app_secret), ("session", session)):
            if value is not None:
                values[name] = value
        done = self._c.execute(sa.update(platform_shops).where(S.id == shop_id).values(**values))
        if not done.rowcount:
            return None
        version = self._c.execute(sa.select(S.version).where(S.id == shop_id)).scalar_one()
        return int(version)

    def versions(self) -> dict[str, int]:
        return {r.id: int(r.version) for r in self._c.execute(sa.select(S.id, S.version))}

    # pulling ---------------------------------------------------------------
    def cursor(self, shop_id: str) -> tuple[int, int] | None:
        row = self._c.execute(sa.select(C.cursor_ns, C.pulled).where(C.shop_id == shop_id)).first()
        return (int(row.cursor_ns), int(row.pulled)) if row is not None else None

    def commit_page(self, shop_id: str, cursor_ns: int, keys: Sequence[tuple[str, str]], now_ns: int) -> int:
        """Remember which shop these orders came from and move the shop's cursor (never back).

        Returns how many of ``keys`` were new to this table."""
        known = self.shops_of(keys)
        fresh = [k for k in dict.fromkeys(keys) if k not in known]
        if fresh:
            self._c.execute(
                sa.insert(platform_orders),
                [
                    {"channel": ch, "external_id": ext, "shop_id": shop_id, "pulled_at_ns": now_ns}
                    for ch, ext in fresh
                ],
            )
        found = self.cursor(shop_id)
        if found is None:
            self._c.execute(
                sa.insert(platform_pull_cursors).values(
                    shop_id=shop_id, cursor_ns=cursor_ns, pulled=len(fresh), updated_at_ns=now_ns
                )
            )
        else:
            self._c.execute(
                sa.update(platform_pull_cursors)
                .where(C.shop_id == shop_id)
                .values(
                    cursor_ns=sa.func.max(C.cursor_ns, cursor_ns)
                    if self._c.dialect.name == "sqlite"
                    else sa.func.greatest(C.cursor_ns, cursor_ns),
                    pulled=C.pulled + len(fresh),
                    updated_at_ns=now_ns,
                )
            )
        return len(fresh)

    def shops_of(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        wanted = list(dict.fromkeys(keys))
        out: dict[tuple[str, str], str] = {}
        for part in chunks(wanted, 400):
            cond = sa.tuple_(O.channel, O.external_id).in_(part)
            for r in self._c.execute(sa.select(O.channel, O.external_id, O.shop_id).where(cond)):
                out[(r.channel, r.external_id)] = r.shop_id
        return out

    # write-back --------------------------------------------------------------
    def add_shipments(self, rows: Sequence[ShipmentRecord]) -> int:
        """Insert the shipments not recorded yet (one per order and waybill); how many were new."""
        if not rows:
            return 0
        keys = [(r["order_id"], r.get("kind", "ship"), r["waybill"]) for r in rows]
        known: set[tuple[str, str, str]] = set()
        for part in chunks(keys, 300):
            cond = sa.tuple_(P.order_id, P.kind, P.waybill).in_(part)
            known |= {
                (r.order_id, r.kind, r.waybill)
                for r in self._c.execute(sa.select(P.order_id, P.kind, P.waybill).where(cond))
            }
        fresh: dict[tuple[str, str, str], dict[str, object]] = {}
        for r in rows:
            key = (r["order_id"], r.get("kind", "ship"), r["waybill"])
            if key not in known and key not in fresh:
                fresh[key] = {k: v for k, v in r.items() if k != "id"}
        if fresh:
            self._c.execute(sa.insert(platform_shipments), list(fresh.values()))
        return len(fresh)

    def due_shipments(self, now_ns: int, limit: int = 200) -> list[ShipmentRecord]:
        q = (
            sa.select(platform_shipments)
            .where(P.state == PENDING, P.next_at_ns <= now_ns)
            .order_by(P.next_at_ns, P.id)
            .limit(limit)
        )
        return [cast(ShipmentRecord, dict(r)) for r in self._c.execute(q).mappings()]

    def shipments(
        self, *, state: str | None = None, order_id: str | None = None, limit: int = 100
    ) -> list[ShipmentRecord]:
        q = sa.select(platform_shipments).order_by(P.id).limit(limit)
        if state is not None:
            q = q.where(P.state == state)
        if order_id is not None:
            q = q.where(P.order_id == order_id)
        return [cast(ShipmentRecord, dict(r)) for r in self._c.execute(q).mappings()]

    def shipment_acked(self, ids: Sequence[int], now_ns: int) -> None:
        for part in chunks(list(ids), 400):
            self._c.execute(
                sa.update(platform_shipments)
                .where(P.id.in_(part), P.state != ACKED)
                .values(state=ACKED, acked_at_ns=now_ns, last_error="", updated_at_ns=now_ns)
            )

    def shipment_failed(
        self, shipment_id: int, *, attempts: int, next_at_ns: int, error: str, dead: bool, now_ns: int
    ) -> None:
        self._c.execute(
            sa.update(platform_shipments)
            .where(P.id == shipment_id, P.state == PENDING)
            .values(
                state=DEAD if dead else PENDING,
                attempts=attempts,
                next_at_ns=next_at_ns,
                last_error=error[:400],
                updated_at_ns=now_ns,
            )
        )

    def replay_shipments(self, ids: Sequence[int] | None, now_ns: int) -> int:
        q = sa.update(platform_shipments).where(P.state == DEAD)
        if ids is not None:
            q = q.where(P.id.in_(list(ids)))
        done = self._c.execute(q.values(state=PENDING, attempts=0, next_at_ns=now_ns, updated_at_ns=now_ns))
        return int(done.rowcount or 0)

    def overdue(self, before_ns: int, limit: int = 500) -> list[ShipmentRecord]:
        """Unacknowledged shipments due before ``before_ns`` with no incident raised yet."""
        q = (
            sa.select(platform_shipments)
            .where(P.state != ACKED, P.sla_raised.is_(False), P.due_at_ns <= before_ns, P.kind == "ship")
            .order_by(P.due_at_ns)
            .limit(limit)
        )
        return [cast(ShipmentRecord, dict(r)) for r in self._c.execute(q).mappings()]

    def mark_sla_raised(self, ids: Sequence[int]) -> None:
        for part in chunks(list(ids), 400):
            self._c.execute(sa.update(platform_shipments).where(P.id.in_(part)).values(sla_raised=True))

    def shipment_counts(self) -> dict[str, int]:
        q = sa.select(P.state, sa.func.count()).group_by(P.state)
        return {str(state): int(n) for state, n in self._c.execute(q)}

    def platform_lines(self, order_ids: Iterable[str]) -> dict[str, list[PlatformLine]]:
        """Each order's lines as the platform knows them (its line id, quantity, warehouse)."""
        out: dict[str, list[PlatformLine]] = {}
        ln = order_lines.c
        for part in chunks(sorted(set(order_ids)), 400):
            q = (
                sa.select(ln.order_id, ln.line_no, ln.platform_line_id, ln.quantity, ln.warehouse_id)
                .where(ln.order_id.in_(part))
                .order_by(ln.order_id, ln.line_no)
            )
            for r in self._c.execute(q):
                out.setdefault(r.order_id, []).append(
                    PlatformLine(r.line_no, r.platform_line_id, r.quantity, r.warehouse_id)
                )
        return out

    # stock sync ------------------------------------------------------------------
    def set_listings(self, rows: Sequence[ListingRecord]) -> None:
        """Insert or replace listings (by shop, item and platform SKU id)."""
        for row in rows:
            key = (L.shop_id == row["shop_id"], L.item_id == row["item_id"])
            self._c.execute(
                sa.delete(platform_listings).where(*key, L.platform_sku_id == row["platform_sku_id"])
            )
            self._c.execute(sa.insert(platform_listings).values(**row))

    def listings(self, shop_id: str | None = None, skus: Sequence[str] | None = None) -> list[ListingRecord]:
        q = sa.select(platform_listings).order_by(L.shop_id, L.sku, L.item_id, L.platform_sku_id)
        if shop_id is not None:
            q = q.where(L.shop_id == shop_id)
        out: list[ListingRecord] = []
        for part in chunks(sorted(set(skus)), 400) if skus is not None else [None]:
            qq = q if part is None else q.where(L.sku.in_(part))
            out += [cast(ListingRecord, dict(r)) for r in self._c.execute(qq).mappings()]
        return out

    def want_stock(self, rows: Sequence[StockPushRecord]) -> None:
        """The latest quantity each listing should show: replaces what was wanted before
        (pending, acknowledged or dead), due at the row's ``next_at_ns``."""
        for row in rows:
            self._c.execute(
                sa.delete(platform_stock_pushes).where(
                    Q.shop_id == row["shop_id"],
                    Q.item_id == row["item_id"],
                    Q.platform_sku_id == row["platform_sku_id"],
                )
            )
            self._c.execute(sa.insert(platform_stock_pushes).values(**row))

    def due_stock(self, now_ns: int, limit: int = 500) -> list[StockPushRecord]:
        q = (
            sa.select(platform_stock_pushes)
            .where(Q.state == PENDING, Q.next_at_ns <= now_ns)
            .order_by(Q.next_at_ns, Q.shop_id)
            .limit(limit)
        )
        return [cast(StockPushRecord, dict(r)) for r in self._c.execute(q).mappings()]

    def stock_pushes(self, *, state: str | None = None, limit: int = 1000) -> list[StockPushRecord]:
        q = sa.select(platform_stock_pushes).order_by(Q.shop_id, Q.sku, Q.item_id).limit(limit)
        if state is not None:
            q = q.where(Q.state == state)
        return [cast(StockPushRecord, dict(r)) for r in self._c.execute(q).mappings()]

    def stock_done(
        self,
        row: StockPushRecord,
        *,
        state: str,
        attempts: int,
        next_at_ns: int,
        error: str,
        now_ns: int,
    ) -> bool:
        """Record an answer for the quantity sent; False (nothing written) when a newer
        quantity was wanted meanwhile: that one is still to be sent."""
        done = self._c.execute(
            sa.update(platform_stock_pushes)
            .where(
                Q.shop_id == row["shop_id"],
                Q.item_id == row["item_id"],
                Q.platform_sku_id == row["platform_sku_id"],
                Q.quantity == row["quantity"],
                Q.state == PENDING,
                Q.updated_at_ns == row["updated_at_ns"],
            )
            .values(
                state=state,
                attempts=attempts,
                next_at_ns=next_at_ns,
                acked_at_ns=now_ns if state == ACKED else None,
                last_error=error[:400],
                updated_at_ns=max(now_ns, row["updated_at_ns"] + 1),
            )
        )
        return bool(done.rowcount)

    def replay_stock(self, now_ns: int) -> int:
        done = self._c.execute(
            sa.update(platform_stock_pushes)
            .where(Q.state == DEAD)
            .values(state=PENDING, attempts=0, next_at_ns=now_ns, updated_at_ns=now_ns)
        )
        return int(done.rowcount or 0)
