"""Resilience drills: Chaos Toolkit-format scenarios run against an Ordo the drill starts itself.

``ordo drill SCENARIO`` / ``ordo drill --all``. A scenario (``scenarios/*.json``) names a
steady-state hypothesis, the faults to inject and the rollbacks; the runner starts Ordo
(SQLite or PostgreSQL), drives orders at it, checks the hypothesis before and after the
faults and writes a journal with a verdict, RTO and RPO. Modules, one idea each:
``experiment`` (the file format), ``target`` (the running Ordo), ``traffic`` (the orders),
``stream`` (the subscriber), ``probes`` (the steady state), ``faults_process`` and
``faults_world`` (what is injected), ``proxy`` (the network), ``disk`` (a small disk),
``runner`` (the order of things and the verdict).
"""

from __future__ import annotations

from ordo.drills.experiment import Experiment, ScenarioError, find, library, load, parse
from ordo.drills.runner import run, run_all, write_journal
from ordo.drills.target import Targets

__all__ = [
    "Experiment",
    "ScenarioError",
    "Targets",
    "find",
    "library",
    "load",
    "parse",
    "run",
    "run_all",
    "write_journal",
]
