"""Every scenario of the library, run for real against an Ordo the drill starts: its verdict must be
``passed``, with RPO 0 (no acknowledged order missing) and its figures in the journal.

Each runs for about half a minute on 2 busy cores (start, warm-up, hypothesis, faults,
hypothesis, rollbacks); those that need PostgreSQL, root (a tmpfs of their own) or
nats-server are skipped, saying so, where those are missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ordo.drills import library, load, run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

#: A drill's targets on top of its hypothesis (the issue's figures).
RTO_TARGET_S = {"kill-server": 5.0, "kill-worker": 5.0}


@pytest.mark.parametrize("path", library(), ids=lambda p: p.stem)
def test_the_scenario_keeps_its_steady_state(path: Path, tmp_path: Path) -> None:
    exp = load(path)
    journal = run(exp, workdir=tmp_path)
    if journal["verdict"] == "skipped":
        pytest.skip(journal["reason"])
    failed = {
        phase: [(p["activity"]["name"], p.get("output"), p.get("exception")) for p in state["probes"]]
        for phase, state in journal.get("steady_states", {}).items()
        if not state["steady_state_met"]
    }
    assert journal["verdict"] == "passed", (
        journal.get("exception"),
        journal.get("failed_activities"),
        failed,
    )
    m = journal["ordo"]["measurements"]
    assert m["rpo_orders"] == 0
    assert m["orders_acknowledged"] > 0
    assert [r["fault"] for r in m["rto_per_fault"]], "the method marked no fault"
    if exp.name in RTO_TARGET_S and m["rto_s"] is not None and m["rto_s"] > RTO_TARGET_S[exp.name]:
        # Measured, reported, not a failure on a shared CI machine: see docs/DRILLS.md.
        print(f"{exp.name}: RTO {m['rto_s']} s above the {RTO_TARGET_S[exp.name]} s target")
