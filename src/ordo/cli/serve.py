"""``ordo serve``: the HTTP API, and the background work beside it (``ordo demo`` too).

``ordo serve --workers N`` (N > 1) runs N uvicorn worker processes on the one port
(:mod:`ordo.cli.workers`: a dead worker is restarted with backoff, a crash loop is
reported in ``/healthz``, SIGTERM drains); each builds its own app from the environment
(:func:`ordo.api.app.from_env`). The background work — events out, the incident
scan with the rule breakers and stock upkeep, the aggregates projector: the Ordo's
:class:`~ordo.service.runtime.background.Background` — runs once, in the supervising
process, never per worker: it coordinates through the store, so
it needs no request of its own and must not run twice. Across several ``ordo serve``
nodes on one PostgreSQL each duty runs on the node holding its lease
(:mod:`ordo.service.runtime.background`). Without the workers'
in-process wake-ups it falls back to its idle poll (about a second); so does an SSE
stream for commits made by another worker, and it still sees every event, because
the stream reads the outbox.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ordo.cli.common import DbOption, open_ordo

#: Open SSE streams never end by themselves; give them this long at shutdown.
GRACE_S = 3


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
    from ordo.cli.http_limits import server_options
    from ordo.cli.workers import run_workers
    from ordo.service.runtime.warmup import settle_heap, warm_up

    if db:  # worker processes build their Ordo from the environment
        os.environ["ORDO_DATABASE_URL"] = db
    ordo = open_ordo(db)  # migrates the schema once, before any worker starts
    settings = ordo.settings
    app = None
    if workers == 1:  # each worker process warms its own (ordo.api.app.from_env)
        warm_up(ordo)
        app = create_app(ordo, settings)
        settle_heap()
    ordo.background.start()
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
                **server_options(settings),
            )
        else:
            status = run_workers(workers, host, port, GRACE_S, lambda: {"duties": ordo.background.duties()})
    finally:
        ordo.background.stop()
        ordo.store.dispose()
    if status:
        raise typer.Exit(status)
