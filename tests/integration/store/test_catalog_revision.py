"""The catalog revision token: every write to warehouses, carriers or SKUs moves it (triggers),
on both backends, and the routing cache rebuilds on it and only on it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ordo.adapters.store import open_store
from ordo.adapters.store.repositories.catalog import REVISION_KEY
from ordo.domain.orders.model import Carrier
from ordo.service.inventory.catalog import save_catalog, set_warehouse_active
from tests.conftest import SKUS, STOCK, T0, WAREHOUSES, make_app


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


def _revision(store):
    with store.uow(read_only=True) as uow:
        return uow.catalog.get_meta(REVISION_KEY)


def test_every_kind_of_catalog_write_moves_the_revision_and_stock_writes_do_not(url):
    store = open_store(url)
    try:
        seen = [_revision(store)]
        writes = [
            lambda uow: uow.catalog.save_warehouses(WAREHOUSES),
            lambda uow: uow.catalog.save_skus(SKUS),
            lambda uow: uow.catalog.save_carriers([Carrier("sf", "顺丰 / SF Express")]),
            lambda uow: uow.catalog.set_warehouse_active("WH-SH", False),
            lambda uow: uow.connection.execute(sa.text("UPDATE skus SET weight_g = weight_g + 1")),
            lambda uow: uow.connection.execute(sa.text("DELETE FROM carriers")),
        ]
        for write in writes:
            with store.uow() as uow:
                write(uow)
                uow.commit()
            seen.append(_revision(store))
        assert seen[0] is None and None not in seen[1:]
        assert len(set(seen)) == len(seen)  # each write gave a new token
        with store.uow() as uow:
            uow.stock.set_levels(STOCK)
            uow.commit()
        assert _revision(store) == seen[-1]
    finally:
        store.dispose()


def test_the_routing_cache_reloads_the_catalog_only_when_the_revision_moved(url, clock):
    app = make_app(url, clock)
    try:
        save_catalog(app, warehouses=WAREHOUSES, skus=SKUS, stock=STOCK)
        cache = app.caches.routing
        with app.store.uow() as uow:
            first = cache.catalog(uow, T0)
            assert cache.catalog(uow, T0) is first
        set_warehouse_active(app, "WH-SH", False)
        with app.store.uow() as uow:
            second = cache.catalog(uow, T0)
        assert second is not first
        assert not second.network.warehouses[second.network.w_index["WH-SH"]].active
        with app.store.uow() as uow:  # by hand, past the service: the triggers still see it
            uow.connection.execute(sa.text("UPDATE skus SET weight_g = weight_g * 2"))
            uow.commit()
        with app.store.uow() as uow:
            third = cache.catalog(uow, T0)
        assert third.weights_g["SKU-TEA"] == 2 * second.weights_g["SKU-TEA"]
    finally:
        app.store.dispose()
