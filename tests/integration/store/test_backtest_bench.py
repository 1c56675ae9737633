"""``ordo bench backtest`` end to end on a small SQLite store: every figure named and read."""

from __future__ import annotations

from pathlib import Path

from ordo.bench.backtest import hundred_rules, run


def test_the_backtest_bench_reads_columnar_and_reports_each_figure(tmp_path: Path) -> None:
    out = run(orders=400, db=f"sqlite:///{tmp_path / 'bench.db'}", repeat=1)
    assert out["orders"] == 400 and out["rules_new"] == len(hundred_rules()) == 100
    assert out["columnar_reader"] is True
    assert 0 < out["parse_compile_ms_per_rule"] <= out["parse_compile_ms_p95"]
    assert out["ruleset_compile_ms"] > 0 and out["parse_compile_ms_first_rule"] > 0
    assert out["read_s"] > 0 and out["read_cpu_s"] > 0 and out["evaluate_cpu_s"] > 0
    assert 0 < out["changed"] <= out["orders"] and out["matched"] > 0
