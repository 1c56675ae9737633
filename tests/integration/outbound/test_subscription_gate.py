"""The subscription worker does not read the subscriptions table on every commit when there are none."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa

from ordo.bootstrap import bootstrap
from ordo.config import Settings
from ordo.service.events.outbound import SubscriptionGate
from ordo.service.events.subscriptions import create_subscription, delete_subscription, replay
from ordo.service.runtime.app import Ordo

URL = "http://127.0.0.1:9/hook"
LOCAL = ("127.0.0.1",)  # allowed explicitly: a loopback target is refused by default


@pytest.fixture(autouse=True)
def _loopback_allowed(app: Ordo) -> None:
    """The receivers here listen on 127.0.0.1, a target only an admin's allow-list opens."""
    app.settings = replace(app.settings, outbound_allow_hosts=("127.0.0.1",))


class Step:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return 0


@pytest.fixture
def reads(app) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if "webhook_subscriptions" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    sa.event.listen(app.store.engine, "before_cursor_execute", record)
    yield seen
    sa.event.remove(app.store.engine, "before_cursor_execute", record)


def test_with_no_subscription_the_table_is_read_once_per_recheck_not_per_commit(app, clock, reads):
    step = Step()
    gate = SubscriptionGate(app, step, recheck_s=1.0)
    for _ in range(50):  # fifty commits' worth of wake-ups
        assert gate() == 0
    assert step.calls == 0 and len(reads) == 1
    clock.advance(1.0)
    gate()
    assert len(reads) == 2


def test_a_subscription_made_in_this_process_opens_the_gate_at_once(app, reads):
    step = Step()
    gate = SubscriptionGate(app, step, recheck_s=60.0)
    gate()
    create_subscription(app, URL, [])
    gate()
    assert step.calls == 1


def test_a_subscription_made_by_another_process_is_seen_within_the_recheck_time(app, clock, sqlite_url):
    step = Step()
    gate = SubscriptionGate(app, step, recheck_s=1.0)
    gate()
    other = bootstrap(Settings(database_url=sqlite_url, outbound_allow_hosts=LOCAL), clock=clock)
    try:
        create_subscription(other, URL, [])
    finally:
        other.store.dispose()
    gate()
    assert step.calls == 0  # not yet: "none" is still fresh
    clock.advance(1.0)
    gate()
    assert step.calls == 1


def test_deleting_the_last_subscription_closes_the_gate(app):
    step = Step()
    gate = SubscriptionGate(app, step, recheck_s=60.0)
    sub = create_subscription(app, URL, [])
    gate()
    gate()
    assert step.calls == 2  # open: the dispatcher runs on every wake-up, as before
    delete_subscription(app, sub["id"])
    gate()
    assert step.calls == 2


def test_a_replay_started_in_this_process_runs_the_dispatcher_at_once(app, clock):
    step = Step()
    gate = SubscriptionGate(app, step, recheck_s=60.0)
    gate()  # "none", remembered
    other = bootstrap(Settings(database_url=app.store.url, outbound_allow_hosts=LOCAL), clock=clock)
    try:
        sub = create_subscription(other, URL, [])  # unseen here until the recheck ...
    finally:
        other.store.dispose()
    gate()
    assert step.calls == 0
    replay(app, sub["id"], 0, clock.now_ns())  # ... but a replay asked of this process is news
    gate()
    assert step.calls == 1
