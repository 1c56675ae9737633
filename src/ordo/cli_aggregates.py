"""``ordo db rebuild-aggregates`` and the projector thread ``ordo serve`` / ``ordo demo`` run.

The dashboard's aggregates and tag index (:mod:`ordo.service.projector`) follow the
outbox by themselves; a recount is needed only after orders were loaded beside Ordo.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from ordo.cli_common import open_ordo

#: Real seconds the projector thread waits when it found nothing new.
IDLE_S = 2.0


def rebuild_aggregates(db: Annotated[str | None, typer.Option("--db", help="Database URL")] = None) -> None:
    """Recount the dashboard's aggregates from the stored orders (after a bulk load outside Ordo)."""
    from ordo.service.projector import rebuild

    ordo = open_ordo(db)
    try:
        sys.stdout.write(json.dumps(rebuild(ordo)) + "\n")
    finally:
        ordo.store.dispose()


def start_projector(ordo: Any) -> Any:
    """A started thread applying new outbox events to the aggregates; ``stop()`` / ``join()`` it."""
    from ordo.service.outbound import Worker
    from ordo.service.projector import catch_up

    worker = Worker("ordo-aggregates", lambda: catch_up(ordo), idle_s=IDLE_S, close=lambda: None)
    worker.start()
    return worker
