"""``ordo bench wave`` and ``ordo bench optimise`` over a small synthetic network."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from ordo.cli.bench import bench_app

runner = CliRunner()


def test_route_optimise_prints_the_assignment_and_reads_back_the_wave_it_saved(tmp_path: Path) -> None:
    saved = tmp_path / "wave.json"
    drawn = runner.invoke(
        bench_app, ["wave", "--orders", "150", "--warehouses", "30", "--save-wave", str(saved)]
    )
    assert drawn.exit_code == 0, drawn.output
    first = json.loads(drawn.stdout)
    assert first["orders"] == 150 and first["cost_fen"] > 0
    assert sum(first["busiest"].values()) <= 150 - first["unserved"]
    assert {"cost_gap", "unrouted", "split"} <= set(first["router_with_own_duals"])
    again = runner.invoke(bench_app, ["wave", "--wave", str(saved), "--warehouses", "30"])
    assert again.exit_code == 0, again.output
    second = json.loads(again.stdout)
    assert (second["cost_fen"], second["unserved"]) == (first["cost_fen"], first["unserved"])


def test_route_optimise_names_what_is_wrong_with_a_wave_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"orders": [{"order_id": "X1", "lines": [["A", 1]]}]}), encoding="utf-8")
    result = runner.invoke(bench_app, ["wave", "--wave", str(bad), "--warehouses", "30"])
    assert result.exit_code == 2
    assert "province" in result.output and "weight_g" in result.output
    good = {
        "order_id": "X1",
        "lines": [["A", 1]],
        "province": "上海市",
        "lat": 31.2,
        "lng": 121.4,
        "weight_g": 500,
    }
    for capacity in ([1], {"NOWHERE": 5}, {"WH-SHA-01-000": -1}):
        bad.write_text(json.dumps({"orders": [good], "capacity": capacity}), encoding="utf-8")
        result = runner.invoke(bench_app, ["wave", "--wave", str(bad), "--warehouses", "30"])
        assert result.exit_code == 2 and "capacity" in result.output
    neither = runner.invoke(
        bench_app,
        [
            "wave",
        ],
    )
    assert neither.exit_code == 2
    both = runner.invoke(bench_app, ["wave", "--wave", str(bad), "--orders", "5"])
    assert both.exit_code == 2 and "--orders" in both.output


def test_bench_optimise_reports_the_gap_with_and_without_duals() -> None:
    from ordo.bench.optimise import run

    report = run(orders=300, warehouses=30, daily=False)
    assert report["orders"] == 300 and report["optimal_unserved"] == 0
    for key in ("without_duals", "with_last_wave_duals", "with_own_duals"):
        assert set(report[key]) == {"gap", "cost_gap", "unrouted", "split", "route_ms"}
        assert report[key]["gap"] >= 0.0
