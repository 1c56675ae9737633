"""``ordo db …``: the schema (``upgrade``) and the dashboard's aggregates (``rebuild-aggregates``).

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
