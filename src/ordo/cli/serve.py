"""``ordo serve``: the HTTP API, and the background work beside it (``ordo demo`` too).

``ordo serve --workers N`` (N > 1) runs N uvicorn worker processes on the one port
(:mod:`ordo.cli.workers`); each builds its own app from the environment
(:func:`ordo.api.app.from_env`). The background work — events out, the exception
scan with the rule breakers and stock upkeep, the aggregates projector — runs once,
in the supervising process, never per worker: it coordinates through the store, so
it needs no request of its own and must not run twice. Without the workers'
in-process wake-ups it falls back to its idle poll (about a second); so does an SSE
stream for commits made by another worker, and it still sees every event, because
the stream reads the outbox.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Annotated, Any

import typer

from ordo.cli.common import DbOption, open_ordo

#: Open SSE streams never end by themselves; give them this long at shutdown.
GRACE_S = 3
#: Real seconds between exception scans in `ordo serve` and `ordo demo`. Short, because a
#: scan takes the write lock for every event since the last one: every 2 s at 500
#: webhooks/s that held intake up long enough to put a spike in every second of latency.
SCAN_EVERY_S = 0.5


def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes sharing the port / 服务进程数")
    ] = 1,
    db: DbOption = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs)."""
    import uvicorn

    from ordo.api.app import create_app
    from ordo.cli.workers import run_workers
    from ordo.config import Settings
    from ordo.service.runtime.warmup import settle_heap, warm_up

    if db:  # worker processes build their Ordo from the environment
        os.environ["ORDO_DATABASE_URL"] = db
    settings = Settings.from_env()
    ordo = open_ordo(db)  # migrates the schema once, before any worker starts
    app = None
    if workers == 1:  # each worker process warms its own (ordo.api.app.from_env)
        warm_up(ordo)
        app = create_app(ordo, settings)
        settle_heap()
    stop_background = start_background(ordo)
    host, port = host or settings.host, port or settings.port
    status = 0
    try:
        if app is not None:
            uvicorn.run(
                app,
                host=host,
                port=port,
                log_level="warning",
                timeout_graceful_shutdown=GRACE_S,
            )
        else:
            status = run_workers(workers, host, port, GRACE_S)
    finally:
        stop_background()
        ordo.store.dispose()
    if status:
        raise typer.Exit(status)


def start_background(ordo: Any) -> Callable[[], None]:
    """Events out (webhooks; MQTT / NATS when configured), and the exception scan with the
    rule breakers, each in its own thread beside the server; returns the function that
    stops them."""
    from ordo.cli.db import start_projector
    from ordo.config import Settings
    from ordo.service.events.outbound import Worker, start_outbound
    from ordo.service.incidents.scan import scan
    from ordo.service.inventory import stock as inventory
    from ordo.service.rules.breaker import check_breakers

    outbound = start_outbound(ordo)
    stock = inventory.Background(ordo, Settings.from_env().reservation_ttl_minutes)

    def scan_once() -> int:
        scan(ordo)
        check_breakers(ordo)  # a published rule version past its bounds rolls back by itself
        stock.step()  # expire unpaid reservations; publish moved channel stock (库存同步)
        return 0  # paced by the worker's idle wait, whatever the scan found

    scanner = Worker("ordo-exceptions", scan_once, idle_s=SCAN_EVERY_S, close=lambda: None)
    scanner.start()
    aggregates = start_projector(ordo)  # the dashboard's aggregates follow the outbox

    def stop() -> None:
        aggregates.stop()
        scanner.stop()
        outbound.stop()
        scanner.join(5)
        aggregates.join(5)

    return stop
