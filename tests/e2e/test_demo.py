"""``ordo demo`` end to end: a real server process with live simulated traffic.

This is what a newcomer sees after ``make demo``: the docs and health pages answer,
and orders appear and move through their milestones while it runs.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(check, timeout_s: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last seen: {last!r}")


@pytest.fixture
def demo(tmp_path: Path):  # type: ignore[no-untyped-def]
    port = _free_port()
    key_file = tmp_path / "admin.key"
    env = {**os.environ, "ORDO_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ordo.cli",
            "demo",
            "--port",
            str(port),
            "--speed",
            "600",
            "--key-file",
            str(key_file),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(lambda: httpx.get(f"{base}/healthz").status_code == 200, 90, "healthz")
        yield base, key_file.read_text().strip(), proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_the_demo_serves_docs_and_health_and_orders_flow_through_milestones(demo):  # type: ignore[no-untyped-def]
    base, key, proc = demo
    headers = {"Authorization": f"Bearer {key}"}
    assert httpx.get(f"{base}/healthz").status_code == 200
    docs = httpx.get(f"{base}/docs")
    assert docs.status_code == 200
    assert not re.search(r"(src|href)=\"https?://(?!127\.0\.0\.1)", docs.text), "docs use a CDN"

    def orders():  # type: ignore[no-untyped-def]
        r = httpx.get(f"{base}/api/v1/orders", params={"limit": 200}, headers=headers)
        assert r.status_code == 200, r.text
        return r.json()["orders"]

    first = _wait_for(lambda: len(orders()) >= 5 and orders(), 60, "orders to appear")
    assert all(o["id"].startswith("OR") for o in first)

    moving = {"in_warehouse", "shipped", "in_transit", "out_for_delivery", "delivered", "completed"}
    advanced = _wait_for(
        lambda: [o for o in orders() if o["status"] in moving], 90, "an order to reach the warehouse"
    )
    timeline = httpx.get(f"{base}/api/v1/orders/{advanced[0]['id']}/timeline", headers=headers)
    assert timeline.status_code == 200
    steps = [e for e in timeline.json()["entries"] if e["kind"] == "milestone"]
    assert len(steps) >= 5
    assert proc.poll() is None, "the demo server stopped on its own"
