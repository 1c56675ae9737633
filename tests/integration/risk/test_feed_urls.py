"""Risk feeds at a configured URL (issue 17: "from files or a configured URL"), against a
local HTTP server started by the test (nothing from the internet): a changed document
becomes events, an unchanged one is asked for with its ETag / Last-Modified and answered
304, and a feed that fails (does not parse, too large, too slow, an HTTP error) is
reported while the other feeds of the same poll are still read."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from typer.testing import CliRunner

from ordo.cli import app as cli
from ordo.service.risk import events
from ordo.service.risk.feeds import FeedPoller
from ordo.service.runtime.app import Ordo

FIXTURES = Path(__file__).parents[2] / "fixtures" / "risk"
ALERT = (FIXTURES / "guangdong_red_rainstorm.cap.xml").read_bytes()
POWER = (FIXTURES / "warehouse_power_loss.geojson").read_bytes()
ETAG = '"alert-v1"'
MODIFIED = "Wed, 11 Nov 2026 00:00:00 GMT"


class Feeds(BaseHTTPRequestHandler):
    """``/alert`` (ETag), ``/power`` (Last-Modified), ``/broken``, ``/huge``, ``/slow``, ``/gone``."""

    seen: ClassVar[list[tuple[str, str, str]]] = []

    def do_GET(self) -> None:
        inm, ims = self.headers.get("If-None-Match", ""), self.headers.get("If-Modified-Since", "")
        Feeds.seen.append((self.path, inm, ims))
        if self.path == "/alert":
            if inm == ETAG:
                return self._send(304, b"")
            return self._send(200, ALERT, {"ETag": ETAG})
        if self.path == "/power":
            if ims == MODIFIED:
                return self._send(304, b"")
            return self._send(200, POWER, {"Last-Modified": MODIFIED})
        if self.path == "/broken":
            return self._send(200, b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>x")
        if self.path == "/huge":
            return self._send(200, b"{" + b" " * 70_000 + b"}")
        if self.path == "/slow":
            time.sleep(2)
            return self._send(200, ALERT)
        return self._send(404, b"no such feed")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Feeds.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Feeds)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_changed_feeds_become_events_and_unchanged_ones_are_asked_conditionally(
    world: Ordo, server: str
) -> None:
    poller = FeedPoller(world, [f"{server}/alert", f"{server}/power"], timeout_s=5)
    first = poller.poll_once()
    assert [r["outcome"] for r in first] == ["imported", "imported"]
    assert len(events.listing(world, live_only=True)) == 2
    again = poller.poll_once()
    assert [r["outcome"] for r in again] == ["unchanged", "unchanged"]
    assert ("/alert", ETAG, "") in Feeds.seen and ("/power", "", MODIFIED) in Feeds.seen
    assert len(events.listing(world, live_only=True)) == 2


def test_a_failing_feed_is_reported_and_never_stops_the_others(world: Ordo, server: str) -> None:
    urls = [f"{server}/{p}" for p in ("broken", "huge", "slow", "gone", "alert")]
    poller = FeedPoller(world, urls, timeout_s=0.5, max_bytes=64_000)
    reports = {r["url"].rsplit("/", 1)[1]: r for r in poller.poll_once()}
    assert reports["alert"]["outcome"] == "imported"
    for name, words in {
        "broken": "not well-formed",
        "huge": "more than 64000",
        "slow": "no answer within 0.5",
        "gone": "HTTP 404",
    }.items():
        assert reports[name]["outcome"] == "failed" and words in reports[name]["error"], reports[name]
    assert poller.last[f"{server}/broken"]["outcome"] == "failed"
    assert len(events.listing(world, live_only=True)) == 1


def test_ordo_risk_poll_reads_the_configured_urls(
    world: Ordo, server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDO_DATABASE_URL", world.settings.database_url)
    monkeypatch.setenv("ORDO_RISK_FEED_URLS", f"{server}/alert, {server}/gone")
    result = CliRunner().invoke(cli, ["risk", "poll", "--once"])
    assert result.exit_code == 0, result.output
    assert '"imported"' in result.stdout and "HTTP 404" in result.stdout
