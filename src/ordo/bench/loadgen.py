"""A lean HTTP/1.1 load generator: a fixed set of keep-alive connections over asyncio streams.

Why not httpx here: its async pool matches every queued request against every
connection on each send (quadratic), so at a few hundred requests per second with
hundreds of connections the *client* saturates a core and the benchmark measures it,
not the server. This client does only what the benchmarks need — requests with a
body or none, responses with ``Content-Length`` — and must never be used outside them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import orjson


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> object:
        return orjson.loads(self.body)


class LoadClient:
    """``await client.request(method, path, headers, body)`` over ``connections`` keep-alive sockets."""

    def __init__(self, host: str, port: int, connections: int = 64) -> None:
        self._host, self._port, self._n = host, port, connections
        self._queue: asyncio.Queue[tuple[bytes, asyncio.Future[Reply]]] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> LoadClient:
        self._workers = [asyncio.create_task(self._worker()) for _ in range(self._n)]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for w in self._workers:
            w.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Reply:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        await self._queue.put((raw, future))
        return await future

    async def _worker(self) -> None:
        reader: asyncio.StreamReader | None = None
        writer: asyncio.StreamWriter | None = None
        while True:
            raw, future = await self._queue.get()
            try:
                if writer is None or reader is None:
                    reader, writer = await asyncio.open_connection(self._host, self._port)
                writer.write(raw)
                reply = await _read_reply(reader)
                future.set_result(reply)
            except Exception as exc:  # a broken connection: report it, reconnect next time
                if writer is not None:
                    writer.close()
                reader = writer = None
                if not future.done():
                    future.set_exception(exc)


async def _read_reply(reader: asyncio.StreamReader) -> Reply:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    length = None
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    if length is None:
        raise ConnectionError("response without Content-Length (not supported by this client)")
    return Reply(status, await reader.readexactly(length))
