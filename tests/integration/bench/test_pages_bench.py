"""``ordo bench pages`` on a small store: the bulk seed is counted after the rebuild, the
cold overview is timed in a new process, and every search filter set answers."""

from __future__ import annotations

import warnings

import pytest

from ordo.bench.pages import run, searches

pytestmark = pytest.mark.slow

with warnings.catch_warnings():  # starlette's TestClient warns about httpx on first import
    warnings.simplefilter("ignore")
    import fastapi.testclient  # noqa: F401


def test_bench_pages_counts_the_seed_and_times_a_cold_process_and_every_search() -> None:
    out = run(3000, repeat=2, cold_repeat=1)
    assert out["overview_orders_counted"] == 3000
    assert out["overview_cold"]["n"] == 1 and out["overview_cold"]["p50_ms"] > 0
    assert out["rebuild_aggregates_s"] >= 0
    assert set(out["search"]) == set(searches())
    assert out["search"]["tag"]["rows"] == 50 and out["search"]["tag_province"]["rows"] > 0
