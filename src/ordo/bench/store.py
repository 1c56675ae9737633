"""A bench's store: the database given, or a temporary SQLite file, filled to a number of orders."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ordo.bench.backtest import NS, T0
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.service.runtime.app import Ordo


@dataclass(frozen=True, slots=True)
class Seeded:
    app: Ordo
    settings: Settings
    db: str
    #: Orders the store held before the bench filled it.
    had: int
    #: Seconds the fill took (0 when the store already held enough).
    seed_s: float


@contextlib.contextmanager
def seeded_store(
    name: str, orders: int, db: str | None, fill: Callable[[Ordo, int], float]
) -> Iterator[Seeded]:
    """Open ``db`` (default: a temporary SQLite file named after the bench) a month after the
    seeded orders, add ``fill(app, missing)`` orders unless it holds ``orders`` already, and
    close it (and remove the temporary file) at the end."""
    from ordo.bootstrap import bootstrap

    tmp = None
    if db is None:
        tmp = tempfile.TemporaryDirectory(prefix=f"ordo-bench-{name}-")
        db = f"sqlite:///{Path(tmp.name) / f'{name}.db'}"
    settings = Settings(database_url=db)
    app = bootstrap(settings, clock=ManualClock(T0 + 31 * 86_400 * NS))
    try:
        with app.store.uow(read_only=True) as uow:
            had = uow.catalog.count("orders")
        seed_s = fill(app, orders - had) if had < orders else 0.0
        yield Seeded(app, settings, db, had, seed_s)
    finally:
        app.store.dispose()
        if tmp is not None:
            tmp.cleanup()
