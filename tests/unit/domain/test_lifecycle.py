"""The lifecycle rules: impossible updates and their codes, duplicates, the status table, labels."""

from __future__ import annotations

import re

import pytest

from ordo.domain.errors import LifecycleViolation
from ordo.domain.orders.milestones import (
    LEFT_WAREHOUSE,
    MAX_FUTURE_SKEW_NS,
    MILESTONE_LABELS,
    MILESTONES,
    SIDE_STATES,
    STATUS_GRAPH,
    STATUS_LABELS,
    Milestone,
    MilestoneUpdate,
    Outcome,
    Status,
    apply_updates,
    check_update,
    derive_status,
    label,
)

M = Milestone
NOW = 1_794_355_200 * 1_000_000_000
CJK = re.compile(r"[\u4e00-\u9fff]")

#: Steps an order has once it is paid and routed but still in the warehouse.
ROUTED = frozenset({M.CREATED, M.PAID, M.STOCK_LOCKED, M.ROUTED})
#: Steps an order has once its parcel has left the warehouse.
SHIPPED = ROUTED | {M.PICKED, M.PACKED, M.WAYBILL_ISSUED, M.OUTBOUND}


def violation(recorded: frozenset[Milestone], step: Milestone, at_ns: int = NOW) -> LifecycleViolation:
    with pytest.raises(LifecycleViolation) as info:
        check_update(recorded, step, at_ns, NOW)
    return info.value


def test_there_are_seventeen_milestones_numbered_in_order_and_five_side_states():
    assert len(MILESTONES) == 17
    assert [m.number for m in MILESTONES] == list(range(1, 18))
    assert MILESTONES[0] is M.CREATED and MILESTONES[-1] is M.COMPLETED
    assert {M.ON_HOLD, M.CANCELLED, M.RETURN_REQUESTED, M.RETURNED, M.REFUNDED} == SIDE_STATES
    assert all(s.number == 0 and s.is_side_state for s in SIDE_STATES)
    assert not any(m.is_side_state for m in MILESTONES)


def test_the_goods_have_left_the_warehouse_from_outbound_onwards():
    assert min(m.number for m in LEFT_WAREHOUSE) == M.OUTBOUND.number
    assert {m for m in MILESTONES if m.number >= M.OUTBOUND.number} == LEFT_WAREHOUSE


@pytest.mark.parametrize(
    ("recorded", "step", "code"),
    [
        (ROUTED | {M.CANCELLED}, M.DELIVERED, "order_cancelled"),
        (ROUTED | {M.CANCELLED}, M.PICKED, "order_cancelled"),
        (ROUTED | {M.CANCELLED}, M.ON_HOLD, "order_cancelled"),
        (SHIPPED, M.CANCELLED, "already_shipped"),
        (ROUTED | {M.DELIVERED}, M.CANCELLED, "already_shipped"),
        (SHIPPED, M.ON_HOLD, "already_shipped"),
        (frozenset({M.CREATED}), M.REFUNDED, "not_paid"),
        (ROUTED, M.RETURN_REQUESTED, "not_shipped"),
        (ROUTED, M.RETURNED, "not_shipped"),
    ],
)
def test_an_impossible_update_is_refused_with_the_code_of_the_rule_it_breaks(recorded, step, code):
    error = violation(recorded, step)
    assert error.code == code
    assert error.details["milestone"] == step.value
    assert error.http_status == 409
    assert " / " in error.message and CJK.search(error.message)


def test_a_timestamp_beyond_the_allowed_clock_skew_is_refused_as_in_the_future():
    error = violation(ROUTED, M.PICKED, at_ns=NOW + MAX_FUTURE_SKEW_NS + 1)
    assert error.code == "timestamp_in_future"
    assert error.details["at_ns"] == NOW + MAX_FUTURE_SKEW_NS + 1


def test_a_timestamp_within_the_allowed_clock_skew_is_accepted():
    check_update(ROUTED, M.PICKED, NOW + MAX_FUTURE_SKEW_NS, NOW)


def test_a_cancelled_order_may_still_be_refunded_when_it_was_paid():
    check_update(ROUTED | {M.CANCELLED}, M.REFUNDED, NOW, NOW)


def test_an_order_may_be_cancelled_or_held_until_it_leaves_the_warehouse():
    before_outbound = ROUTED | {M.PICKED, M.PACKED, M.WAYBILL_ISSUED}
    check_update(before_outbound, M.CANCELLED, NOW, NOW)
    check_update(before_outbound, M.ON_HOLD, NOW, NOW)


def test_a_return_is_possible_once_the_goods_have_left():
    check_update(SHIPPED | {M.DELIVERED}, M.RETURN_REQUESTED, NOW, NOW)
    check_update(SHIPPED | {M.DELIVERED, M.RETURN_REQUESTED}, M.RETURNED, NOW, NOW)


def test_out_of_order_updates_are_not_violations():
    # The carrier's "delivered" may arrive before the WMS's "packed".
    recorded = {M.CREATED, M.PAID}
    results = apply_updates(
        recorded,
        [
            MilestoneUpdate("O1", M.DELIVERED, NOW, "sf"),
            MilestoneUpdate("O1", M.PACKED, NOW - 10, "wms"),
        ],
        NOW,
    )
    assert [r.outcome for r in results] == [Outcome.RECORDED, Outcome.RECORDED]
    assert [r.status for r in results] == [Status.DELIVERED, Status.DELIVERED]
    assert recorded == {M.CREATED, M.PAID, M.DELIVERED, M.PACKED}


