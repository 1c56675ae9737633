"""``ordo demo`` end to end: a real server process with live simulated traffic.

This is what a newcomer sees after ``make demo``: a banner whose URLs, key and curl
line paste as printed, docs and health pages that answer, orders that appear and move
through their milestones while it runs, and a simulated clock that carries on where it
stopped when the demo is started again.
"""

from __future__ import annotations

import re
import shlex
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.demo_process import SPEED, Demo, running_demo, wait_for

NS = 1_000_000_000


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    with running_demo(tmp_path, tmp_path / "demo.db") as d:
        yield d


def orders(demo: Demo, limit: int = 200) -> list[dict[str, Any]]:
    r = httpx.get(f"{demo.base}/api/v1/orders", params={"limit": limit}, headers=demo.headers)
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["orders"]
    return found


def test_the_demo_serves_docs_and_health_and_orders_flow_through_milestones(demo: Demo) -> None:
    base, headers, proc = demo.base, demo.headers, demo.proc
    assert httpx.get(f"{base}/healthz").status_code == 200
    docs = httpx.get(f"{base}/docs")
    assert docs.status_code == 200
    assert not re.search(r"(src|href)=\"https?://(?!127\.0\.0\.1)", docs.text), "docs use a CDN"

    first = wait_for(lambda: len(orders(demo)) >= 5 and orders(demo), 60, "orders to appear")
    assert all(o["id"].startswith("OR") for o in first)

    moving = {"in_warehouse", "shipped", "in_transit", "out_for_delivery", "delivered", "completed"}
    advanced = wait_for(
        lambda: [o for o in orders(demo) if o["status"] in moving], 90, "an order to reach the warehouse"
    )
    timeline = httpx.get(f"{base}/api/v1/orders/{advanced[0]['id']}/timeline", headers=headers)
    assert timeline.status_code == 200
    steps = [e for e in timeline.json()["entries"] if e["kind"] == "milestone"]
    assert len(steps) >= 5
    assert proc.poll() is None, "the demo server stopped on its own"


def test_the_banner_prints_each_url_and_the_key_whole_and_a_curl_line_that_pastes(demo: Demo) -> None:
    banner = demo.banner()  # printed to a 60-column "terminal" (COLUMNS=60)
    [key_line] = [line for line in banner if "admin API key" in line]
    assert key_line.split()[-1] == demo.key, "the key is whole, on its own line's end"
    assert sum(demo.key in line for line in banner) == 2  # the key line and the curl line
    [dashboard] = [line for line in banner if "dashboard / 看板" in line]
    assert dashboard.split()[-1] == f"{demo.base}/"
    for line in banner:  # every URL is whole: none is cut off where a terminal wrapped it
        for url in re.findall(r"https?://\S+", line):
            assert url.startswith(demo.base), line
    for path in ("/docs", "/healthz", "/api/v1/orders", "/api/v1/stream", "/metrics"):
        assert any(line.endswith(demo.base + path) for line in banner), path

    [curl] = [line.strip() for line in banner if line.strip().startswith("curl ")]
    assert shlex.split(curl) == [
        "curl",
        "-H",
        f"Authorization: Bearer {demo.key}",
        f"{demo.base}/api/v1/orders?limit=5",
    ]
    pasted = subprocess.run(
        ["bash", "-c", curl + " -sS -w '\\n%{http_code}'"], capture_output=True, text=True
    )
    body, status = pasted.stdout.rsplit("\n", 1)
    assert status == "200", pasted.stdout + pasted.stderr
    assert "orders" in body


def _stamps(db: Path) -> dict[str, int]:
    """Order id → when it was created (simulated UTC ns), read beside the running demo."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return dict(conn.execute("SELECT id, created_at_ns FROM orders").fetchall())


def _saved_sim_now(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        [(value,)] = conn.execute("SELECT value FROM meta WHERE key = 'sim.now'").fetchall()
    return int(value)


def test_a_restarted_demo_carries_on_its_simulated_clock(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    with running_demo(tmp_path, db) as first:
        wait_for(lambda: len(orders(first)) >= 10, 60, "orders in the first run")
    before = _stamps(db)
    stopped_at = _saved_sim_now(db)
    assert stopped_at >= max(before.values()), "the saved time is where the first run got to"

    restarted = time.monotonic()
    with running_demo(tmp_path, db) as second:
        new = wait_for(
            lambda: {k: v for k, v in _stamps(db).items() if k not in before}, 60, "orders in the second run"
        )
        real_s = time.monotonic() - restarted
        # It carries on from where the first run stopped: never back (today's wall time is
        # hours behind a 600x clock), and forward only by the time the restart took.
        assert min(new.values()) >= stopped_at
        assert min(new.values()) - stopped_at <= (real_s + 5) * SPEED * NS
        assert orders(second, limit=1)[0]["id"] not in before, "the newest order is a new one"
        per_minute = wait_for(
            lambda: httpx.get(f"{second.base}/api/v1/stats/overview", headers=second.headers).json()[
                "orders_per_minute"
            ],
            30,
            "orders per minute on the overview",
        )
        assert per_minute > 0
