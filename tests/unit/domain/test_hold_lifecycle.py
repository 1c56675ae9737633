"""Holds that hold: the release to the warehouse is refused while an order is held; the
warehouse's and carriers' own steps are recorded (they happened) but break the hold."""

from __future__ import annotations

import re

import pytest

from ordo.domain.errors import LifecycleViolation
from ordo.domain.incidents.incident import DETECTOR_LABELS, Detector
from ordo.domain.incidents.playbooks import PLAYBOOKS, STEP_LABELS, Step, playbook
from ordo.domain.orders.milestones import (
    HOLD_VIOLATING,
    LEFT_WAREHOUSE,
    Milestone,
    MilestoneUpdate,
    Outcome,
    apply_updates,
    check_update,
    violates_hold,
)

M = Milestone
NOW = 1_794_355_200 * 1_000_000_000
CJK = re.compile(r"[\u4e00-\u9fff]")
ROUTED = frozenset({M.CREATED, M.PAID, M.STOCK_LOCKED, M.ROUTED, M.ON_HOLD})
HOLDS = ["manual:客户要求暂停", "review", "review:大额订单", "no_stock", "address_unresolved"]


@pytest.mark.parametrize("hold", HOLDS)
def test_a_held_order_is_not_released_to_the_warehouse(hold: str) -> None:
    with pytest.raises(LifecycleViolation) as info:
        check_update(ROUTED, M.RELEASED_TO_WAREHOUSE, NOW, NOW, hold)
    err = info.value
    assert err.code == "order_on_hold"
    assert CJK.search(err.message) and "hold" in err.message
    assert err.details == {"milestone": "released_to_warehouse", "hold_reason": hold}


def test_without_a_hold_the_release_is_recorded() -> None:
    check_update(ROUTED, M.RELEASED_TO_WAREHOUSE, NOW, NOW, None)
    check_update(ROUTED, M.RELEASED_TO_WAREHOUSE, NOW, NOW, "")


@pytest.mark.parametrize("step", sorted(HOLD_VIOLATING))
def test_physical_steps_of_a_held_order_are_recorded_and_break_the_hold(step: Milestone) -> None:
    check_update(ROUTED | {M.RELEASED_TO_WAREHOUSE}, step, NOW, NOW, "manual:停发")  # not refused
    assert violates_hold(step, "manual:停发")
    assert not violates_hold(step, None)


def test_the_steps_that_break_a_hold_are_the_warehouse_and_carrier_ones() -> None:
    assert {M.PICKED, M.PACKED, M.WAYBILL_ISSUED, M.OUTBOUND, M.COLLECTED, M.DEPARTED} <= HOLD_VIOLATING
    assert LEFT_WAREHOUSE - {M.COMPLETED} <= HOLD_VIOLATING
    for step in (M.CREATED, M.PAID, M.REVIEWED, M.ROUTED, M.RELEASED_TO_WAREHOUSE, M.COMPLETED,
                 M.ON_HOLD, M.CANCELLED, M.REFUNDED):  # fmt: skip
        assert not violates_hold(step, "manual:停发")


def test_apply_updates_refuses_the_release_and_keeps_the_picking_of_a_held_order() -> None:
    recorded = set(ROUTED)
    ups = [
        MilestoneUpdate("O1", M.RELEASED_TO_WAREHOUSE, NOW, "oms"),
        MilestoneUpdate("O1", M.PICKED, NOW, "wms"),
        MilestoneUpdate("O1", M.PACKED, NOW, "wms"),
    ]
    results = apply_updates(recorded, ups, NOW, "manual:停发")
    assert [r.outcome for r in results] == [Outcome.REJECTED, Outcome.RECORDED, Outcome.RECORDED]
    assert results[0].error is not None and results[0].error.code == "order_on_hold"
    assert M.RELEASED_TO_WAREHOUSE not in recorded and {M.PICKED, M.PACKED} <= recorded
    # Once the hold is lifted the release goes through.
    [again] = apply_updates(recorded, [ups[0]], NOW, None)
    assert again.outcome is Outcome.RECORDED


def test_other_rules_come_first_for_a_cancelled_held_order() -> None:
    with pytest.raises(LifecycleViolation) as info:
        check_update(ROUTED | {M.CANCELLED}, M.RELEASED_TO_WAREHOUSE, NOW, NOW, "manual:x")
    assert info.value.code == "order_cancelled"


def test_the_new_detectors_and_their_playbooks() -> None:
    for d in (Detector.HOLD_VIOLATED, Detector.CARRIER_MISMATCH):
        en, zh = DETECTOR_LABELS[d]
        assert en and CJK.search(zh)
        assert d.value in PLAYBOOKS and playbook(d.value).escalate_after_s == 0  # a person, at once
    assert playbook("hold_violated").steps == (Step.INTERCEPT, Step.NOTIFY_OPS)
    assert CJK.search(STEP_LABELS[Step.INTERCEPT][1])
