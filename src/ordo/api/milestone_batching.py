"""Micro-batchers for milestone and status-update requests: concurrent requests, one transaction.

Every request that reports milestones or statuses is a write transaction, and on
SQLite writers take turns at one lock: four requests arriving together used to
queue in SQLite's busy handler, whose sleeps (up to 100 ms each) made the slow tail
of ``POST /api/v1/milestones``. Here they queue in-process instead, and a request
that arrives while a transaction runs is folded into the next one (like orders and
webhooks in :mod:`ordo.api.batching`). Results are exactly those of the requests
run one after another in arrival order.

The routes are ``async``: they await the batcher's answer rather than hold a
worker thread for it, and answer with orjson-encoded bytes.

Each router starts its batcher in its own lifespan (FastAPI merges a router's
lifespan into the app's); an app that was never started has none, and the route
then runs its request alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, TypeVar

import orjson
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from ordo.service.runtime.app import Ordo
from ordo.service.runtime.batcher import Batcher, isolate

I = TypeVar("I")
R = TypeVar("R")

#: The service function behind a batcher: several requests' items in, results per request out.
Work = Callable[[Ordo, Sequence[Sequence[I]]], list[list[R]]]
#: Most requests per transaction; each may carry up to ``max_batch`` updates.
MAX_REQUESTS = 16
#: Answers with more results than this are rendered in a worker thread, not on the event
#: loop that every other request and stream shares.
RENDER_INLINE = 64


def lifespan(name: str, work: Work[I, R]) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A router lifespan that keeps ``app.state.<name>_batcher`` while the app runs."""

    @asynccontextmanager
    async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
        ordo: Ordo = app.state.ordo

        def handle(requests: Sequence[Sequence[I]]) -> list[list[R] | BaseException]:
            # One transaction for all; if it fails, bisect so only its own request fails.
            return isolate(lambda rs: work(ordo, rs), requests)

        batcher: Batcher[Sequence[I], list[R]] = Batcher(
            handle, max_items=MAX_REQUESTS, max_wait_s=0.0, name=name
        )
        setattr(app.state, f"{name}_batcher", batcher)
        try:
            yield
        finally:
            batcher.close()  # after the server stopped taking requests: what is queued is answered
            setattr(app.state, f"{name}_batcher", None)

    return _lifespan


async def run(request: Request, name: str, ordo: Ordo, items: Sequence[I], work: Work[I, R]) -> list[R]:
    """Run ``items`` through the app's batcher, or alone in a worker thread if it has none.

    The route awaits the batcher's future on the event loop: no worker thread is held
    while the transaction runs.
    """
    batcher: Batcher[Sequence[I], list[R]] | None = getattr(request.app.state, f"{name}_batcher", None)
    if batcher is None:
        [results] = await run_in_threadpool(work, ordo, [items])
        return list(results)
    return await asyncio.wrap_future(batcher.submit(items))


async def respond(render: Callable[[], dict[str, Any]], size: int) -> Response:
    """The JSON answer, encoded with orjson; a large one is built off the event loop."""
    if size > RENDER_INLINE:
        body = await run_in_threadpool(lambda: orjson.dumps(render()))
    else:
        body = orjson.dumps(render())
    return Response(body, media_type="application/json")
