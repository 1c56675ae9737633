"""冻结 that acts: a live rule's freeze takes a permission from a role, the API refuses it with a
403 naming the freeze (both languages), stored and audited; an admin lifts it, or it clears
once the rule has been quiet for its clearing time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ordo.clock import ManualClock
from ordo.domain.access import Role
from ordo.service.rules.freezes import CLEARS_AFTER_S
from ordo.service.runtime.app import Ordo
from tests.integration.api.conftest import TestClient
from tests.integration.service.routing_helpers import go_live

Headers = dict[str, str]
Auth = Callable[[Role], Headers]
RULE = "当 订单金额 > 100 时 冻结 运营 撤单"


def _cancel(client: TestClient, who: Headers, order_id: str) -> Any:
    return client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "customer asked"}, headers=who)


def test_a_fired_freeze_makes_the_api_refuse_the_permission_to_that_role_until_lifted(
    client: TestClient, auth: Auth, world: Ordo, post_order: Callable[..., str]
) -> None:
    go_live(world, RULE)
    small = post_order("FZ-small", [("SKU-GAS", 1)])  # 25 yuan: the rule does not fire
    assert _cancel(client, auth(Role.OPS), small).status_code == 200

    trigger = post_order("FZ-big", [("SKU-TEA", 1)])
    other = post_order("FZ-other", [("SKU-GAS", 1)])
    r = _cancel(client, auth(Role.OPS), other)
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["error"] == "permission_frozen"
    assert "frozen by rule" in body["message"] and "冻结" in body["message"]
    freeze_id = body["details"]["freeze_id"]
    assert body["details"]["permission"] == "orders_cancel" and body["details"]["role"] == "ops"
    # Only that role: risk may still cancel, ops may still do everything else.
    assert _cancel(client, auth(Role.RISK), trigger).status_code == 200
    assert client.get(f"/api/v1/orders/{other}", headers=auth(Role.OPS)).status_code == 200

    # Stored and audited.
    [listed] = client.get("/api/v1/freezes", headers=auth(Role.VIEWER)).json()["freezes"]
    assert listed["id"] == freeze_id and listed["in_force"] is True and listed["rule_id"]
    audit = client.get("/api/v1/rules/audit", headers=auth(Role.VIEWER)).json()["entries"]
    assert audit[0]["action"] == "freeze" and audit[0]["details"]["freeze_id"] == freeze_id

    # Lifting takes an admin and a note.
    denied = client.post(f"/api/v1/freezes/{freeze_id}/lift", json={"note": "mine"}, headers=auth(Role.OPS))
    assert denied.status_code == 403
    lifted = client.post(
        f"/api/v1/freezes/{freeze_id}/lift", json={"note": "checked"}, headers=auth(Role.ADMIN)
    )
    assert lifted.status_code == 200 and lifted.json()["in_force"] is False
    assert _cancel(client, auth(Role.OPS), other).status_code == 200
    audit = client.get("/api/v1/rules/audit", headers=auth(Role.VIEWER)).json()["entries"]
    assert audit[0]["action"] == "lift_freeze" and audit[0]["note"] == "checked"


def test_a_freeze_clears_once_the_rule_has_been_quiet_and_returns_when_it_fires_again(
    client: TestClient, auth: Auth, world: Ordo, post_order: Callable[..., str]
) -> None:
    clock = world.clock
    assert isinstance(clock, ManualClock)
    go_live(world, RULE)
    post_order("FQ-1", [("SKU-TEA", 1)])
    target = post_order("FQ-2", [("SKU-GAS", 1)])
    assert _cancel(client, auth(Role.OPS), target).status_code == 403
    clock.advance(CLEARS_AFTER_S - 60)
    post_order("FQ-3", [("SKU-TEA", 1)])  # fires again: the signal goes on
    clock.advance(120)
    assert _cancel(client, auth(Role.OPS), target).status_code == 403
    clock.advance(CLEARS_AFTER_S)
    assert _cancel(client, auth(Role.OPS), target).status_code == 200
    post_order("FQ-4", [("SKU-TEA", 1)])  # a new signal: a new freeze
    late = post_order("FQ-5", [("SKU-GAS", 1)])
    r = _cancel(client, auth(Role.OPS), late)
    assert r.status_code == 403
    freezes = client.get("/api/v1/freezes", headers=auth(Role.VIEWER)).json()["freezes"]
    assert [f["in_force"] for f in freezes] == [True, False]
    assert freezes[1]["lifted_by"] == "signal cleared"
