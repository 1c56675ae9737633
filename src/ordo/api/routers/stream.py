"""Server-sent events: the outbox, live, filtered by order, channel and event type.

Each SSE message's ``id:`` is the outbox id, so a client that reconnects with
``Last-Event-ID`` (browsers do it by themselves) resumes exactly where it left.
Without one, the stream starts at the present; ``last_event_id=0`` replays all.

Every stream of a process is fed by one reader of the outbox
(:mod:`ordo.api.stream_hub`): it reads once when this process commits and every
20 ms otherwise (commits of other processes and nodes), whatever the number of
clients, and each client gets the rows its filters keep. A client behind the
reader's window, or filtering by region, reads for itself until level again.
Nothing holds a database connection while it waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from ordo.api.deps import OrdoDep, Reader
from ordo.api.routers import API_PREFIX
from ordo.api.schemas import FilterText
from ordo.api.stream_hub import Client, Hub, hub_for, message
from ordo.domain.errors import ValidationError
from ordo.domain.events import EVENT_TYPES
from ordo.domain.orders.model import Channel
from ordo.service.runtime.app import Ordo

router = APIRouter(prefix=API_PREFIX, tags=["stream"])

#: Events a client reading for itself reads per round trip; a backlog drains in batches of this size.
BATCH = 200
#: Client reconnection delay the stream asks for, in milliseconds.
RETRY_MS = 2000


def _types(values: list[str] | None) -> list[str]:
    wanted = [t.strip() for v in values or () for t in v.split(",") if t.strip()]
    for t in wanted:
        if t not in EVENT_TYPES:
            raise ValidationError(
                "type",
                f"unknown event type {t[:40]!r} / 未知事件类型",
                details={"allowed": list(EVENT_TYPES)},
            )
    return wanted


@router.get(
    "/stream",
    summary="Live events (text/event-stream)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    request: Request,
    ordo: OrdoDep,
    principal: Reader,
    order_id: Annotated[FilterText | None, Query()] = None,
    channel: Channel | None = None,
    event_types: Annotated[
        list[str] | None, Query(alias="type", description="event types, repeated or comma-separated")
    ] = None,
    region: Annotated[FilterText | None, Query(description="province, e.g. 浙江")] = None,
    last_event_id: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    last_event_id_header: Annotated[int | None, Header(alias="Last-Event-ID", ge=0, le=2**62)] = None,
) -> StreamingResponse:
    types = _types(event_types)
    start = last_event_id_header if last_event_id_header is not None else last_event_id
    if start is None:
        start = await anyio.to_thread.run_sync(_last_id, ordo)
    heartbeat_s: float = request.app.state.stream_heartbeat_s
    hub = hub_for(request.app.state, ordo)
    if principal.scope.shops:  # events are not filtered by shop: a shop's caller reads none
        principal.unbound_only("the event stream / 事件流")
    chan = principal.read_channel(channel.value if channel else None, "read events")
    within = principal.scope.channels if chan is None and principal.scope.channels else None
    events = _events(ordo, start, order_id, chan, types, heartbeat_s, region, hub, within)
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _last_id(ordo: Ordo) -> int:
    with ordo.store.uow(read_only=True) as uow:
        return uow.outbox.last_id()


def _read(
    ordo: Ordo, after: int, order_id: str | None, channel: str | None, types: list[str], region: str | None
) -> list[dict[str, Any]]:
    with ordo.store.uow(read_only=True) as uow:
        return uow.outbox.after(
            after, limit=BATCH, order_id=order_id, channel=channel, types=types, region=region
        )


async def _events(
    ordo: Ordo,
    cursor: int,
    order_id: str | None,
    channel: str | None,
    types: list[str],
    heartbeat_s: float,
    region: str | None,
    hub: Hub,
    within: frozenset[str] | None = None,
) -> AsyncIterator[bytes]:
    client = Client(
        cursor, order_id, channel, frozenset(types), region=bool(region), sent=cursor, within=within
    )
    hub.join(client)
    try:
        yield b"retry: %d\n\n" % RETRY_MS
        last_sent = time.monotonic()
        while True:
            # Cleared before reading, so a delivery during the read triggers another round.
            client.wake.clear()
            chunk = b""
            if client.behind:
                rows = await anyio.to_thread.run_sync(
                    _read, ordo, client.cursor, order_id, channel, types, region
                )
                if rows:
                    client.cursor = client.sent = rows[-1]["id"]
                    chunk = b"".join([message(row) for row in rows if client.wants(row)])
                if not region and len(rows) < BATCH:
                    hub.catch_up(client)  # level with the hub's window again: back to it
            got = None if client.behind else client.take()
            if got is not None:
                chunk += got[1]
            if chunk:
                # One write for the batch: each chunk is an ASGI message through every
                # middleware and a socket write, which per event cost more than the event.
                yield chunk
                last_sent = time.monotonic()
                if client.behind and not region:
                    continue  # a backlog: keep draining before waiting
            wait_s = max(0.0, heartbeat_s - (time.monotonic() - last_sent))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(client.wake.wait(), wait_s)
            if time.monotonic() - last_sent >= heartbeat_s:
                # A comment line: keeps proxies from closing an idle stream and
                # lets the server notice a client that has gone.
                yield b": keep-alive\n\n"
                last_sent = time.monotonic()
    finally:
        hub.leave(client)
