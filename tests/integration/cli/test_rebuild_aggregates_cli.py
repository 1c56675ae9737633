"""``ordo db rebuild-aggregates``: orders loaded outside Ordo show on the overview after it."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from ordo.adapters.store.repositories.order_rows import ORDER_COLUMNS, order_tuples_of
from ordo.adapters.store.repositories.orders import OrderFilter
from ordo.adapters.store.rows import bulk_insert
from ordo.adapters.store.schema import core as t
from ordo.cli import app as cli
from ordo.domain.orders.model import AcceptedOrder
from ordo.service.events.overview import snapshot
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, new_order


def test_a_bulk_load_is_counted_after_rebuild_aggregates(world: Ordo, sqlite_url: str) -> None:
    assert snapshot(world)["total_orders"] == 0
    loaded = [AcceptedOrder(new_order(f"BULK-{i}", channel="jd"), "paid", None, None, T0) for i in range(3)]
    rows = [dict(zip(ORDER_COLUMNS, r, strict=True)) for r in order_tuples_of(loaded)[0]]
    for i, row in enumerate(rows):
        row.update(id=f"OB{i:018d}", tags=["vip"])
    with world.store.uow() as uow:
        bulk_insert(uow.connection, t.orders, rows)  # beside the service: no events
        uow.commit()
    assert snapshot(world)["total_orders"] == 0

    done = CliRunner().invoke(cli, ["db", "rebuild-aggregates", "--db", sqlite_url])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["cursor"] >= 0
    after = snapshot(world)
    assert after["total_orders"] == 3 and after["by_channel"] == {"jd": 3}
    with world.store.uow(read_only=True) as uow:
        tagged = uow.orders.search(OrderFilter(tag="vip", channel="jd"))
    assert sorted(r["id"] for r in tagged) == [r["id"] for r in rows]
