"""The API's micro-batchers: concurrent webhooks and single-order submissions share transactions.

Created when the app starts and closed (flushing what is queued) when it stops, in
:func:`lifespan`; routes reach them through :func:`webhooks` and :func:`orders`. An
app that was never started (a bare ``create_app`` without its lifespan) has none,
and the routes then do the same work one request at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from ordo.domain.errors import ValidationError
from ordo.service.channels.intake import Push, receive_batch
from ordo.service.channels.receive import Receipt
from ordo.service.orders.intake import IntakeRequest, IntakeResult, Replayed, intake_requests
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.batcher import Batcher, Outcomes, isolate

#: Longest a lone webhook waits for company; under load batches fill while the worker is
#: busy anyway. Order submission does not wait at all: API clients often send one request
#: at a time, and each would pay the whole wait for a batch of one.
WEBHOOK_WAIT_S = 0.002
#: While webhooks arrive together, gather them this long: every batch pays intake's fixed
#: cost (reads, a transaction, routing context) once, so fuller batches leave the
#: process's one interpreter lock more time for HTTP, at a few ms of added latency.
WEBHOOK_LINGER_S = 0.010
ORDER_WAIT_S = 0.0
#: Most requests per transaction: bigger batches add latency to every request in them.
MAX_ITEMS = 64

WebhookBatcher = Batcher[Push, Receipt]
OrderBatcher = Batcher[IntakeRequest, "list[IntakeResult] | ValidationError | Replayed"]


def _orders(ordo: Ordo) -> OrderBatcher:
    def handle(
        requests: Sequence[IntakeRequest],
    ) -> Outcomes[list[IntakeResult] | ValidationError | Replayed]:
        # One transaction for all; if it fails, bisect so only the request it belongs to fails.
        return isolate(lambda rs: intake_requests(ordo, rs), requests)

    return Batcher(handle, max_items=MAX_ITEMS, max_wait_s=ORDER_WAIT_S, name="orders")


def _webhooks(ordo: Ordo) -> WebhookBatcher:
    def handle(pushes: Sequence[Push]) -> Outcomes[Receipt]:
        return receive_batch(ordo, pushes)  # isolates failures itself, stage by stage

    return Batcher(
        handle, max_items=MAX_ITEMS, max_wait_s=WEBHOOK_WAIT_S, linger_s=WEBHOOK_LINGER_S, name="webhooks"
    )


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    ordo: Ordo = app.state.ordo
    app.state.webhook_batcher = hooks = _webhooks(ordo)
    app.state.order_batcher = orders = _orders(ordo)
    try:
        yield
    finally:
        # After the server stopped taking requests: what is queued is still answered.
        hooks.close()
        orders.close()
        app.state.webhook_batcher = app.state.order_batcher = None


def webhooks(request: Request) -> WebhookBatcher | None:
    found: WebhookBatcher | None = getattr(request.app.state, "webhook_batcher", None)
    return found


def orders(request: Request) -> OrderBatcher | None:
    found: OrderBatcher | None = getattr(request.app.state, "order_batcher", None)
    return found
