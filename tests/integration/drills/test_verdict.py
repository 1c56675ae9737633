"""A broken steady state fails the drill: the verdict is ``failed`` and ``ordo drill`` exits 1.

The scenario cuts the network between the shops and Ordo and never heals it in the
method, while its hypothesis says intake keeps up: the check after the fault must see
the intake stopped (``deviated``), and the CLI must fail CI for it. The drill runs once,
through ``ordo drill`` (as CI runs it); both tests read what it left.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from ordo.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

BROKEN = {
    "title": "A partition the hypothesis does not survive / 故意失败的演练",
    "configuration": {"proxy": True, "rate_per_s": 30, "warmup_s": 1.0},
    "steady-state-hypothesis": {
        "title": "intake keeps up",
        "probes": [
            {
                "type": "probe",
                "name": "intake-keeps-up",
                "tolerance": [0.7, None],
                "provider": {"type": "python", "module": "ordo.drills.probes", "func": "intake_rate_ratio"},
            },
            {
                "type": "probe",
                "name": "no-acknowledged-order-lost",
                "tolerance": 0,
                "provider": {
                    "type": "python",
                    "module": "ordo.drills.probes",
                    "func": "lost_acknowledged_orders",
                },
            },
            {
                "type": "probe",
                "name": "no-order-doubled",
                "tolerance": 0,
                "provider": {"type": "python", "module": "ordo.drills.probes", "func": "duplicated_orders"},
            },
        ],
    },
    "method": [
        {
            "type": "action",
            "name": "cut-and-leave-cut",
            "provider": {"type": "python", "module": "ordo.drills.faults_process", "func": "cut_network"},
        }
    ],
    "rollbacks": [
        {
            "type": "action",
            "name": "heal",
            "provider": {"type": "python", "module": "ordo.drills.faults_process", "func": "heal_network"},
        }
    ],
}


@pytest.fixture(scope="module")
def drilled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    """``ordo drill broken.json``: the CLI's result and the journal it wrote."""
    tmp = tmp_path_factory.mktemp("broken")
    scenario = tmp / "broken.json"
    scenario.write_text(json.dumps(BROKEN))
    journals = tmp / "journals"
    result = CliRunner().invoke(app, ["drill", str(scenario), "--journals", str(journals)])
    return result, json.loads((journals / "journal-broken.json").read_text())


def test_a_broken_hypothesis_fails_the_verdict(drilled: tuple[Any, dict[str, Any]]) -> None:
    _, journal = drilled
    assert journal["steady_states"]["before"]["steady_state_met"] is True
    assert journal["steady_states"]["after"]["steady_state_met"] is False
    rate = journal["steady_states"]["after"]["probes"][0]
    assert rate["activity"]["name"] == "intake-keeps-up" and rate["tolerance_met"] is False
    assert journal["deviated"] is True
    assert journal["verdict"] == "failed"
    assert journal["rollbacks"][0]["status"] == "succeeded"


def test_ordo_drill_exits_1_on_a_failed_verdict_and_writes_the_journal(
    drilled: tuple[Any, dict[str, Any]],
) -> None:
    result, journal = drilled
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["failed"] == 1 and summary["drills"][0]["verdict"] == "failed"
    assert journal["deviated"] is True and journal["experiment"]["title"] == BROKEN["title"]
