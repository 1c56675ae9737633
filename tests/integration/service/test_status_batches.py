"""Status and milestone batches on both backends: several callers' batches in one transaction
answer exactly as if sent one after another, and the conflict check reads only what can
contradict a claim."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ordo.clock import ManualClock
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.domain.orders.status_graph import Known
from ordo.service.orders.intake import intake
from ordo.service.orders.milestones import advance_each
from ordo.service.orders.status_updates import StatusReport, report_each, report_statuses
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, make_app, new_order, seed_tiny_world

M = Milestone
MIN = 60_000_000_000


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ordo(request: pytest.FixtureRequest, clock: ManualClock) -> Iterator[Ordo]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = make_app(url, clock)
    seed_tiny_world(app)
    clock.advance(3 * 86_400)  # reports are stamped over the days after the orders
    yield app
    app.store.dispose()


def _order(app: Ordo, external_id: str) -> str:
    [result] = intake(app, [new_order(external_id)])
    assert result.order_id is not None
    return result.order_id


def _report(oid: str, source: str, code: str, minutes: int) -> StatusReport:
    return StatusReport(source, code, T0 + minutes * MIN, order_id=oid)


def _outcomes(batches: list[list]) -> list[list[str]]:
    return [[r.outcome for r in batch] for batch in batches]


def test_batches_sharing_a_transaction_answer_as_if_sent_one_after_another(ordo):
    a, b = _order(ordo, "B-1"), _order(ordo, "B-2")
    batches = [
        [_report(a, "wms", "PICKING", 10)],
        [
            _report(a, "wms", "PICKING", 11),
            _report(b, "wms", "OUTBOUND", 30),
            _report(a, "crm", "DELIVERED", 90),
        ],
        [
            _report(a, "wms", "PACKING", 120),
            _report("OR-NOPE", "wms", "PACKING", 1),
            _report(b, "wms", "跳舞", 2),
        ],
    ]
    got = report_each(ordo, batches)
    assert _outcomes(got) == [
        ["recorded"],
        ["duplicate", "recorded", "recorded"],
        ["status_conflict", "rejected", "rejected"],
    ]
    # Each result's index is its place in its own batch, not in the shared transaction.
    assert [[r.index for r in batch] for batch in got] == [[0], [0, 1, 2], [0, 1, 2]]
    conflict = got[2][0].conflict
    assert conflict is not None and conflict["other"]["source"] == "crm"
    assert [r.error["code"] for r in got[2][1:] if r.error] == ["order_not_found", "unknown_vocabulary"]

    # The same reports one batch at a time, on fresh orders, give the same answers.
    c, d = _order(ordo, "B-3"), _order(ordo, "B-4")
    again = [
        [_report(c, "wms", "PICKING", 10)],
        [
            _report(c, "wms", "PICKING", 11),
            _report(d, "wms", "OUTBOUND", 30),
            _report(c, "crm", "DELIVERED", 90),
        ],
        [
            _report(c, "wms", "PACKING", 120),
            _report("OR-NOPE", "wms", "PACKING", 1),
            _report(d, "wms", "跳舞", 2),
        ],
    ]
    assert _outcomes([report_statuses(ordo, batch) for batch in again]) == _outcomes(got)


def test_a_claim_is_checked_against_a_report_earlier_in_the_same_batch(ordo):
    oid = _order(ordo, "B-1")
    # Nothing disputable is stored yet: the contradicting step arrives in this very batch.
    [delivered, packing] = report_statuses(
        ordo, [_report(oid, "crm", "DELIVERED", 90), _report(oid, "wms", "PACKING", 120)]
    )
    assert (delivered.outcome, packing.outcome) == ("recorded", "status_conflict")
    with ordo.store.uow(read_only=True) as uow:
        steps = {m["milestone"] for m in uow.orders.milestones(oid)}
    assert "delivered" in steps and "packed" not in steps  # the conflicting claim was not applied


def test_the_conflict_check_reads_only_the_orders_and_milestones_asked_for(ordo):
    a, b = _order(ordo, "B-1"), _order(ordo, "B-2")
    report_statuses(ordo, [_report(a, "wms", "OUTBOUND", 30), _report(b, "sf", "揽收", 60)])
    with ordo.store.uow(read_only=True) as uow:
        found = uow.claims.known([a, "OR-NOPE"], [M.OUTBOUND, M.DELIVERED])
        nothing = uow.claims.known([a], [])
    assert found == {a: {M.OUTBOUND: Known(T0 + 30 * MIN, "wms")}}
    assert nothing == {}


def test_milestone_batches_in_one_transaction_split_their_results_and_wake_listeners_once(ordo):
    oid = _order(ordo, "B-1")
    wakes: list[int] = []
    ordo.notifier.subscribe(lambda: wakes.append(1))
    at = T0 + 10 * MIN
    got = advance_each(
        ordo,
        [
            [MilestoneUpdate(oid, M.PICKED, at, "wms")],
            [MilestoneUpdate(oid, M.PICKED, at, "wms"), MilestoneUpdate(oid, M.RETURNED, at, "wms")],
        ],
    )
    assert [[r.outcome.value for r in batch] for batch in got] == [["recorded"], ["duplicate", "rejected"]]
    assert got[1][1].error is not None and got[1][1].error.code == "not_shipped"
    assert len(wakes) == 1
    with ordo.store.uow(read_only=True) as uow:
        [anomaly] = uow.orders.anomalies(oid)
        assert uow.orders.get(oid)["status"] == "in_warehouse"
    assert anomaly["code"] == "not_shipped"
