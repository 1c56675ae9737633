"""Migration 0015_canonical_places: orders, warehouses, the tag index and the overview's
counts stored with short names (上海, 江苏 / 南京) are rewritten to full canonical names
from their adcode, on SQLite and PostgreSQL; names the registry does not know stay."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext

from ordo.adapters.store.engine import chain, migration_scripts
from ordo.clock import ManualClock
from ordo.service.events.overview import snapshot
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders.intake import intake
from tests.conftest import SKUS, STOCK, WAREHOUSES, make_app, new_order

REVISION = "0015_canonical_places"


def _sql(conn: sa.Connection, text: str, **params: Any) -> Any:
    return conn.execute(sa.text(text), params)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_short_names_stored_before_the_fix_are_rewritten_in_full(
    backend: str, request: pytest.FixtureRequest, clock: ManualClock
) -> None:
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    app = make_app(url, clock)
    try:
        save_catalog(app, warehouses=WAREHOUSES, skus=SKUS, stock=STOCK)
        sh, js, gx = intake(
            app,
            [
                new_order("M-SH", province="上海市", city="上海市", district="浦东新区"),
                new_order("M-JS", province="江苏省", city="南京市", district=""),
                new_order("M-GX", province="广西壮族自治区", city="南宁市", district=""),
            ],
        )
        snapshot(app)  # the overview has projected them
        with app.store.uow() as uow:
            conn = uow.connection
            # As intake stored them before it canonicalised, and a projector before it folded.
            _sql(conn, "UPDATE orders SET province = '上海', city = '上海' WHERE id = :i", i=sh.order_id)
            _sql(conn, "UPDATE orders SET province = '江苏', city = '南京' WHERE id = :i", i=js.order_id)
            _sql(
                conn,
                "UPDATE orders SET province = '广西', city = '某地', adcode = NULL WHERE id = :i",
                i=gx.order_id,
            )
            _sql(conn, "UPDATE overview_counts SET key = '上海' WHERE dim = 'province' AND key = '上海市'")
            _sql(conn, "INSERT INTO overview_counts (dim, key, n) VALUES ('province', '上海市', 4)")
            _sql(conn, "UPDATE warehouses SET province = '上海', city = '上海' WHERE id = 'WH-SH'")
            _sql(
                conn,
                "INSERT INTO order_tags (tag, order_id, channel, province, created_at_ns) "
                "VALUES ('vip', :i, 'tmall', '上海', 0)",
                i=sh.order_id,
            )
            uow.commit()

        # The revision's own upgrade, run over those rows (later revisions are already applied).
        script = next(s for s in chain(migration_scripts()) if s.revision == REVISION)
        with (
            app.store.engine.begin() as conn,
            Operations.context(MigrationContext.configure(connection=conn)),
        ):
            script.module.upgrade()

        with app.store.uow(read_only=True) as uow:
            conn = uow.connection
            names = {
                r[0]: tuple(r[1:])
                for r in _sql(conn, "SELECT id, province, city, district, adcode FROM orders").all()
            }
            assert names[sh.order_id] == ("上海市", "上海市", "浦东新区", "310115")
            assert names[js.order_id] == ("江苏省", "南京市", "", "320100")
            assert names[gx.order_id] == ("广西壮族自治区", "某地", "", None)  # no adcode: the province only
            counts = dict(_sql(conn, "SELECT key, n FROM overview_counts WHERE dim = 'province'").all())
            assert counts["上海市"] == 5 and "上海" not in counts
            assert _sql(conn, "SELECT province, city FROM warehouses WHERE id = 'WH-SH'").one() == (
                "上海市",
                "上海市",
            )
            assert _sql(conn, "SELECT province FROM order_tags WHERE tag = 'vip'").scalar_one() == "上海市"
    finally:
        app.store.dispose()
