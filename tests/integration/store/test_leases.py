"""Leases: one holder per duty across processes; a holder killed with SIGKILL loses it at once.

Real processes (a holder is a child Python that takes a lease and sleeps), on PostgreSQL
(advisory locks on a dedicated connection) and on a SQLite file (``flock``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from ordo.adapters.store.leases import LocalLeases, PostgresLeases, open_leases
from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.service.events.outbound import OutboundConfig
from ordo.service.ports.leases import hold

HOLDER = """
import sys, time
from ordo.adapters.store.leases import {cls}
leases = {cls}({arg!r}, "child")
assert leases.try_acquire("upkeep")
print("held", flush=True)
time.sleep(120)
"""


def _holder(cls: str, arg: str) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER.format(cls=cls, arg=arg)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "held"
    return child


def _takeover_s(child: subprocess.Popen[str], contender: PostgresLeases | LocalLeases) -> float:
    assert not contender.try_acquire("upkeep")  # the child holds it
    assert contender.try_acquire("projector")  # another duty is free
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    killed = time.monotonic()
    while not contender.try_acquire("upkeep"):
        assert time.monotonic() - killed < 5.0, "the lease was not freed within 5 s of the kill"
        time.sleep(0.05)
    return time.monotonic() - killed


@pytest.mark.postgres
def test_a_postgres_lease_moves_within_a_second_of_its_holder_being_killed(pg_url: str) -> None:
    child = _holder("PostgresLeases", pg_url)
    contender = PostgresLeases(pg_url, "survivor")
    try:
        assert _takeover_s(child, contender) < 1.0
        assert contender.held() == {"upkeep", "projector"}
        contender.release("upkeep")
        assert contender.held() == {"projector"}
    finally:
        child.kill()
        contender.close()


def test_a_sqlite_file_lease_moves_when_its_holder_is_killed(tmp_path: Path) -> None:
    db = str(tmp_path / "ordo.db")
    child = _holder("LocalLeases", db)
    contender = LocalLeases(db, "survivor")
    try:
        assert _takeover_s(child, contender) < 1.0
    finally:
        child.kill()
        contender.close()


@pytest.mark.postgres
def test_a_lost_connection_drops_every_lease_and_they_are_taken_again(pg_url: str) -> None:
    a, b = PostgresLeases(pg_url, "a"), PostgresLeases(pg_url, "b")
    try:
        assert a.try_acquire("upkeep") and not b.try_acquire("upkeep")
        eng = sa.create_engine(pg_url)
        with eng.connect() as conn:  # an operator (or a network fault) ends a's session
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = 'ordo-leases a'"
                )
            )
            conn.commit()
        eng.dispose()
        assert not a.try_acquire("upkeep")  # a notices at its next check: nothing held
        assert a.held() == frozenset()
        assert b.try_acquire("upkeep")
        assert not a.try_acquire("upkeep")  # a reconnects, but b holds it now
    finally:
        a.close()
        b.close()


def test_hold_gives_back_only_what_it_took(tmp_path: Path) -> None:
    leases = open_leases(sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}"), "n")
    other = LocalLeases(str(tmp_path / "x.db"), "m")
    with hold(leases, "pull") as held:
        assert held and not other.try_acquire("pull")
    assert other.try_acquire("pull")
    with hold(leases, "pull", wait_s=0.3) as held:
        assert not held
    other.close()


@pytest.mark.postgres
def test_two_nodes_on_one_database_run_each_duty_once(pg_url: str) -> None:
    nodes = [bootstrap(Settings(database_url=pg_url)) for _ in range(2)]
    try:
        for n in nodes:
            n.background.start(outbound=OutboundConfig(idle_s=0.05))
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            views = [n.background.duties() for n in nodes]
            if all(views[0][d] != views[1][d] for d in views[0]):
                break
            time.sleep(0.05)
        assert set(views[0]) >= {"ordo-upkeep", "ordo-projector", "ordo-subscriptions", "ordo-pull"}
        for duty in views[0]:
            assert sorted([views[0][duty], views[1][duty]]) == ["held", "standby"], duty
        # The holder stops (as at shutdown): the other takes over every duty.
        holder = 0 if views[0]["ordo-upkeep"] == "held" else 1
        nodes[holder].background.stop()
        survivor = nodes[1 - holder]
        deadline = time.monotonic() + 5
        while set(survivor.background.duties().values()) != {"held"}:
            assert time.monotonic() < deadline, survivor.background.duties()
            time.sleep(0.05)
    finally:
        for n in nodes:
            n.background.stop()
            n.store.dispose()


def test_one_sqlite_server_holds_every_duty(sqlite_url: str) -> None:
    ordo = bootstrap(Settings(database_url=sqlite_url))
    try:
        ordo.background.start(outbound=OutboundConfig(idle_s=0.05))
        deadline = time.monotonic() + 3
        while set(ordo.background.duties().values()) != {"held"}:
            assert time.monotonic() < deadline, ordo.background.duties()
            time.sleep(0.02)
    finally:
        ordo.background.stop()
        ordo.store.dispose()


@pytest.mark.postgres
def test_three_nodes_spread_the_duties_and_each_duty_has_one_holder(pg_url: str) -> None:
    nodes = [bootstrap(Settings(database_url=pg_url)) for _ in range(3)]
    try:
        nodes[0].background.start(outbound=OutboundConfig(idle_s=0.05))
        deadline = time.monotonic() + 3
        while set(nodes[0].background.duties().values()) != {"held"}:  # alone: it takes all
            assert time.monotonic() < deadline, nodes[0].background.duties()
            time.sleep(0.05)
        for n in nodes[1:]:
            n.background.start(outbound=OutboundConfig(idle_s=0.05))
        duties = set(nodes[0].background.duties())
        share = -(-len(duties) // 3)
        deadline = time.monotonic() + 25
        while True:
            views = [n.background.duties() for n in nodes]
            counts = [sum(v == "held" for v in view.values()) for view in views]
            single = all(sum(view[d] == "held" for view in views) == 1 for d in duties)
            if single and all(1 <= c <= share for c in counts):
                break
            assert time.monotonic() < deadline, views
            time.sleep(0.1)
        # The node holding most stops: the other two hold everything again within 5 s.
        busiest = max(range(3), key=lambda i: counts[i])
        nodes[busiest].background.stop()
        rest = [n for i, n in enumerate(nodes) if i != busiest]
        deadline = time.monotonic() + 5
        while True:
            views = [n.background.duties() for n in rest]
            if all(sum(view[d] == "held" for view in views) == 1 for d in duties):
                break
            assert time.monotonic() < deadline, views
            time.sleep(0.05)
    finally:
        for n in nodes:
            n.background.stop()
            n.store.dispose()
