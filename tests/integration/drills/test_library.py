"""Every scenario of the library, run for real against an Ordo the drill starts: its verdict must be
``passed``, with RPO 0 (no acknowledged order missing) and its figures in the journal.

Drills whose server is configured alike share one running Ordo (as ``ordo drill --all``
does); each has its own orders, cursor and baseline. Those that need PostgreSQL, root (a
tmpfs of their own) or nats-server are skipped, saying so, where those are missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ordo.drills import Targets, library, load, run, write_journal

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

#: A drill's targets on top of its hypothesis (the issue's figures).
RTO_TARGET_S = {"kill-server": 5.0, "kill-worker": 5.0}


@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Targets]:
    """Drills whose server is configured alike share one, as ``ordo drill --all`` does."""
    pool = Targets(tmp_path_factory.mktemp("drills"))
    yield pool
    pool.close()


@pytest.mark.parametrize("path", library(), ids=lambda p: p.stem)
def test_the_scenario_keeps_its_steady_state(path: Path, targets: Targets) -> None:
    exp = load(path)
    journal = run(exp, targets=targets)
    if os.environ.get("ORDO_DRILL_JOURNALS"):  # keep the journals (figures for docs/DRILLS.md)
        write_journal(journal, Path(os.environ["ORDO_DRILL_JOURNALS"]))
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
