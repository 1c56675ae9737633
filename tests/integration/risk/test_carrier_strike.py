"""A carrier strike is a hard constraint (issue 17: "a closed road or a warehouse without
power is excluded"): at the severity that means a walk-out (severe and up) the router
books no parcel with the carrier while the event is live, and the decision names the
event; a milder strike only weighs as risk; once the event ends the carrier is back."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordo.domain.orders.model import Carrier
from ordo.domain.risk import Assets, EventDraft, RiskKind, Severity
from ordo.service.inventory.catalog import save_catalog
from ordo.service.orders.intake import intake
from ordo.service.risk import events
from ordo.service.routing.decisions import explain_order, routing_view
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, new_order

FIXTURES = Path(__file__).parents[2] / "fixtures" / "risk"
PROVINCES = frozenset({"浙江", "广东", "上海", "北京"})
#: ZTO is the cheapest, so it takes every order unless something keeps it off.
CARRIERS = [
    Carrier("zto", "中通快递", coverage=PROVINCES, base_fen=500, per_kg_fen=100),
    Carrier("yto", "圆通速递", coverage=PROVINCES, base_fen=700, per_kg_fen=150),
]
HOUR_NS = 3600 * 1_000_000_000


@pytest.fixture
def carriers(world: Ordo) -> Ordo:
    save_catalog(world, carriers=CARRIERS)
    return world


def _carrier_of(app: Ordo, order_id: str) -> list[str]:
    [attempt] = routing_view(app, order_id, "en")["attempts"]
    return list(attempt["carrier_ids"])


def _strike(app: Ordo, severity: Severity, *, starts_in_h: int = 0) -> dict[str, object]:
    draft = EventDraft(
        kind=RiskKind.CARRIER_STRIKE,
        title="中通罢工 / ZTO walk-out",
        severity=severity,
        confidence=1.0,
        source="test",
        area=None,
        assets=Assets(carriers=frozenset({"zto"})),
        starts_at_ns=T0 + starts_in_h * HOUR_NS,
        ends_at_ns=T0 + (starts_in_h + 12) * HOUR_NS,
    )
    return events.record(app, draft, actor="ops")


def test_a_severe_strike_from_a_feed_excludes_the_carrier_and_the_explanation_names_it(
    carriers: Ordo,
) -> None:
    [ev] = events.import_feed(carriers, (FIXTURES / "zto_strike.geojson").read_bytes(), actor="feed")
    assert ev["kind"] == "carrier_strike" and ev["closes_carriers"] is True
    [r] = intake(carriers, [new_order("STRIKE-1")])
    assert _carrier_of(carriers, r.order_id) == ["yto"]
    text = explain_order(carriers, r.order_id, "en")
    assert f"({ev['id']}): zto closed (excluded by a hard constraint)" in text, text
    assert "停用（硬约束排除）" in explain_order(carriers, r.order_id, "zh")
    events.end(carriers, str(ev["id"]), actor="ops")
    [after] = intake(carriers, [new_order("STRIKE-2")])
    assert _carrier_of(carriers, after.order_id) == ["zto"]


def test_a_moderate_strike_is_risk_not_closure(carriers: Ordo) -> None:
    ev = _strike(carriers, Severity.MODERATE)
    assert ev["closes_carriers"] is False
    [r] = intake(carriers, [new_order("SLOW-1")])
    [attempt] = routing_view(carriers, r.order_id, "en")["attempts"]
    assert "excluded by a hard constraint" not in attempt["explanation"]


def test_a_strike_not_yet_begun_closes_nothing(carriers: Ordo) -> None:
    ev = _strike(carriers, Severity.EXTREME, starts_in_h=2)
    assert ev["closes_carriers"] is True
    [r] = intake(carriers, [new_order("LATER-1")])
    assert _carrier_of(carriers, r.order_id) == ["zto"]
