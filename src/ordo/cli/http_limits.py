"""What one HTTP connection may cost ``ordo serve``: a bounded head, bounded read times.

uvicorn's httptools protocol (the fast one, kept) reads a request head of any size (8 MB
and 64 MB heads were answered) and never times out a request that stops arriving: a
connection that stalls mid-head or mid-body holds its memory for ever (24 of them were
still open after 105 s), and ``timeout_keep_alive`` only covers the quiet between
requests. :func:`bounded_protocol` adds, per connection:

* a head larger than ``max_header_bytes`` → ``431`` and the connection closed;
* a head not complete ``header_timeout_s`` after its first byte (or after the connection
  opened) → ``408`` and closed;
* a body not complete ``body_timeout_s`` after its head → ``408`` and closed (or just
  closed, if the app already answered).

The number of connections is capped by uvicorn's ``limit_concurrency`` (``503`` past it),
set from the same :class:`~ordo.config.Settings`. All of it costs one timer per request.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ordo.api.errors import error_body
from ordo.config import Settings

_END_OF_HEAD = b"\r\n\r\n"
_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


def _raw_response(status: int, code: str, message: str, details: dict[str, Any]) -> bytes:
    body = orjson.dumps(error_body(code, message, details))
    return b"".join(
        [
            b"HTTP/1.1 %d %s\r\n" % (status, _REASONS[status]),
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
            body,
        ]
    )


def bounded_protocol(
    max_header_bytes: int, header_timeout_s: float, body_timeout_s: float
) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with these limits (pass it as ``http=``)."""

    class BoundedHttpToolsProtocol(HttpToolsProtocol):
        _head_seen: int | None = 0  # bytes of the current head so far; None once it is complete
        _tail: bytes = b""  # the last bytes of the head so far (an end split across reads)
        _read_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm(header_timeout_s, "header_timeout")

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._head_seen is not None:
                seen = self._tail + data
                end = seen.find(_END_OF_HEAD)
                size = self._head_seen + len(data) if end < 0 else self._head_seen - len(self._tail) + end + 4
                if size > max_header_bytes:
                    self._refuse(
                        431,
                        "headers_too_large",
                        f"request headers larger than {max_header_bytes} bytes / "
                        f"请求头超过 {max_header_bytes} 字节",
                        {"max_header_bytes": max_header_bytes},
                    )
                    return
                if end < 0:
                    self._head_seen = size
                    self._tail = seen[-3:]
            super().data_received(data)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._read_timer is None:  # a next request on a kept-alive connection
                self._arm(header_timeout_s, "header_timeout")

        def on_headers_complete(self) -> None:
            self._head_seen, self._tail = None, b""
            self._arm(body_timeout_s, "body_timeout")
            super().on_headers_complete()

        def handle_websocket_upgrade(self) -> None:
            self._disarm()  # the connection is no longer an HTTP request being read
            super().handle_websocket_upgrade()

        def on_message_complete(self) -> None:
            self._disarm()
            self._head_seen, self._tail = 0, b""
            super().on_message_complete()

        # -- the read deadline ------------------------------------------------------
        def _arm(self, seconds: float, code: str) -> None:
            self._disarm()
            self._read_timer = self.loop.call_later(seconds, self._timed_out, seconds, code)

        def _disarm(self) -> None:
            if self._read_timer is not None:
                self._read_timer.cancel()
                self._read_timer = None

        def _timed_out(self, seconds: float, code: str) -> None:
            self._read_timer = None
            what = ("headers", "请求头") if code == "header_timeout" else ("body", "请求体")
            self._refuse(
                408,
                code,
                f"request {what[0]} not received within {seconds:g} s / {seconds:g} 秒内未收到完整{what[1]}",
                {"timeout_s": seconds},
            )

        def _refuse(self, status: int, code: str, message: str, details: dict[str, Any]) -> None:
            self._disarm()
            if self.transport.is_closing():
                return
            # While a head is read, any cycle is the previous request's (answered already);
            # while a body is read, the cycle is this request's: answer unless the app did.
            in_head = self._head_seen is not None
            if in_head or self.cycle is None or not self.cycle.response_started:
                self.transport.write(_raw_response(status, code, message, details))
            if not in_head and self.cycle is not None:  # the app hears a disconnect, answers no one
                self.cycle.disconnected = True
                self.cycle.message_event.set()
            self.transport.close()

    return BoundedHttpToolsProtocol


def server_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options that bound a connection's cost (``uvicorn.run(app, **these)``)."""
    return {
        "http": bounded_protocol(
            settings.max_header_bytes, settings.header_timeout_s, settings.body_timeout_s
        ),
        "limit_concurrency": settings.max_connections,
        # Used only if the pure-Python h11 protocol is ever chosen instead.
        "h11_max_incomplete_event_size": settings.max_header_bytes,
    }
