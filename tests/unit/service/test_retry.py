"""The one retry policy: the same delays for every use, waited on the injected clock."""

from __future__ import annotations

import random
import time

import pytest

from ordo.clock import ManualClock
from ordo.domain.errors import StoreConflict
from ordo.service.runtime.retry import SUBSCRIPTIONS, TRANSACTIONS, Backoff, RetryPolicy


class Lost(Exception):
    pass


def test_a_call_that_keeps_losing_waits_on_the_clock_and_never_sleeps_in_real_time():
    clock = ManualClock(0)
    attempts = []

    def loses() -> None:
        attempts.append(clock.now_ns())
        raise StoreConflict("lost")

    started = time.monotonic()
    with pytest.raises(StoreConflict):
        TRANSACTIONS.call(loses, StoreConflict, sleep=clock.sleep, rng=random.Random(1))
    assert len(attempts) == TRANSACTIONS.max_attempts
    assert time.monotonic() - started < 0.5  # seven backoffs of up to 0.3 s each, none slept
    # 2 + 4 + … + 128 ms, each scaled by [0.5, 1.5)
    assert 0.5 * 0.254 <= clock.slept_s < 1.5 * 0.254


def test_a_call_that_wins_on_a_later_attempt_returns_its_answer():
    clock = ManualClock(0)
    answers = iter([Lost(), Lost(), "done"])

    def work() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert TRANSACTIONS.call(work, Lost, sleep=clock.sleep, rng=random.Random(1)) == "done"


def test_an_error_that_is_not_retryable_passes_at_once():
    calls = []

    def broken() -> None:
        calls.append(1)
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        TRANSACTIONS.call(broken, StoreConflict, sleep=lambda s: pytest.fail("slept"), rng=random.Random())
    assert calls == [1]


def test_delays_grow_by_the_factor_up_to_the_cap_within_the_jitter():
    policy = RetryPolicy(base_s=1.0, factor=2.0, max_s=5.0, jitter=0.0)
    assert [policy.delay_s(n, random.Random()) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    rng = random.Random(3)
    for n in range(1, 10):
        plain = min(SUBSCRIPTIONS.max_s, SUBSCRIPTIONS.base_s * 2 ** (n - 1))
        assert 0.8 * plain <= SUBSCRIPTIONS.delay_s(n, rng) < 1.2 * plain


def test_a_scheduled_backoff_uses_the_same_policy_on_clock_nanoseconds():
    state = Backoff(random.Random(5))
    policy = RetryPolicy(base_s=10, jitter=0.0)
    state.failed(policy, 1_000, "down")
    state.failed(policy, 2_000, "still down")
    assert state.attempts == 2 and state.last_error == "still down"
    assert state.next_at_ns == 2_000 + 20 * 10**9
    assert not state.ready(state.next_at_ns - 1) and state.ready(state.next_at_ns)
    state.reset()
    assert state.attempts == 0 and state.ready(0)
