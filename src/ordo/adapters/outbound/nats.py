"""NATS JetStream publisher (nats-py): stream ``ORDO_EVENTS``, subject ``ordo.events.<type>``.

Each message carries ``Nats-Msg-Id: <outbox id>``, so JetStream itself drops the
duplicates a retry after an outage may send (within its de-duplication window).
The async client runs on this publisher's own event loop: call it from one thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from ordo.adapters.outbound.envelope import PublishFailed, body
from ordo.extras import missing

try:
    import nats
    from nats.aio.client import Client
    from nats.errors import Error as NatsError
    from nats.js.errors import BadRequestError
except ModuleNotFoundError as e:  # the ordo[nats] extra
    raise missing("nats") from e

log = logging.getLogger(__name__)

STREAM = "ORDO_EVENTS"
SUBJECT_PREFIX = "ordo.events"


async def _quiet(exc: Exception) -> None:
    log.debug("NATS client: %s", exc)  # failures surface as PublishFailed from publish()


def subject_for(row: dict[str, Any]) -> str:
    return f"{SUBJECT_PREFIX}.{row['type']}"


class NatsPublisher:
    name = "nats"

    def __init__(self, url: str, *, timeout_s: float = 5.0) -> None:
        self.url = url
        self._timeout = timeout_s
        self._loop = asyncio.new_event_loop()
        self._nc: Client | None = None

    async def _connect(self) -> Client:
        if self._nc is not None and self._nc.is_connected:
            return self._nc
        # allow_reconnect=False makes nats-py wait for ever on a refused first connect;
        # one quick attempt fails fast, and a later drop is handled by reconnecting here.
        nc = await nats.connect(
            self.url, connect_timeout=2, max_reconnect_attempts=1, reconnect_time_wait=0.1, error_cb=_quiet
        )
        js = nc.jetstream(timeout=self._timeout)
        try:
            await js.add_stream(name=STREAM, subjects=[f"{SUBJECT_PREFIX}.>"])
        except BadRequestError:
            await js.stream_info(STREAM)  # exists with another config: use it as it is
        self._nc = nc
        return nc

    async def _publish(self, rows: list[dict[str, Any]]) -> None:
        nc = await self._connect()
        js = nc.jetstream(timeout=self._timeout)
        for r in rows:
            await js.publish(subject_for(r), body(r), stream=STREAM, headers={"Nats-Msg-Id": str(r["id"])})

    def publish(self, rows: list[dict[str, Any]]) -> None:
        try:
            self._loop.run_until_complete(asyncio.wait_for(self._publish(rows), self._timeout * 4))
        except (OSError, NatsError, TimeoutError) as exc:
            self._drop()
            raise PublishFailed(f"NATS {self.url}: {type(exc).__name__}: {exc}") from exc

    def _drop(self) -> None:
        if self._nc is not None:
            nc, self._nc = self._nc, None
            with contextlib.suppress(OSError, NatsError, TimeoutError):
                self._loop.run_until_complete(nc.close())

    def close(self) -> None:
        self._drop()
        self._loop.close()
