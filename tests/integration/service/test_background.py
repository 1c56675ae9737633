"""The Ordo's background jobs: started and stopped through ``ordo.background``."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ordo.service.events.outbound import OutboundConfig
from ordo.service.risk import events
from ordo.service.runtime import background
from ordo.service.runtime.background import Job

ALERT = (Path(__file__).parents[2] / "fixtures" / "risk" / "guangdong_red_rainstorm.cap.xml").read_bytes()


def test_starting_every_job_runs_one_thread_each_and_stopping_ends_them(world):
    threads = world.background.start(outbound=OutboundConfig(idle_s=0.05))
    try:
        names = sorted(t.name for t in threads)
        assert names == [
            "ordo-alerts",
            "ordo-bot-replies",
            "ordo-projector",
            "ordo-pull",
            "ordo-stock",
            "ordo-subscriptions",
            "ordo-upkeep",
            "ordo-writeback",
        ]
        assert all(t.is_alive() for t in threads) and world.background.running
        assert not world.settings.risk_feed_urls  # no feed URL: no feed duty, nothing fetched
    finally:
        world.background.stop(timeout_s=10)
    assert not any(t.is_alive() for t in threads)
    assert world.background.threads == () and not world.background.running


def test_a_relay_starts_only_the_outbound_job(world):
    threads = world.background.start([Job.OUTBOUND], outbound=OutboundConfig(idle_s=0.05))
    try:
        assert [t.name for t in threads] == ["ordo-subscriptions", "ordo-alerts", "ordo-bot-replies"]
    finally:
        world.background.stop()


def test_jobs_cannot_be_started_twice_but_can_be_started_again_after_a_stop(world):
    world.background.start([Job.PROJECTOR])
    try:
        with pytest.raises(RuntimeError):
            world.background.start([Job.PROJECTOR])
    finally:
        world.background.stop()
    world.background.stop()  # a second stop does nothing
    [again] = world.background.start([Job.PROJECTOR])
    world.background.stop()
    assert not again.is_alive()


def test_two_ordos_over_one_database_share_no_cache(world):
    from ordo.bootstrap import bootstrap
    from ordo.config import Settings

    other = bootstrap(Settings(database_url=world.store.url), clock=world.clock, migrate=False)
    try:
        assert other.caches.routing is not world.caches.routing
        assert other.caches.rulebook is not world.caches.rulebook
        assert other.caches.keys is not world.caches.keys
    finally:
        other.store.dispose()


@pytest.fixture
def feed() -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """A local HTTP server with one CAP alert at ``/alert`` (ETag ``"v1"``), and its requests."""
    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("If-None-Match", "")))
            fresh = self.headers.get("If-None-Match") != '"v1"'
            self.send_response(200 if fresh else 304)
            self.send_header("ETag", '"v1"')
            if fresh:
                self.send_header("Content-Length", str(len(ALERT)))
            self.end_headers()
            if fresh:
                self.wfile.write(ALERT)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/alert", seen
    httpd.shutdown()
    httpd.server_close()


def _until(cond: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


def test_configured_risk_feeds_are_polled_by_a_leased_duty_on_the_injected_clock(
    world, clock, feed, monkeypatch: pytest.MonkeyPatch
):
    url, seen = feed
    monkeypatch.setattr(background, "RISK_FEEDS_IDLE_S", 0.02)
    world.settings = dataclasses.replace(world.settings, risk_feed_urls=(url,), risk_feed_every_s=60.0)
    threads = world.background.start(outbound=OutboundConfig(idle_s=0.05))
    try:
        assert "ordo-risk-feeds" in [t.name for t in threads]
        # the first poll at once: the alert becomes an event, no CLI involved
        assert _until(lambda: len(events.listing(world, live_only=True)) == 1)
        assert seen == [("/alert", "")]
        assert world.background.duties()["ordo-risk-feeds"] == "held"
        time.sleep(0.3)  # many idle rounds, but the injected clock has not moved: no poll
        assert len(seen) == 1
        clock.advance(60)
        assert _until(lambda: len(seen) == 2)
        assert seen[1] == ("/alert", '"v1"')  # asked conditionally, answered 304
        assert len(events.listing(world, live_only=True)) == 1
    finally:
        world.background.stop(timeout_s=10)


def test_a_failing_risk_feed_is_logged_and_never_stops_its_duty(
    world, clock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    monkeypatch.setattr(background, "RISK_FEEDS_IDLE_S", 0.02)
    world.settings = dataclasses.replace(world.settings, risk_feed_urls=("http://127.0.0.1:9/none",))
    caplog.set_level("WARNING", logger="ordo.risk.feeds")
    [worker] = world.background.start([Job.RISK_FEEDS])
    try:
        assert _until(lambda: "1 of 1 feeds failed" in caplog.text)
        clock.advance(world.settings.risk_feed_every_s)
        assert _until(lambda: caplog.text.count("1 of 1 feeds failed") == 2)
        assert worker.is_alive() and world.background.duties() == {"ordo-risk-feeds": "held"}
    finally:
        world.background.stop(timeout_s=10)
