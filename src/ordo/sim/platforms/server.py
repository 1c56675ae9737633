"""The emulator over HTTP: a threaded standard-library server on 127.0.0.1, in a thread.

    with EmulatorServer(emulator) as server:
        server.url   # http://127.0.0.1:PORT — each shop's endpoint

Form-encoded POST bodies (and query strings) are the request parameters; a JSON body is
handed over whole as ``__json__``; answers are JSON.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from ordo.sim.platforms.emulator import Emulator


class EmulatorServer:
    def __init__(self, emulator: Emulator, port: int = 0) -> None:
        self.emulator = emulator
        handler = _handler(emulator)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="platform-emulator", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> EmulatorServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _handler(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        #: Headers and body go out as two writes: without this, Nagle and delayed ACKs add 40 ms.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8") if length else ""
            parts = urlsplit(self.path)
            params = dict(parse_qsl(parts.query, keep_blank_values=True))
            if "json" in (self.headers.get("Content-Type") or ""):
                params["__json__"] = body  # WeChat Channels, Youzan, Xiaohongshu: a JSON body
            else:
                params.update(parse_qsl(body, keep_blank_values=True))
            status, answer = emulator.handle(parts.path, params)
            data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST

        def log_message(self, format: str, *args: object) -> None:
            return  # quiet: tests and benchmarks make thousands of calls

    return Handler
