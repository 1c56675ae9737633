"""``ordo db rebuild-customer-stats``: orders loaded beside Ordo count in the customers'
statistics (客户累计消费, 客户订单数, 首单) after it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ordo.adapters.store.repositories.order_rows import ORDER_COLUMNS, order_tuples_of
from ordo.adapters.store.rows import bulk_insert
from ordo.adapters.store.schema import core as t
from ordo.cli import app as cli
from ordo.domain.orders.model import AcceptedOrder
from ordo.service.customers.stats import customer_stats
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, new_order


def test_a_bulk_load_is_counted_after_rebuild_customer_stats(world: Ordo, sqlite_url: str) -> None:
    loaded = [AcceptedOrder(new_order(f"BULK-{i}"), "paid", None, None, T0 + i) for i in range(3)]
    rows = [dict(zip(ORDER_COLUMNS, r, strict=True)) for r in order_tuples_of(loaded)[0]]
    for i, row in enumerate(rows):
        row.update(id=f"OB{i:018d}")
    with world.store.uow() as uow:
        bulk_insert(uow.connection, t.orders, rows)  # beside the service: no statistics
        uow.commit()
    assert customer_stats(world, "C-1")["orders"] == 0

    done = CliRunner().invoke(cli, ["db", "rebuild-customer-stats", "--db", sqlite_url])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"customers": 1}
    after = customer_stats(world, "C-1")
    assert after["orders"] == 3 and after["spend_fen"] == sum(r["total_fen"] for r in rows)
    assert after["next_is_first_order"] is False and after["return_rate"] == 0.0
