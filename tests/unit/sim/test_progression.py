import random
from collections import Counter
from itertools import pairwise

import pytest

from ordo.adapters.geo import load_divisions
from ordo.domain.orders.milestones import LEFT_WAREHOUSE, MILESTONES, Milestone, Outcome, apply_updates
from ordo.sim.demand import OrderFactory, schedule
from ordo.sim.progression import QUIET, EventQueue, Kind, Noise, Report, choose_carrier, plan, transit_time
from ordo.sim.world import World, generate_world
from tests.conftest import T0

M = Milestone
#: Intake records created, paid, stock_locked and routed itself; the world reports the rest.
AFTER_INTAKE = tuple(m for m in MILESTONES if m not in {M.CREATED, M.PAID, M.STOCK_LOCKED, M.ROUTED})


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(11)


@pytest.fixture(scope="module")
def orders(world):
    factory = OrderFactory(world, load_divisions(), seed=11)
    return [factory.make(t) for t in schedule(factory.curve, T0, 3000, random.Random(11))]


def plans(world, orders, noise=Noise(), seed=1, warehouse=True):
    rng = random.Random(seed)
    out = []
    for n, order in enumerate(orders):
        intake_ns = (order.paid_at_ns or order.placed_at_ns) + 10**9
        wh = world.warehouses[n % len(world.warehouses)] if warehouse else None
        out.append(
            (
                order,
                intake_ns,
                plan(
                    order,
                    order_id=f"O{n}",
                    intake_ns=intake_ns,
                    warehouse=wh,
                    carriers=world.carriers,
                    rng=rng,
                    noise=noise,
                ),
            )
        )
    return out


def test_a_quiet_paid_order_walks_every_milestone_in_order_with_positive_durations(world, orders):
    paid = [o for o in orders if o.paid_at_ns is not None][:300]
    for _order, intake_ns, reports in plans(world, paid, noise=QUIET):
        steps = [r.update for r in sorted(reports, key=lambda r: r.update.at_ns)]
        assert tuple(u.milestone for u in steps) == AFTER_INTAKE
        times = [intake_ns] + [u.at_ns for u in steps]
        assert all(b > a for a, b in pairwise(times))
        assert all(r.arrive_ns >= r.update.at_ns for r in reports)


def test_each_step_is_reported_by_the_system_that_does_it(world, orders):
    carriers = {c.id for c in world.carriers}
    _, _, reports = plans(world, [o for o in orders if o.paid_at_ns][:1], noise=QUIET)[0]
    source = {r.update.milestone: r.update.source for r in reports}
    assert source[M.RISK_CHECKED] == source[M.REVIEWED] == "oms"
    assert source[M.PICKED] == source[M.PACKED] == source[M.OUTBOUND] == "wms"
    assert source[M.WAYBILL_ISSUED] == source[M.DEPARTED] == "tms"
    assert source[M.COLLECTED] in carriers and source[M.DELIVERED] in carriers


def test_the_waybill_is_issued_with_its_number_for_the_booked_carrier(world, orders):
    order = next(o for o in orders if o.paid_at_ns)
    booked = world.carriers[0].id
    wh = world.warehouses[0]
    reports = plan(order, order_id="O-WB", intake_ns=order.paid_at_ns + 10**9, warehouse=wh,
                   carriers=world.carriers, rng=random.Random(3), noise=QUIET, carrier_id=booked)  # fmt: skip
    [note] = [r.update.note for r in reports if r.update.milestone is M.WAYBILL_ISSUED]
    prefix, _, number = note.partition(":")
    assert prefix == booked and len(number) == 14 and number[2:].isdigit()
    again = plan(order, order_id="O-WB", intake_ns=order.paid_at_ns + 10**9, warehouse=wh,
                 carriers=world.carriers, rng=random.Random(3), noise=QUIET, carrier_id=booked)  # fmt: skip
    assert [r.update for r in again] == [r.update for r in reports]  # the same order, the same number


