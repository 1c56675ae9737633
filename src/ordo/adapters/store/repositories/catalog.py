"""Warehouses, carriers, SKUs, customers and key/value metadata."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from ordo.adapters.store.rows import chunks, from_csv, to_csv
from ordo.adapters.store.schema import core as t
from ordo.domain.orders.model import Carrier, Customer, CustomerTier, Sku, Warehouse, WarehouseClass

#: The ``meta`` key whose value changes with every write to warehouses, carriers or SKUs
#: (kept by triggers: migration ``0002_catalog_revision``).
REVISION_KEY = "catalog.revision"
_REVISION = sa.select(t.meta.c.value).where(t.meta.c.key == REVISION_KEY)


def _upsert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, object]]) -> None:
    """Insert or replace by primary key, portably: delete the keys, then insert."""
    if not rows:
        return
    pk = next(iter(table.primary_key.columns))
    for part in chunks([r[pk.name] for r in rows]):
        conn.execute(sa.delete(table).where(pk.in_(part)))
    conn.execute(sa.insert(table), rows)


class CatalogRepository:
    def __init__(self, conn: sa.Connection) -> None:
        self._c = conn

    # warehouses -------------------------------------------------------------
    def save_warehouses(self, items: Iterable[Warehouse]) -> None:
        _upsert(
            self._c,
            t.warehouses,
            [
                {
                    "id": w.id,
                    "name": w.name,
                    "province": w.province,
                    "city": w.city,
                    "adcode": w.adcode,
                    "lat": w.lat,
                    "lng": w.lng,
                    "klass": w.klass.value,
                    "capabilities": to_csv(w.capabilities),
                    "daily_capacity": w.daily_capacity,
                    "active": w.active,
                }
                for w in items
            ],
        )

    def warehouses(self) -> list[Warehouse]:
        rows = self._c.execute(sa.select(t.warehouses).order_by(t.warehouses.c.id))
        return [
            Warehouse(
                id=r.id,
                name=r.name,
                province=r.province,
                city=r.city,
                adcode=r.adcode,
                lat=r.lat,
                lng=r.lng,
                klass=WarehouseClass(r.klass),
                capabilities=from_csv(r.capabilities),
                daily_capacity=r.daily_capacity,
                active=bool(r.active),
            )
            for r in rows
        ]

    def set_warehouse_active(self, warehouse_id: str, active: bool) -> bool:
        res = self._c.execute(
            sa.update(t.warehouses).where(t.warehouses.c.id == warehouse_id).values(active=active)
        )
        return res.rowcount == 1

    # carriers ---------------------------------------------------------------
    def save_carriers(self, items: Iterable[Carrier]) -> None:
        _upsert(
            self._c,
            t.carriers,
            [
                {
                    "id": c.id,
                    "name": c.name,
                    "coverage": to_csv(c.coverage),
                    "capabilities": to_csv(c.capabilities),
                    "daily_capacity": c.daily_capacity,
                    "base_fen": c.base_fen,
                    "per_kg_fen": c.per_kg_fen,
                }
                for c in items
            ],
        )

    def carriers(self) -> list[Carrier]:
        rows = self._c.execute(sa.select(t.carriers).order_by(t.carriers.c.id))
        return [
            Carrier(
                id=r.id,
                name=r.name,
                coverage=from_csv(r.coverage),
                capabilities=from_csv(r.capabilities),
                daily_capacity=r.daily_capacity,
                base_fen=r.base_fen,
                per_kg_fen=r.per_kg_fen,
            )
            for r in rows
        ]

    # SKUs -------------------------------------------------------------------
    def save_skus(self, items: Iterable[Sku]) -> None:
        _upsert(
            self._c,
            t.skus,
            [
                {
                    "sku": s.sku,
                    "name": s.name,
                    "category": s.category,
                    "price_fen": s.price_fen,
                    "weight_g": s.weight_g,
                    "flags": to_csv(s.flags),
                }
                for s in items
            ],
        )

    def known_skus(self, candidates: Iterable[str]) -> set[str]:
        wanted = sorted(set(candidates))
        found: set[str] = set()
        for part in chunks(wanted):
            found.update(self._c.execute(sa.select(t.skus.c.sku).where(t.skus.c.sku.in_(part))).scalars())
        return found

    def skus(self, limit: int | None = None, category: str | None = None) -> list[Sku]:
        q = sa.select(t.skus).order_by(t.skus.c.sku)
        if category:
            q = q.where(t.skus.c.category == category)
        if limit:
            q = q.limit(limit)
        return [
            Sku(
                sku=r.sku,
                name=r.name,
                category=r.category,
                price_fen=r.price_fen,
                weight_g=r.weight_g,
                flags=from_csv(r.flags),
            )
            for r in self._c.execute(q)
        ]

    # customers --------------------------------------------------------------
    def save_customers(self, items: Iterable[Customer]) -> None:
        _upsert(
            self._c,
            t.customers,
            [{"ref": c.ref, "name": c.name, "tier": c.tier.value, "phone": c.phone} for c in items],
        )

    def customers(self, refs: Sequence[str]) -> dict[str, Customer]:
        out: dict[str, Customer] = {}
        for part in chunks(sorted(set(refs))):
            for r in self._c.execute(sa.select(t.customers).where(t.customers.c.ref.in_(part))):
                out[r.ref] = Customer(r.ref, r.name, CustomerTier(r.tier), r.phone)
        return out

    def count(self, table: str) -> int:
        return int(
            self._c.execute(sa.select(sa.func.count()).select_from(t.metadata.tables[table])).scalar_one()
        )

    # metadata ---------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        return self._c.execute(sa.select(t.meta.c.value).where(t.meta.c.key == key)).scalar()

    def set_meta(self, key: str, value: str) -> None:
        _upsert(self._c, t.meta, [{"key": key, "value": value}])

    def revision(self) -> str | None:
        """The catalog's revision token: one primary-key read (routing asks once a batch).
        None when the catalog was never written since the migration (or ``meta`` was wiped);
        a later write moves it away from that."""
        value: str | None = self._c.execute(_REVISION).scalar()
        return value
