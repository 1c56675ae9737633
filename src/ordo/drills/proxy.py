"""A small TCP fault proxy (in the manner of Toxiproxy) between a drill's load and Ordo.

:class:`FaultProxy` listens on its own port and forwards every connection to the
server. Faults are set while it runs: ``latency_ms`` delays every chunk each way
(a slow network), ``drop`` resets every open connection and refuses new ones (a
network partition) until it is cleared. It runs its own event loop in a thread and
touches nothing but sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from ordo.bench.http import free_port


class FaultProxy:
    def __init__(self, upstream_port: int, host: str = "127.0.0.1") -> None:
        self.host, self.upstream_port = host, upstream_port
        self.port = free_port()
        self.latency_ms = 0.0
        self.drop = False
        self.connections = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="drill-proxy", daemon=True)
        self._server: asyncio.Server | None = None

    def start(self) -> FaultProxy:
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            for w in list(self._writers):
                w.transport.abort()
            # Aborted both ways, every pipe ends by itself; what has not within a second is cancelled.
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if pending:
                _, late = await asyncio.wait(pending, timeout=1)
                for t in late:
                    t.cancel()
                await asyncio.gather(*late, return_exceptions=True)

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def cut(self) -> None:
        """Start dropping: reset every open connection now, refuse the new ones."""
        self.drop = True

        def reset() -> None:
            for w in list(self._writers):
                w.transport.abort()

        self._loop.call_soon_threadsafe(reset)

    def heal(self) -> None:
        self.drop, self.latency_ms = False, 0.0

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def serve() -> None:
            self._server = await asyncio.start_server(self._accept, self.host, self.port)
            self._ready.set()

        self._loop.run_until_complete(serve())
        self._loop.run_forever()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.drop:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.upstream_port)
        except OSError:
            writer.transport.abort()
            return
        self.connections += 1
        self._writers.update((writer, up_writer))
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        except asyncio.CancelledError:  # the proxy is stopping: end quietly
            pass
        finally:
            for w in (writer, up_writer):
                self._writers.discard(w)
                w.close()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while True:
                chunk = await reader.read(65536)
                if not chunk or self.drop:
                    break
                if self.latency_ms:
                    await asyncio.sleep(self.latency_ms / 1000)
                writer.write(chunk)
                await writer.drain()
        writer.close()
