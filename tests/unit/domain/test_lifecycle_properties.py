"""Properties of the lifecycle under hostile input: duplicates, out-of-order and impossible updates.

Whatever order updates arrive in, status never moves backwards, every update gets
exactly one answer, a recorded step is never lost or recorded twice, and what is
refused is exactly what ``check_update`` refuses.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ordo.domain.errors import LifecycleViolation
from ordo.domain.orders.milestones import (
    MAX_FUTURE_SKEW_NS,
    Milestone,
    MilestoneUpdate,
    Outcome,
    apply_updates,
    check_update,
    derive_status,
)

NOW = 1_794_355_200 * 1_000_000_000
FAST = settings(max_examples=200, deadline=None)

steps = st.sampled_from(list(Milestone))
#: Mostly plausible times, sometimes far in the future (a skewed clock).
times = st.one_of(
    st.integers(NOW - 10 * 86_400 * 10**9, NOW + MAX_FUTURE_SKEW_NS),
    st.integers(NOW + MAX_FUTURE_SKEW_NS + 1, NOW + 86_400 * 10**9),
)
updates = st.lists(
    st.builds(MilestoneUpdate, st.just("O1"), steps, times, st.sampled_from(["shop", "wms", "carrier"])),
    max_size=40,
)
#: Where an order may already be when the updates arrive (not necessarily consistent).
starts = st.frozensets(st.sampled_from([Milestone.CREATED, Milestone.PAID, Milestone.ROUTED]))


def refused(recorded: set[Milestone], u: MilestoneUpdate) -> LifecycleViolation | None:
    try:
        check_update(frozenset(recorded), u.milestone, u.at_ns, NOW)
    except LifecycleViolation as exc:
        return exc
    return None


@FAST
@given(start=starts, batch=updates)
def test_status_rank_never_decreases_whatever_arrives(start, batch):
    recorded = set(start)
    rank = derive_status(recorded).rank
    for result in apply_updates(recorded, batch, NOW):
        assert result.status is not None
        assert result.status.rank >= rank
        rank = result.status.rank
    assert derive_status(recorded).rank == rank


@FAST
@given(start=starts, batch=updates)
def test_every_update_gets_exactly_one_result_in_arrival_order(start, batch):
    results = apply_updates(set(start), batch, NOW)
    assert len(results) == len(batch)
    assert all(r.update is u for r, u in zip(results, batch, strict=True))
    assert all((r.error is not None) == (r.outcome is Outcome.REJECTED) for r in results)


@FAST
@given(start=starts, batch=updates)
def test_a_recorded_step_is_never_lost_nor_recorded_twice(start, batch):
    recorded = set(start)
    results = apply_updates(recorded, batch, NOW)
    newly = [r.update.milestone for r in results if r.outcome is Outcome.RECORDED]
    assert len(newly) == len(set(newly))
    assert not set(newly) & start
    assert recorded == set(start) | set(newly)


@FAST
@given(start=starts, batch=updates)
def test_refused_updates_are_exactly_those_check_update_refuses(start, batch):
    model = set(start)  # a reference replay of the rules, step by step
    for result in apply_updates(set(start), batch, NOW):
        step = result.update.milestone
        if step in model:
            assert result.outcome is Outcome.DUPLICATE
            continue
        expected = refused(model, result.update)
        if expected is None:
            assert result.outcome is Outcome.RECORDED
            model.add(step)
        else:
            assert result.outcome is Outcome.REJECTED
            assert result.error is not None and result.error.code == expected.code
        assert result.status is derive_status(model)


@FAST
@given(start=starts, batch=updates)
def test_replaying_what_was_recorded_is_all_duplicates(start, batch):
    recorded = set(start)
    results = apply_updates(recorded, batch, NOW)
    after_first = set(recorded)
    accepted = [r.update for r in results if r.outcome is Outcome.RECORDED]
    again = apply_updates(recorded, accepted, NOW)
    assert recorded == after_first
    assert all(r.outcome is Outcome.DUPLICATE for r in again)


@FAST
@given(smaller=st.frozensets(steps), more=st.frozensets(steps))
def test_recording_more_steps_never_yields_a_lower_status(smaller, more):
    assert derive_status(smaller).rank <= derive_status(smaller | more).rank
