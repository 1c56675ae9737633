"""The simulated world re-planning an order after a playbook step: shifting and withdrawing reports."""

from __future__ import annotations

from ordo.domain.orders.milestones import Milestone, MilestoneUpdate
from ordo.sim.progression import EventQueue, Kind, Report
from ordo.sim.reactions import shift_from

M = Milestone
H = 3600 * 1_000_000_000


def _r(oid: str, step: Milestone, at_h: float, source: str, kind: Kind = Kind.NORMAL) -> Report:
    at = int(at_h * H)
    return Report(at + 1_000, MilestoneUpdate(oid, step, at, source), kind)


def test_reports_from_the_start_on_move_together_and_earlier_ones_and_side_states_stay():
    reports = [
        _r("A", M.PACKED, 1, "wms"),
        _r("A", M.COLLECTED, 10, "zto"),
        _r("A", M.COLLECTED, 10, "zto", Kind.DUPLICATE),
        _r("A", M.DEPARTED, 12, "tms"),
        _r("A", M.IN_TRANSIT, 14, "zto"),
        _r("A", M.RETURN_REQUESTED, 20, "tmall"),
    ]
    moved = shift_from(reports, 10 * H, -6 * H, lambda s: "sf" if s == "zto" else s)
    assert [(r.update.milestone, r.update.at_ns // H, r.update.source) for r in moved] == [
        (M.PACKED, 1, "wms"),
        (M.COLLECTED, 4, "sf"),
        (M.COLLECTED, 4, "sf"),
        (M.DEPARTED, 6, "tms"),
        (M.IN_TRANSIT, 8, "sf"),
        (M.RETURN_REQUESTED, 20, "tmall"),  # a side state is the buyer's, not the carrier's
    ]
    # Arrival keeps its lag after the step, and the kind (a duplicate stays a duplicate).
    assert all(r.arrive_ns - r.update.at_ns == 1_000 for r in moved)
    assert moved[2].kind is Kind.DUPLICATE


def test_withdrawing_takes_back_only_that_orders_pending_reports_in_arrival_order():
    queue = EventQueue()
    queue.push([_r("A", M.PICKED, 3, "wms"), _r("B", M.PICKED, 1, "wms"), _r("A", M.PACKED, 2, "wms")])
    mine = queue.withdraw("A")
    assert [(r.update.order_id, r.update.milestone) for r in mine] == [("A", M.PACKED), ("A", M.PICKED)]
    assert len(queue) == 1 and queue.withdraw("A") == []
    [left] = queue.pop_due(10 * H)
    assert left.update.order_id == "B"
