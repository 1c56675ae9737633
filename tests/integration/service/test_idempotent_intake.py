"""An idempotency key's answer is stored in the transaction that writes its orders.

So a request's orders and its answer exist together or not at all, and a retry always
gets the first answer: after a crash, after a failed commit, and when two copies of the
request race (on PostgreSQL the second waits for the first's key, then replays it).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from ordo.adapters.store.uow import UnitOfWork
from ordo.domain.errors import Conflict, StoreUnavailable
from ordo.service.orders.intake import (
    ACCEPTED,
    Idempotency,
    IntakeOutcome,
    IntakeRequest,
    IntakeResult,
    Replayed,
    answer_body,
    intake_requests,
)
from ordo.service.runtime import keys
from ordo.service.runtime.app import Ordo
from tests.conftest import make_app, new_order, seed_tiny_world


@pytest.fixture(params=["sqlite", "postgresql"])
def ordo(request: pytest.FixtureRequest, sqlite_url: str, clock: object) -> Iterator[Ordo]:
    url = sqlite_url if request.param == "sqlite" else request.getfixturevalue("pg_url")
    app = make_app(url, clock)  # type: ignore[arg-type]
    seed_tiny_world(app)
    yield app
    app.store.dispose()


def _request(external_id: str, key: str, body_hash: str = "h" * 64) -> IntakeRequest:
    return IntakeRequest([new_order(external_id)], True, None, Idempotency(key, body_hash))


def _body(answer: list[IntakeResult] | Exception | Replayed) -> object:
    if isinstance(answer, Replayed):
        return answer.body
    assert isinstance(answer, list), answer
    return answer_body(answer)


def _orders(app: Ordo) -> int:
    with app.store.uow(read_only=True) as uow:
        return uow.catalog.count("orders")


def test_the_answer_is_stored_with_the_orders_and_replayed(ordo: Ordo) -> None:
    [first] = intake_requests(ordo, [_request("IK-1", "k1")])
    assert isinstance(first, list) and first[0].outcome is IntakeOutcome.CREATED
    assert keys.recall(ordo, "k1", "h" * 64) == (ACCEPTED, answer_body(first))
    [again] = intake_requests(ordo, [_request("IK-1", "k1")])
    assert again == Replayed(ACCEPTED, answer_body(first))  # "created", not "duplicate"
    assert _orders(ordo) == 1


def test_a_failed_commit_leaves_neither_orders_nor_answer(
    ordo: Ordo, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: UnitOfWork) -> None:
        raise StoreUnavailable("disk full / 磁盘已满")

    with monkeypatch.context() as m:
        m.setattr(UnitOfWork, "commit", fail)
        with pytest.raises(StoreUnavailable):
            intake_requests(ordo, [_request("IK-2", "k2")])
    assert _orders(ordo) == 0
    assert keys.recall(ordo, "k2", "h" * 64) is None
    [retried] = intake_requests(ordo, [_request("IK-2", "k2")])  # the retry creates it, once
    assert isinstance(retried, list) and retried[0].outcome is IntakeOutcome.CREATED
    assert _orders(ordo) == 1


def test_the_same_key_twice_in_one_batch_answers_both_with_the_first(ordo: Ordo) -> None:
    first, second = intake_requests(ordo, [_request("IK-3", "k3"), _request("IK-3", "k3")])
    assert isinstance(first, list) and first[0].outcome is IntakeOutcome.CREATED
    assert second == Replayed(ACCEPTED, answer_body(first))


def test_a_key_reused_for_another_request_is_a_conflict_that_writes_nothing(ordo: Ordo) -> None:
    intake_requests(ordo, [_request("IK-4", "k4")])
    with pytest.raises(Conflict):
        intake_requests(ordo, [_request("IK-5", "k4", "x" * 64)])
    assert _orders(ordo) == 1


def _race(ordo: Ordo, copies: int, key: str, ext: str) -> list[object]:
    """``copies`` threads send the same request at once; their answers' bodies."""
    start = threading.Barrier(copies)
    answers: list[object] = []

    def send() -> None:
        start.wait(10)
        [answer] = intake_requests(ordo, [_request(ext, key)])
        answers.append(_body(answer))

    threads = [threading.Thread(target=send) for _ in range(copies)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    return answers


def test_racing_copies_of_a_request_get_one_answer(ordo: Ordo) -> None:
    for round_ in range(3):
        answers = _race(ordo, 4, f"race-{round_}", f"IK-R{round_}")
        assert len(answers) == 4
        assert all(a == answers[0] for a in answers), answers
        body = answers[0]
        assert isinstance(body, dict) and body["created"] == 1
    assert _orders(ordo) == 3
