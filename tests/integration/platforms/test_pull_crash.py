"""A pulling process killed with SIGKILL mid-run, then started again: every order of every
shop is stored exactly once (0 duplicates, 0 gaps)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from ordo.bootstrap import bootstrap
from ordo.clock import NS_PER_S, SystemClock
from ordo.config import Settings
from ordo.sim.platforms import Emulator, EmulatorServer
from tests.conftest import seed_tiny_world
from tests.integration.platforms.helpers import EMULATED_SKUS, register, shops

pytestmark = pytest.mark.slow
PER_SHOP = 1_500


def _stored(url: str) -> list[tuple[str, str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [(r[0], r[1]) for r in conn.exec_driver_sql("SELECT channel, external_id FROM orders")]
    finally:
        engine.dispose()


def _pull(url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ORDO_DATABASE_URL": url}
    return subprocess.Popen(
        [sys.executable, "-m", "ordo.cli", "shops", "pull", "--lookback-hours", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_kill_9_mid_pull_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ordo.db'}"
    app = bootstrap(Settings(database_url=url), rng=random.Random(5))
    seed_tiny_world(app)
    now_s = SystemClock().now_ns() // NS_PER_S
    emulated = shops(["taobao", "jd", "pinduoduo", "douyin"], PER_SHOP, per_second=1, start_s=now_s - 3_600)
    emulator = Emulator(SystemClock(), emulated, skus=EMULATED_SKUS, fail_every=50)
    total = len(emulated) * PER_SHOP
    with EmulatorServer(emulator) as server:
        register(app, emulated, server.url)
        app.store.dispose()
        first = _pull(url)
        deadline = time.monotonic() + 240
        while len(_stored(url)) < total // 3:
            assert first.poll() is None, first.stderr.read() if first.stderr else ""
            assert time.monotonic() < deadline, "the pull made no progress"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert first.returncode == -signal.SIGKILL
        halfway = _stored(url)
        assert len(halfway) < total, "killed too late to test anything"
        assert len(halfway) == len(set(halfway))

        second = _pull(url)
        _, err = second.communicate(timeout=300)
        assert second.returncode == 0, err.decode()
    stored = _stored(url)
    expected = {(s.channel, e) for s in emulated for e in emulator.external_ids(s.shop_id)}
    assert len(stored) == len(set(stored)), "duplicates"
    assert set(stored) == expected, f"gaps: {len(expected - set(stored))}"