def test_a_duplicate_update_is_reported_as_such_and_changes_nothing():
    recorded = set(ROUTED)
    first = MilestoneUpdate("O1", M.PICKED, NOW, "wms")
    again = MilestoneUpdate("O1", M.PICKED, NOW + 5, "other-wms")
    results = apply_updates(recorded, [first, again], NOW)
    assert [r.outcome for r in results] == [Outcome.RECORDED, Outcome.DUPLICATE]
    assert results[1].status is Status.IN_WAREHOUSE and results[1].error is None
    assert recorded == ROUTED | {M.PICKED}


def test_a_rejected_update_carries_its_error_and_leaves_the_steps_as_they_were():
    recorded = set(SHIPPED)
    [result] = apply_updates(recorded, [MilestoneUpdate("O1", M.CANCELLED, NOW, "shop")], NOW)
    assert result.outcome is Outcome.REJECTED
    assert result.error is not None and result.error.code == "already_shipped"
    assert result.status is Status.SHIPPED
    assert recorded == SHIPPED


def test_a_duplicate_of_a_recorded_step_is_a_duplicate_even_when_it_would_now_be_refused():
    recorded = set(ROUTED | {M.CANCELLED})
    [result] = apply_updates(recorded, [MilestoneUpdate("O1", M.CANCELLED, NOW, "shop")], NOW)
    assert result.outcome is Outcome.DUPLICATE


@pytest.mark.parametrize(
    ("recorded", "status"),
    [
        (set(), Status.PENDING_PAYMENT),
        ({M.CREATED}, Status.PENDING_PAYMENT),
        ({M.CREATED, M.STOCK_LOCKED, M.ROUTED}, Status.PENDING_PAYMENT),
        ({M.CREATED, M.PAID}, Status.PAID),
        ({M.CREATED, M.PAID, M.RISK_CHECKED}, Status.PROCESSING),
        ({M.CREATED, M.PAID, M.REVIEWED}, Status.PROCESSING),
        (set(ROUTED), Status.PROCESSING),
        (ROUTED | {M.RELEASED_TO_WAREHOUSE}, Status.IN_WAREHOUSE),
        (ROUTED | {M.PICKED, M.PACKED}, Status.IN_WAREHOUSE),
        # Outbound without a waybill is not "shipped" yet: the condition is composite.
        (ROUTED | {M.OUTBOUND}, Status.IN_WAREHOUSE),
        ({M.CREATED, M.OUTBOUND, M.WAYBILL_ISSUED}, Status.IN_WAREHOUSE),
        (set(SHIPPED), Status.SHIPPED),
        (SHIPPED | {M.COLLECTED}, Status.IN_TRANSIT),
        (SHIPPED | {M.DEPARTED}, Status.IN_TRANSIT),
        (SHIPPED | {M.IN_TRANSIT}, Status.IN_TRANSIT),
        (SHIPPED | {M.OUT_FOR_DELIVERY}, Status.OUT_FOR_DELIVERY),
        (SHIPPED | {M.DELIVERED}, Status.DELIVERED),
        ({M.CREATED, M.DELIVERED}, Status.DELIVERED),
        (SHIPPED | {M.DELIVERED, M.COMPLETED}, Status.COMPLETED),
        (SHIPPED | {M.DELIVERED, M.RETURN_REQUESTED}, Status.RETURNING),
        (SHIPPED | {M.DELIVERED, M.RETURN_REQUESTED, M.RETURNED}, Status.RETURNED),
        (ROUTED | {M.CANCELLED}, Status.CANCELLED),
        (ROUTED | {M.CANCELLED, M.REFUNDED}, Status.REFUNDED),
        (SHIPPED | {M.RETURNED, M.REFUNDED}, Status.REFUNDED),
        # A hold is an overlay, not a status.
        (ROUTED | {M.ON_HOLD}, Status.PROCESSING),
    ],
)
def test_status_is_derived_from_the_recorded_steps_by_the_status_graph(recorded, status):
    assert derive_status(recorded) is status
    assert derive_status(list(recorded)) is status  # any iterable will do


def test_every_status_but_the_first_has_a_condition_in_the_graph():
    assert set(STATUS_GRAPH) == set(Status) - {Status.PENDING_PAYMENT}


def test_status_ranks_follow_the_declaration_order():
    assert [s.rank for s in Status] == list(range(len(Status)))
    assert Status.DELIVERED.rank > Status.SHIPPED.rank > Status.PAID.rank


@pytest.mark.parametrize("step", list(Milestone))
def test_every_milestone_has_a_label_in_chinese_and_in_english(step):
    en, zh = MILESTONE_LABELS[step]
    assert en.isascii() and en.strip()
    assert CJK.search(zh)
    assert label(step) == zh and label(step, "zh") == zh
    assert label(step, "en") == en


@pytest.mark.parametrize("status", list(Status))
def test_every_status_has_a_label_in_chinese_and_in_english(status):
    en, zh = STATUS_LABELS[status]
    assert en.isascii() and en.strip()
    assert CJK.search(zh)


def test_labels_are_distinct_within_each_language():
    for table in (MILESTONE_LABELS, STATUS_LABELS):
        en = [v[0] for v in table.values()]
        zh = [v[1] for v in table.values()]
        assert len(set(en)) == len(en)
        assert len(set(zh)) == len(zh)
