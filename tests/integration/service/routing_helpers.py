"""Helpers for the intake-routing tests: putting a rule set live the way people do."""

from __future__ import annotations

from typing import Any

from ordo.domain.access import Role
from ordo.rules.evaluation.canary import Canary
from ordo.service.rules.backtest import backtest_draft
from ordo.service.rules.versions import Actor, approve, create_draft, publish, submit
from ordo.service.runtime.app import Ordo

AUTHOR = Actor("alice", Role.OPS)
APPROVER = Actor("bob", Role.ADMIN)


def go_live(app: Ordo, text: str, canary: Canary | None = None) -> int:
    """Draft → backtest → submit (→ approve by someone else) → publish (as a canary when
    given); the version number."""
    draft = create_draft(app, AUTHOR, note="intake rules under test", text=text)
    backtest_draft(app, AUTHOR, draft["id"], note="backtest before publish")
    if submit(app, AUTHOR, draft["id"], note="please approve")["status"] != "approved":
        approve(app, APPROVER, draft["id"], note="looks right")
    out: dict[str, Any] = publish(app, AUTHOR, draft["id"], note="go live", canary=canary)
    return int(out["version"])


def decisions(app: Ordo, order_id: str) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return uow.routing.attempts(order_id)


def stored_order(app: Ordo, order_id: str) -> dict[str, Any]:
    with app.store.uow(read_only=True) as uow:
        order = uow.orders.get(order_id)
    assert order is not None
    return order
