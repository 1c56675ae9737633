"""Writes to the catalog: warehouses, carriers, SKUs, customers, stock levels.

Used by the world generator, by operators (stock takes) and by tests; like every
write it goes through one unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ordo.domain.geo import canonical_province
from ordo.domain.orders.model import Carrier, Customer, Sku, Stock, Warehouse
from ordo.service.channels.receive import resolver_for
from ordo.service.runtime.app import Ordo


def save_catalog(
    app: Ordo,
    *,
    warehouses: Iterable[Warehouse] = (),
    carriers: Iterable[Carrier] = (),
    skus: Iterable[Sku] = (),
    customers: Iterable[Customer] = (),
    stock: Iterable[Stock] = (),
    meta: dict[str, str] | None = None,
) -> None:
    """Insert or replace catalog entries, all in one transaction. Places are stored by their
    full names (a warehouse's from its adcode, a carrier's provinces: 新疆 → 新疆维吾尔自治区)."""
    with app.store.uow() as uow:
        uow.catalog.save_warehouses([_in_full(app, w) for w in warehouses])
        uow.catalog.save_carriers(
            [replace(c, coverage=frozenset(map(canonical_province, c.coverage))) for c in carriers]
        )
        uow.catalog.save_skus(skus)
        uow.catalog.save_customers(customers)
        uow.stock.set_levels(stock)
        for key, value in (meta or {}).items():
            uow.catalog.set_meta(key, value)
        uow.commit()


def _in_full(app: Ordo, w: Warehouse) -> Warehouse:
    found = resolver_for(app.divisions).canonical(w.adcode)
    if found is None:
        return replace(w, province=canonical_province(w.province))
    return replace(w, province=found.province, city=found.city)


def set_warehouse_active(app: Ordo, warehouse_id: str, active: bool) -> bool:
    with app.store.uow() as uow:
        found = uow.catalog.set_warehouse_active(warehouse_id, active)
        uow.commit()
    return found
