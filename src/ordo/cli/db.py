"""``ordo db …``: the schema (``upgrade``), the dashboard's aggregates (``rebuild-aggregates``),
the facts questions read (``rebuild-analytics``) and the customers' statistics the rules read
(``rebuild-customer-stats``).

The dashboard's aggregates and tag index (:mod:`ordo.service.events.projector`) follow the
outbox by themselves (the ``projector`` job of ``ordo.background``, started by ``ordo serve``);
a recount is needed only after orders were loaded beside Ordo.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console

from ordo.cli.common import DbOption, open_ordo

db_app = typer.Typer(help="Database schema / 数据库", no_args_is_help=True)
console = Console(stderr=True)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Create or migrate the schema to the newest revision."""
    ordo = open_ordo(db)
    console.print(f"schema at revision {ordo.store.revision()} ({ordo.store.dialect})")


@db_app.command("rebuild-aggregates")
def rebuild_aggregates(db: Annotated[str | None, typer.Option("--db", help="Database URL")] = None) -> None:
    """Recount the dashboard's aggregates from the stored orders (after a bulk load outside Ordo)."""
    from ordo.service.events.projector import rebuild

    ordo = open_ordo(db)
    try:
        sys.stdout.write(json.dumps(rebuild(ordo)) + "\n")
    finally:
        ordo.store.dispose()


@db_app.command("rebuild-analytics")
def rebuild_analytics(db: DbOption = None) -> None:
    """Recompute the facts questions (问数) read from the stored orders: after a bulk load outside
    Ordo (an upgraded database is backfilled by itself on its first catch-up)."""
    from ordo.service.insight.facts import rebuild

    ordo = open_ordo(db)
    try:
        sys.stdout.write(json.dumps(rebuild(ordo)) + "\n")
    finally:
        ordo.store.dispose()


@db_app.command("rebuild-customer-stats")
def rebuild_customer_stats(db: DbOption = None) -> None:
    """Recount each customer's orders, spend and returns (客户累计消费, 首单 …) from the stored
    orders: once after upgrading a database that had orders, or after a bulk load outside Ordo."""
    from ordo.service.customers.stats import rebuild

    ordo = open_ordo(db)
    try:
        sys.stdout.write(json.dumps({"customers": rebuild(ordo)}) + "\n")
    finally:
        ordo.store.dispose()