def test_warehouse_and_road_steps_take_realistic_times(world, orders):
    gaps: dict[Milestone, list[float]] = {}
    for _, _, reports in plans(world, [o for o in orders if o.paid_at_ns][:500], noise=QUIET):
        at = {r.update.milestone: r.update.at_ns for r in reports}
        for prev, step in pairwise(AFTER_INTAKE):
            gaps.setdefault(step, []).append((at[step] - at[prev]) / 1e9)
    median = {m: sorted(v)[len(v) // 2] for m, v in gaps.items()}
    assert median[M.REVIEWED] < 120
    assert 10 * 60 <= median[M.PICKED] <= 90 * 60
    assert 30 * 60 <= median[M.COLLECTED] <= 4 * 3600
    assert median[M.OUT_FOR_DELIVERY] >= 8 * 3600


def test_farther_destinations_spend_longer_on_the_road():
    rng = random.Random(3)
    near = sum(transit_time(50, False, rng) for _ in range(200))
    far = sum(transit_time(2500, False, rng) for _ in range(200))
    remote = sum(transit_time(2500, True, rng) for _ in range(200))
    assert near < far < remote
    assert far / 200 > 24 * 3600 * 10**9


def test_noise_comes_in_the_configured_shares(world, orders):
    reports = [r for _, _, rs in plans(world, orders) for r in rs]
    kinds = Counter(r.kind for r in reports)
    total = len(reports)
    assert 0.01 < kinds[Kind.DUPLICATE] / total < 0.03
    assert 0.01 < kinds[Kind.LATE] / total < 0.04
    assert 0.003 < kinds[Kind.IMPOSSIBLE] / len(orders) < 0.02
    cancels = sum(1 for r in reports if r.update.milestone is M.CANCELLED and r.kind is not Kind.IMPOSSIBLE)
    assert 0.03 < cancels / len(orders) < 0.1


def test_replayed_through_the_lifecycle_only_impossible_reports_are_refused(world, orders):
    """Out-of-order and duplicate reports are normal input; only the impossible ones fail."""
    noise = Noise(impossible=0.1, duplicate=0.05, late=0.1)
    for order, _, reports in plans(world, orders[:1500], noise=noise):
        recorded = {M.CREATED, M.STOCK_LOCKED, M.ROUTED} | ({M.PAID} if order.paid_at_ns else set())
        expected = Counter(r.kind for r in reports)
        outcomes = Counter()
        for r in sorted(reports, key=lambda r: r.arrive_ns):
            [result] = apply_updates(recorded, [r.update], now_ns=r.arrive_ns)
            outcomes[result.outcome] += 1
        assert outcomes[Outcome.REJECTED] == expected[Kind.IMPOSSIBLE]
        assert outcomes[Outcome.DUPLICATE] == expected[Kind.DUPLICATE]
        assert recorded & {M.COMPLETED, M.CANCELLED, M.REFUNDED}, "every order reaches an end"


def test_a_cancelled_order_never_leaves_the_warehouse(world, orders):
    noise = Noise(cancel=1.0, impossible=0.0)
    paid = [o for o in orders if o.paid_at_ns][:200]
    for _, _, reports in plans(world, paid, noise=noise):
        steps = {r.update.milestone for r in reports}
        assert M.CANCELLED in steps
        assert not steps & LEFT_WAREHOUSE


def test_an_order_without_stock_is_reviewed_then_cancelled_by_the_oms(world, orders):
    paid = [o for o in orders if o.paid_at_ns][:50]
    for _, _, reports in plans(world, paid, noise=QUIET, warehouse=False):
        steps = [r.update for r in sorted(reports, key=lambda r: r.update.at_ns)]
        assert [u.milestone for u in steps] == [M.RISK_CHECKED, M.REVIEWED, M.CANCELLED]
        assert steps[-1].source == "oms"


def test_an_unpaid_order_either_pays_later_or_is_closed_after_thirty_minutes(world, orders):
    unpaid = [o for o in orders if o.paid_at_ns is None]
    assert unpaid
    outcomes = Counter()
    for order, _, reports in plans(world, unpaid):
        first = min(reports, key=lambda r: r.update.at_ns).update
        outcomes[first.milestone] += 1
        if first.milestone is M.CANCELLED:
            assert first.at_ns >= order.placed_at_ns + 30 * 60 * 10**9
            assert first.source == order.channel
    assert outcomes[M.PAID] > 0 and outcomes[M.CANCELLED] > 0


def test_carriers_are_chosen_by_coverage_and_handling(world, orders):
    rng = random.Random(2)
    by_id = {c.id: c for c in world.carriers}
    for order in orders:
        carrier = choose_carrier(order, world.carriers, rng)
        assert order.ship_to.province in carrier.coverage
        if "cold_chain" in order.flags and "hazmat" not in order.flags and "oversize" not in order.flags:
            assert carrier.id in ("sf", "jdl")
    jd = [choose_carrier(o, world.carriers, rng).id for o in orders if o.channel == "jd" and not o.flags]
    assert Counter(jd)["jdl"] > 0.7 * len(jd)
    assert by_id["ems"].coverage >= {"西藏自治区"}


def test_the_event_queue_hands_out_reports_in_arrival_order_up_to_a_limit():
    from ordo.domain.orders.milestones import MilestoneUpdate

    q = EventQueue()
    q.push(Report(t, MilestoneUpdate("O", M.PICKED, t, "wms")) for t in (5, 1, 3, 3, 9))
    assert q.next_time() == 1 and len(q) == 5
    assert [r.arrive_ns for r in q.pop_due(4, limit=2)] == [1, 3]
    assert [r.arrive_ns for r in q.pop_due(4)] == [3]
    assert q.pop_due(4) == [] and len(q) == 2
