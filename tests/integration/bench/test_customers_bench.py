"""``ordo bench customers`` at a small size: the refresh path keeps every customer it saw and
reports its rate against the 5,000 orders/s target; the intake A/B has the value rules fire."""

from __future__ import annotations

from ordo.bench.customers import TARGET_PER_S, run


def test_the_customers_bench_measures_the_refresh_and_the_intake_ab() -> None:
    out = run(orders=3_000, customers=500, batch=500, intake_orders=400, rounds=1)
    refresh = out["refresh"]
    assert refresh["orders"] == 3_000 and 0 < refresh["customers_kept"] <= 500
    assert refresh["orders_per_s"] > 0 and refresh["keeps_up"] == (refresh["orders_per_s"] >= TARGET_PER_S)
    per = refresh["us_per_order"]
    assert per["read_and_judge"] > 0 and per["upsert_and_commit"] > 0
    ab = out["intake_ab"]
    assert ab["b_plus_value_rules"]["tagged_by_value_rules"] > 0
    assert ab["ratio_b_over_a"] > 0
