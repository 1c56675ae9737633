"""``ordo bench rules``: µs per order for 100 rules of 5 conditions, Ordo beside GoRules ZEN.

Owns the measurement, not the data (:mod:`ordo.bench.rules_data`): the same 100 rules
(five conditions each, Chinese and English, every category) on the same synthetic orders,

1. Ordo's compiled rule set (one generated function, hit policies included): each order
   timed on its own; median, p99 and mean µs per order;
2. GoRules ZEN (Rust, ``zen-engine``, when installed) on the same rules translated to a
   decision graph (:mod:`ordo.bench.rules_zen`), called as a Python user calls it, so its
   figure includes the Python → Rust → Python marshalling of the order and the result:
   ``evaluate`` per order (median) and ``evaluate_batch`` over all orders (mean), the
   ratio ZEN / Ordo, and a check that both fire the same rules on a sample;
3. the Polars expressions over a whole table (rows per second).

Figures are named with their unit, per DESIGN §6. Never touches a database.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from ordo.bench.rules_data import bench_rules, five_condition_rules, synthetic_facts
from ordo.rules.evaluation.evaluate import CompiledRuleSet, RuleSet
from ordo.rules.language.parser import parse_rule

__all__ = ["bench_rules", "five_condition_rules", "run", "synthetic_facts"]


def _per_call_us(fn: Callable[[Any], Any], items: list[Any]) -> list[float]:
    clock = time.perf_counter_ns
    out = []
    for x in items:
        t = clock()
        fn(x)
        out.append((clock() - t) / 1000)
    return out


def _summary(prefix: str, samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        f"{prefix}_us_median": round(statistics.median(samples), 2),
        f"{prefix}_us_p99": round(samples[int(len(samples) * 0.99) - 1], 2),
        f"{prefix}_us_mean": round(statistics.fmean(samples), 2),
    }


def _zen(
    ruleset: RuleSet, compiled: CompiledRuleSet, facts: list[dict[str, Any]], sample: int
) -> dict[str, Any]:
    """ZEN on the same rules and orders; empty if ``zen-engine`` is not installed."""
    try:
        import zen
    except ImportError:
        return {"zen": "not installed (pip install zen-engine)"}
    from ordo.bench.rules_zen import fired_ids, to_jdm

    jdm = to_jdm(ruleset)
    engine = zen.ZenEngine({"loader": {"type": "static", "content": {"rules": jdm}}})
    decision = engine.create_decision(json_text(jdm))
    mismatches = [
        f["order_id"]
        for f in facts[:sample]
        if fired_ids(decision.evaluate(f)["result"]) != set(compiled.evaluate(f).rule_ids)
    ]
    for f in facts[:200]:  # warm-up, as for Ordo
        decision.evaluate(f)
    out: dict[str, Any] = _summary("zen_evaluate", _per_call_us(decision.evaluate, facts))
    # ZEN's own figure for its graph walk, without the Python <-> Rust crossing.
    inside = [_us(decision.evaluate(f)["performance"]) for f in facts[:sample]]
    out["zen_internal_us_median"] = round(statistics.median(inside), 2)
    t = time.perf_counter()
    batch = engine.evaluate_batch([{"key": "rules", "context": f} for f in facts])
    out["zen_batch_us_mean"] = round((time.perf_counter() - t) / len(facts) * 1e6, 2)
    out["zen_batch_failed"] = sum(1 for b in batch if not b.get("success", True))
    out["zen_checked_orders"] = min(sample, len(facts))
    out["zen_mismatched_orders"] = len(mismatches)
    out["zen_mismatch_samples"] = mismatches[:5]
    out["zen_includes_marshalling"] = True
    out["zen_version"] = _version("zen-engine")
    return out


def _us(text: str) -> float:
    """ZEN's ``performance`` text (``98.7µs``, ``1.2ms``, ``850ns``) in µs."""
    for unit, scale in (("ms", 1000.0), ("µs", 1.0), ("us", 1.0), ("ns", 0.001), ("s", 1e6)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    return float("nan")


def json_text(data: Any) -> str:
    import json

    return json.dumps(data, ensure_ascii=False)


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def run(orders: int = 20_000, table_rows: int = 1_000_000, zen_sample: int = 2_000) -> dict[str, Any]:
    """Measure Ordo (and ZEN beside it) on 100 rules of 5 conditions; one JSON-able dict."""
    import polars as pl

    from ordo.rules.evaluation.compile_polars import SCHEMA, evaluate_frame

    ruleset = RuleSet.of([parse_rule(s) for s in five_condition_rules()])
    compiled = CompiledRuleSet(ruleset)
    facts = synthetic_facts(orders)
    for f in facts[:200]:  # warm-up
        compiled.evaluate(f)
    per_order = _per_call_us(compiled.evaluate, facts)
    fired = sum(len(compiled.evaluate(f).fired) for f in facts)
    out: dict[str, Any] = {
        "bench": "rules",
        "rules": len(ruleset.rules),
        "conditions_per_rule": 5,
        "orders": orders,
        **_summary("ordo", per_order),
        "scalar_us_per_order": round(statistics.median(per_order), 2),
        "scalar_orders_per_s": round(1e6 / statistics.fmean(per_order)),
        "scalar_rules_fired_per_order": round(fired / orders, 2),
    }
    out.update(_zen(ruleset, compiled, facts, zen_sample))
    if "zen_evaluate_us_median" in out:
        out["zen_over_ordo_median"] = round(out["zen_evaluate_us_median"] / out["ordo_us_median"], 2)
        out["zen_batch_over_ordo_mean"] = round(out["zen_batch_us_mean"] / out["ordo_us_mean"], 2)

    base = pl.DataFrame(synthetic_facts(10_000, seed=11), schema=SCHEMA)
    frame = pl.concat([base] * max(1, table_rows // base.height), rechunk=True)
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        table = evaluate_frame(ruleset, frame)
        best = min(best, time.perf_counter() - t)
    out.update(
        table_rows=frame.height,
        polars_s=round(best, 3),
        polars_rows_per_s=round(frame.height / best),
        polars_fired_cells=int(table.select(pl.sum_horizontal(pl.all())).to_series().sum()),
        cores=os.cpu_count(),
        load_avg_1m=round(os.getloadavg()[0], 2),
    )
    return out


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(run(), ensure_ascii=False))
