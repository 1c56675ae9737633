"""Every scenario of the library, run for real against an Ordo the drill starts: its verdict must be
``passed``, with RPO 0 (no acknowledged order missing) and its figures in the journal.

The library runs once, as ``ordo drill --all --ci --parallel 2`` does: drills whose server
is configured alike share one running Ordo in a lane (each has its own orders, cursor and
baseline), lanes run side by side on servers of their own, and each scenario runs with
its CI values (its ``ci`` extension: the broker is down 5 s here, 60 s in the full drill).
Each case then judges its own journal. Those that need PostgreSQL, root (a tmpfs of their
own) or nats-server are skipped, saying so, where those are missing.
``ORDO_DRILL_PARALLEL`` sets the lanes (1: one after the other).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ordo.drills import Targets, library, load, run_all, write_journal

#: The whole library runs in the first case's setup: its timeout bounds the CI run.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(480)]

#: A drill's targets on top of its hypothesis (the issue's figures).
RTO_TARGET_S = {"kill-server": 5.0, "kill-worker": 5.0}


@pytest.fixture(scope="module")
def journals(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, Any]]]:
    """Every scenario's journal, from one run of the library (see the module doc)."""
    pool = Targets(tmp_path_factory.mktemp("drills"))
    experiments = [load(p) for p in library()]
    try:
        ran = run_all(
            experiments, targets=pool, ci=True, parallel=int(os.environ.get("ORDO_DRILL_PARALLEL", "2"))
        )
    finally:
        pool.close()
    yield {e.name: j for e, j in zip(experiments, ran, strict=True)}


@pytest.mark.parametrize("path", library(), ids=lambda p: p.stem)
def test_the_scenario_keeps_its_steady_state(path: Path, journals: dict[str, dict[str, Any]]) -> None:
    exp = load(path)
    journal = journals[exp.name]
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
    assert journal["ordo"]["profile"] == "ci"
    assert journal["ordo"]["configuration"] == {**exp.configuration, **exp.ci}  # what ran, recorded
    m = journal["ordo"]["measurements"]
    assert m["rpo_orders"] == 0
    assert m["orders_acknowledged"] > 0
    assert [r["fault"] for r in m["rto_per_fault"]], "the method marked no fault"
    if exp.name in RTO_TARGET_S and m["rto_s"] is not None and m["rto_s"] > RTO_TARGET_S[exp.name]:
        # Measured, reported, not a failure on a shared CI machine: see docs/DRILLS.md.
        print(f"{exp.name}: RTO {m['rto_s']} s above the {RTO_TARGET_S[exp.name]} s target")
