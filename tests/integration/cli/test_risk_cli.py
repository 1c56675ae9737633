"""``ordo risk …``: a feed file read into events, one entered by hand, judged, planned and ended."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from ordo.cli.risk import risk_app
from ordo.clock import ManualClock
from tests.conftest import T0, make_app, seed_tiny_world

FIXTURES = Path(__file__).parents[2] / "fixtures" / "risk"
runner = CliRunner()


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(risk_app, name="risk")
    return app


def run(*args: str) -> object:
    result = runner.invoke(cli(), ["risk", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_risk_commands_read_feeds_record_judge_plan_and_end(sqlite_url: str) -> None:
    world = make_app(sqlite_url, ManualClock(T0))
    seed_tiny_world(world)
    world.store.dispose()
    got = run("import", str(FIXTURES / "gdacs_tc.georss.xml"), "--db", sqlite_url)
    assert isinstance(got, list) and [e["kind"] for e in got] == ["typhoon", "flood"]
    again = run("import", str(FIXTURES / "gdacs_tc.georss.xml"), "--db", sqlite_url)
    assert isinstance(again, list) and [e["id"] for e in again] == [
        e["id"] for e in got
    ]  # updated, not doubled
    cap = run("import", str(FIXTURES / "guangdong_red_rainstorm.cap.xml"), "--db", sqlite_url)
    assert isinstance(cap, list) and cap[0]["source"] == "广东省气象台"

    ev = run(
        "add", "power_loss", "广州白云仓停电", "--warehouses", "WH-GZ", "--hours", "6", "--db", sqlite_url
    )
    assert isinstance(ev, dict) and ev["blocks"] and ev["active"] and ev["covered"]["warehouses"] == ["WH-GZ"]
    listed = run("list", "--live", "--db", sqlite_url)
    assert isinstance(listed, list) and ev["id"] in {e["id"] for e in listed}
    judged = run("status", ev["id"], "confirmed", "--hours", "6", "--db", sqlite_url)
    assert isinstance(judged, dict) and judged["status"] == "confirmed"
    plan = run("plan", ev["id"], "--as", "li", "--db", sqlite_url)
    assert isinstance(plan, dict) and plan["status"] == "proposed" and plan["orders"] == 0
    refused = runner.invoke(cli(), ["risk", "approve", plan["id"], "--as", "li", "--db", sqlite_url])
    assert refused.exit_code == 1 and "self_approval" in refused.output
    approved = run("approve", plan["id"], "--as", "wang", "--db", sqlite_url)
    assert isinstance(approved, dict) and approved["status"] == "approved"
    ended = run("end", ev["id"], "--db", sqlite_url)
    assert isinstance(ended, dict) and ended["status"] == "restored" and not ended["active"]
    bad = runner.invoke(cli(), ["risk", "add", "meteor", "x", "--regions", "440000", "--db", sqlite_url])
    assert bad.exit_code == 1 and "validation_failed" in bad.output
