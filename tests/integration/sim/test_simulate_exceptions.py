"""``ordo simulate --exceptions``: trouble injected, scans as time passes, the two rates printed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from ordo.cli import app


def test_simulate_with_exceptions_prints_the_auto_closure_rate_and_alert_precision(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'sim.db'}"
    result = CliRunner().invoke(
        app,
        ["simulate", "--orders", "300", "--seed", "5", "--exceptions", "--db", db],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "auto-closure rate / 异常自动闭环率" in result.stderr  # the console speaks on stderr
    assert "alert precision / 告警有效率" in result.stderr
    assert '"auto_closure_rate"' in result.stdout and '"injected"' in result.stdout
