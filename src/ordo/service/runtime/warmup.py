"""Server start-up: build what the first requests would build, then set the heap aside.

Two things made the tail of ``ordo bench channels`` (webhook → visible, 500/s):

* the first requests of a fresh server built caches lazily (the rule book snapshot and
  its compiled rule set, the Lark parser, the routing catalog, SQLAlchemy's compiled
  statements). :func:`warm_up` builds them from the real store before the server
  accepts a connection; it only reads, except the routing network row that the first
  intake would save anyway, and it works on an empty database.
* CPython's full (generation 2) garbage collections walk every tracked object — the
  whole start-up heap of caches, FastAPI routes, SQLAlchemy metadata — and stopped the
  server for 150–250 ms about every 1.3 s under load (7–12 ms each once frozen).
  :func:`settle_heap` moves the start-up heap into the permanent generation (:func:`gc.freeze`), so those
  collections only walk what requests created since.

Both are for server processes only (``ordo serve`` and each of its ``--workers``);
in-process apps (tests, ``ordo demo``) and the other CLI commands never call them.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ordo.service.runtime.app import Ordo

#: An order id no order has: a read that compiles the statement and finds nothing.
_NO_SUCH_ORDER = "warmup-no-such-order"


def warm_up(app: Ordo) -> None:
    """Build the caches of the intake and order-read paths of ``app``."""
    from ordo.rules.language.parser import lark_parser
    from ordo.service.orders import queries

    lark_parser()  # ~36 ms on first use
    app.caches.rulebook.snapshot()  # the live rule sets, compiled
    cache = app.caches.routing
    with app.store.uow() as uow:
        cache.catalog(uow, app.clock.now_ns())  # may save the network row, as intake would
        uow.orders.existing([("warmup", _NO_SUCH_ORDER)])  # the webhook's idempotency read
        uow.commit()
    queries.get_order(app, _NO_SUCH_ORDER)  # GET /orders/{id}


def settle_heap() -> None:
    """Collect once, then keep everything alive now out of later collections."""
    gc.collect()
    gc.freeze()
