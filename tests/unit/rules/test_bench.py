"""The rules benchmark runs end to end and names its figures with their units."""

from __future__ import annotations

from ordo.rules.bench import bench_rules, run
from ordo.rules.parser import parse_rule


def test_every_benchmark_sentence_parses() -> None:
    assert len({parse_rule(s) for s in bench_rules()}) >= 50


def test_bench_reports_scalar_and_polars_figures() -> None:
    out = run(orders=200, table_rows=20_000)
    assert out["rules"] >= 50 and out["table_rows"] == 20_000
    assert out["scalar_us_per_order"] > 0 and out["polars_rows_per_s"] > 0
    assert out["cores"] >= 1
