"""``ordo bench risk --plan-orders``: a small run goes through every phase for real."""

from __future__ import annotations

from ordo.bench import risk_plan


def test_the_plan_bench_proposes_approves_executes_and_reverts_every_exposed_order():
    report = risk_plan.run(40, repeat=2)
    assert report["plan_orders"] == 40 and report["counts"] == {"reroute": 40}
    assert report["tier"] == "L2"  # 40 orders: within the bounds, approved by a second operator
    assert report["done"] == 40 and report["refused"] == 0 and report["reverted"] == 40
    phases = report["median_ms"]
    assert set(phases) == {"propose", "approve", "execute", "total", "revert"}
    assert phases["total"] >= phases["propose"] + phases["execute"] > 0
    assert report["orders"] >= 40 and report["runs"] == 2
