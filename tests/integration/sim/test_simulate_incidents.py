"""``ordo simulate --incidents``: trouble injected, scans as time passes, the two rates printed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ordo.cli import app
from ordo.clock import ManualClock
from ordo.service.incidents.queue import IncidentFilter, list_incidents
from ordo.service.runtime.app import Ordo
from ordo.sim.runner import simulate
from ordo.sim.trouble import Trouble
from tests.conftest import T0, make_app


def test_simulate_with_incidents_prints_the_auto_closure_rate_and_alert_precision(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'sim.db'}"
    result = CliRunner().invoke(
        app,
        ["simulate", "--orders", "300", "--seed", "5", "--incidents", "--db", db],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "auto-closure rate / 异常自动闭环率" in result.stderr  # the console speaks on stderr
    assert "alert precision / 告警有效率" in result.stderr
    assert "alert precision vs ground truth / 告警有效率（按真值）" in result.stderr
    assert "auto-closure / 自动闭环" in result.stderr  # one line per detector
    assert '"auto_closure_rate"' in result.stdout and '"injected"' in result.stdout


def test_the_former_flag_exceptions_still_turns_incidents_on(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'sim.db'}"
    args = ["simulate", "--orders", "20", "--seed", "5", "--exceptions", "--db", db]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "auto-closure rate / 异常自动闭环率" in result.stderr
    assert '"exceptions": {' in result.stdout  # the printed summary keeps its key


def _incidents(app: Ordo) -> list[dict]:
    rows, cursor = list_incidents(app, IncidentFilter(), limit=500)
    while cursor is not None:
        more, cursor = list_incidents(app, IncidentFilter(), after_id=cursor, limit=500)
        rows += more
    return rows


def test_the_world_follows_the_playbooks_and_no_breach_is_an_artefact_of_batching(tmp_path: Path):
    clock = ManualClock(T0)
    app = make_app(f"sqlite:///{tmp_path / 'sim.db'}", clock)
    try:
        summary = simulate(app, clock, orders=400, seed=5, trouble=Trouble())
        rows = _incidents(app)
        with app.store.uow(read_only=True) as uow:
            steps = {
                r["order_id"]: {m["milestone"]: m for m in uow.orders.milestones(r["order_id"])} for r in rows
            }
    finally:
        app.store.dispose()
    result = summary.incidents
    assert result is not None and sum(result["followed"].values()) > 0
    # A re-routed order is picked by its new warehouse, a switched carrier collects: nobody
    # has to close a slow-warehouse or missed-pickup incident by hand.
    followed = [r for r in rows if r["key"] in ("pick", "pickup")]
    assert followed and all(r["state"] == "auto_resolved" for r in followed)
    # Every SLA breach is real in the simulated world: the expected step happened late, or
    # its report was held up on the way (it reached Ordo after the next step's report) -
    # never merely because the simulator batched a report that the world sent in time.
    minutes = 60 * 1_000_000_000
    releases = [r for r in rows if r["key"] == "release"]
    assert releases
    for r in releases:
        s = steps[r["order_id"]]
        released, reviewed, picked = s["released_to_warehouse"], s["reviewed"], s["picked"]
        late_step = released["at_ns"] - reviewed["at_ns"] > 45 * minutes
        late_report = released["recorded_at_ns"] >= picked["recorded_at_ns"]
        assert late_step or late_report, r["order_id"]


def test_warm_goods_are_re_shipped_and_broken_probes_become_maintenance_signals(tmp_path: Path):
    clock = ManualClock(T0)
    app = make_app(f"sqlite:///{tmp_path / 'cold.db'}", clock)
    try:
        trouble = Trouble(excursion=0.3, broken_probe=0.3)  # far more than real: enough to judge
        summary = simulate(app, clock, orders=300, seed=11, trouble=trouble)
        cold = [r for r in _incidents(app) if r["detector"] == "cold_chain"]
    finally:
        app.store.dispose()
    result = summary.incidents
    assert result is not None
    truth = result["truth"]
    assert truth["cold_chain"]["excursions_injected"] > 0 and truth["probe_fault"]["broken_probes"] > 0
    # Warm goods are never written off as a broken probe, and every one is alerted.
    assert truth["cold_chain"]["excursions_called_probe_fault"] == 0
    assert truth["cold_chain"]["excursions_missed"] == 0
    # Most broken probes are caught as such (a lone drifting probe cannot be), none wrongly.
    assert truth["probe_fault"]["true_precision"] == 1.0
    assert truth["probe_fault"]["broken_probes_found"] >= truth["probe_fault"]["broken_probes"] * 0.6
    # The world ships the replacements, and their outbound closes the excursions.
    assert result["followed"].get("replacement", 0) > 0
    closed = [r for r in cold if r["state"] == "auto_resolved"]
    assert closed and all("shipped" in str(r["resolution"]) for r in closed)
