"""The Ordo's background jobs: started and stopped through ``ordo.background``."""

from __future__ import annotations

import pytest

from ordo.service.events.outbound import OutboundConfig
from ordo.service.runtime.background import Job


def test_starting_every_job_runs_one_thread_each_and_stopping_ends_them(world):
    threads = world.background.start(outbound=OutboundConfig(idle_s=0.05))
    try:
        names = sorted(t.name for t in threads)
        assert names == [
            "ordo-alerts",
            "ordo-bot-replies",
            "ordo-projector",
            "ordo-pull",
            "ordo-stock",
            "ordo-subscriptions",
            "ordo-upkeep",
            "ordo-writeback",
        ]
        assert all(t.is_alive() for t in threads) and world.background.running
    finally:
        world.background.stop(timeout_s=10)
    assert not any(t.is_alive() for t in threads)
    assert world.background.threads == () and not world.background.running


def test_a_relay_starts_only_the_outbound_job(world):
    threads = world.background.start([Job.OUTBOUND], outbound=OutboundConfig(idle_s=0.05))
    try:
        assert [t.name for t in threads] == ["ordo-subscriptions", "ordo-alerts", "ordo-bot-replies"]
    finally:
        world.background.stop()


def test_jobs_cannot_be_started_twice_but_can_be_started_again_after_a_stop(world):
    world.background.start([Job.PROJECTOR])
    try:
        with pytest.raises(RuntimeError):
            world.background.start([Job.PROJECTOR])
    finally:
        world.background.stop()
    world.background.stop()  # a second stop does nothing
    [again] = world.background.start([Job.PROJECTOR])
    world.background.stop()
    assert not again.is_alive()


def test_two_ordos_over_one_database_share_no_cache(world):
    from ordo.bootstrap import bootstrap
    from ordo.config import Settings

    other = bootstrap(Settings(database_url=world.store.url), clock=world.clock, migrate=False)
    try:
        assert other.caches.routing is not world.caches.routing
        assert other.caches.rulebook is not world.caches.rulebook
        assert other.caches.keys is not world.caches.keys
    finally:
        other.store.dispose()
