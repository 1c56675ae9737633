"""Rule governance over HTTP: draft → backtest → approval → canary → publish → breaker rollback."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ordo.domain.access import Role
from ordo.domain.orders.model import Line
from ordo.rules.evaluation.facts import build_facts
from ordo.service.rules import apply_rules
from ordo.service.runtime.app import Ordo
from tests.conftest import new_order
from tests.integration.api.conftest import TestClient

Headers = dict[str, str]
Auth = Callable[[Role], Headers]
R = "/api/v1/rules"


def _ok(r: Any, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    out: dict[str, Any] = r.json()
    return out


def _draft(client: TestClient, who: Headers, text: str, **kw: Any) -> dict[str, Any]:
    return _ok(client.post(f"{R}/drafts", json={"text": text, "note": "test change", **kw}, headers=who), 201)


def _backtest(client: TestClient, who: Headers, draft_id: int) -> dict[str, Any]:
    return _ok(client.post(f"{R}/drafts/{draft_id}/backtest", json={"note": "replay history"}, headers=who))


def _publish_l1_baseline(client: TestClient, auth: Auth) -> int:
    """Version 1: a promotion no stored order reaches, published self-serve by finance."""
    d = _draft(client, auth(Role.FINANCE), "满1000减10")
    _backtest(client, auth(Role.FINANCE), d["id"])
    sub = _ok(
        client.post(f"{R}/drafts/{d['id']}/submit", json={"note": "self-serve"}, headers=auth(Role.FINANCE))
    )
    assert sub["status"] == "approved" and sub["approver"] is None
    out = _ok(
        client.post(f"{R}/drafts/{d['id']}/publish", json={"note": "baseline"}, headers=auth(Role.FINANCE))
    )
    version: int = out["version"]
    return version


def _big_order_facts(app: Ordo, n: int, province: str = "浙江省") -> list[dict[str, Any]]:
    """Facts of orders worth 1,998 yuan each, as intake would evaluate them."""
    out = []
    for i in range(n):
        order = dataclasses.replace(
            new_order(f"LIVE-{province}-{i}", province=province),
            id=f"ORLIVE{province[:1]}{i:04d}",
            lines=(Line("SKU-RARE", 2, 99_900),),
        )
        out.append(dict(build_facts(order, now_ns=app.clock.now_ns())))
    return out


def _live(app: Ordo, facts: list[dict[str, Any]]) -> list[int | None]:
    with app.store.uow() as uow:
        decisions = apply_rules(app.caches.rulebook, uow, facts, app.clock.now_ns())
        uow.commit()
    return [d.version for d in decisions]


def test_a_rule_goes_from_draft_to_canary_to_active_and_the_breaker_rolls_it_back(
    client: TestClient, auth: Auth, world: Ordo, post_order: Callable[..., str]
) -> None:
    for i in range(6):
        post_order(f"HIST-{i}")
    v1 = _publish_l1_baseline(client, auth)

    # An L2 review rule: finance writes it, nobody approves their own change, ops approves.
    bounds = {"max_hold_rate": 0.5, "min_orders": 4}
    d = _draft(
        client, auth(Role.FINANCE), '满1000减10\n当 订单金额 > 500 时 转人工审核 原因 "大额"', breaker=bounds
    )
    assert d["tier"] == "L2" and d["base_version"] == v1
    bt = _backtest(client, auth(Role.FINANCE), d["id"])
    assert bt["status"] == "backtested" and bt["required_tier"] == "L2"
    assert bt["backtest"]["orders"] == 6 and bt["backtest"]["changed"] == 0
    _ok(
        client.post(
            f"{R}/drafts/{d['id']}/submit", json={"note": "please review"}, headers=auth(Role.FINANCE)
        )
    )
    own = client.post(f"{R}/drafts/{d['id']}/approve", json={"note": "mine"}, headers=auth(Role.FINANCE))
    assert own.status_code == 403 and own.json()["error"] == "self_approval"
    approved = _ok(client.post(f"{R}/drafts/{d['id']}/approve", json={"note": "ok"}, headers=auth(Role.OPS)))
    assert approved["status"] == "approved" and approved["approver_role"] == "ops"

    # Canary: orders to 新疆 get version 2, everyone else keeps version 1.
    body = {"note": "canary in the west", "canary": {"places": ["新疆"]}}
    state = _ok(client.post(f"{R}/drafts/{d['id']}/publish", json=body, headers=auth(Role.OPS)))
    v2 = state["version"]
    assert state["canary_version"] == v2 and state["active_version"] == v1
    assert _live(world, _big_order_facts(world, 2, "新疆维吾尔自治区")) == [v2, v2]
    assert _live(world, _big_order_facts(world, 1)) == [v1]

    state = _ok(client.post(f"{R}/promote", json={"note": "canary looked fine"}, headers=auth(Role.OPS)))
    assert state["active_version"] == v2 and state["canary_version"] is None

    # Live: every big order is held, past the 50% bound; the breaker rolls back by itself.
    assert set(_live(world, _big_order_facts(world, 5, "上海市"))) == {v2}
    tripped = _ok(client.post(f"{R}/breakers/check", headers=auth(Role.OPS)))["tripped"]
    # Watched since the canary went out: its two orders count too.
    assert tripped == [
        {"version": v2, "to_version": v1, "metric": "hold_rate", "value": 1.0, "bound": 0.5, "orders": 7}
    ]
    versions = _ok(client.get(f"{R}/versions", headers=auth(Role.VIEWER)))
    assert versions["state"]["active_version"] == v1
    assert {v["version"]: v["status"] for v in versions["versions"]} == {v1: "active", v2: "retired"}
    # The rollback takes effect for the next order.
    assert _live(world, _big_order_facts(world, 1, "北京市")) == [v1]

    with world.store.uow(read_only=True) as uow:
        rolled = uow.outbox.after(0, types=["rules.rolled_back"])
    authors = sorted([key_id(world, Role.FINANCE), key_id(world, Role.OPS)])
    assert len(rolled) == 1 and rolled[0]["payload"]["notify"] == authors
    audit = _ok(client.get(f"{R}/audit", headers=auth(Role.VIEWER)))["entries"]
    actions = [a["action"] for a in reversed(audit)]
    assert actions[-7:] == ["create", "backtest", "submit", "approve", "publish", "promote", "rollback"]
    assert audit[0]["actor"] == "breaker" and audit[0]["details"]["metric"] == "hold_rate"
    assert all(a["note"] for a in audit)


def key_id(app: Ordo, role: Role) -> str:
    """The key id of the test key of ``role`` (keys are named ``test <role>``)."""
    from ordo.service.runtime.keys import list_keys

    return next(k["id"] for k in list_keys(app) if k["name"] == f"test {role.value}")


def test_a_backtest_that_moves_much_money_escalates_the_change_to_risk_approval(
    client: TestClient, auth: Auth, post_order: Callable[..., str]
) -> None:
    for i in range(4):
        post_order(f"BIG-{i}")
    d = _draft(client, auth(Role.OPS), "满100减50")
    assert d["tier"] == "L1"
    bt = _backtest(client, auth(Role.OPS), d["id"])
    assert bt["required_tier"] == "L3" and "L3" in bt["escalation"]
    assert bt["backtest"]["changed"] == 4 and bt["backtest"]["money"]["discount_fen_delta"] == 4 * 5_000
    assert bt["backtest"]["samples"][0]["after"] == {"discount_fen": 5_000}
    _ok(client.post(f"{R}/drafts/{d['id']}/submit", json={"note": "please"}, headers=auth(Role.OPS)))
    ops = client.post(f"{R}/drafts/{d['id']}/approve", json={"note": "ok"}, headers=auth(Role.ADMIN))
    assert ops.status_code == 200  # admin holds every right
    d2 = _draft(client, auth(Role.FINANCE), "满100减50")
    _backtest(client, auth(Role.FINANCE), d2["id"])
    refused = client.post(f"{R}/drafts/{d2['id']}/approve", json={"note": "ok"}, headers=auth(Role.OPS))
    assert refused.status_code == 403 and refused.json()["error"] == "approval_tier"
    assert refused.json()["details"]["tier"] == "L3"
    _ok(client.post(f"{R}/drafts/{d2['id']}/approve", json={"note": "risk ok"}, headers=auth(Role.RISK)))


def test_a_manual_rollback_takes_effect_for_the_next_evaluation(
    client: TestClient, auth: Auth, world: Ordo
) -> None:
    v1 = _publish_l1_baseline(client, auth)
    d = _draft(client, auth(Role.FINANCE), "满1000减10\n当 订单金额 > 500 时 标记 大单")
    _backtest(client, auth(Role.FINANCE), d["id"])
    _ok(client.post(f"{R}/drafts/{d['id']}/submit", json={"note": "tag"}, headers=auth(Role.FINANCE)))
    v2 = _ok(client.post(f"{R}/drafts/{d['id']}/publish", json={"note": "go"}, headers=auth(Role.FINANCE)))[
        "version"
    ]
    facts = _big_order_facts(world, 1)[0]
    assert len(world.caches.rulebook.active_rules_for(facts).rules) == 2
    out = _ok(
        client.post(f"{R}/rollback", json={"version": v1, "note": "tag was wrong"}, headers=auth(Role.OPS))
    )
    assert out["to_version"] == v1 and out["from_active"] == v2
    assert len(world.caches.rulebook.active_rules_for(facts).rules) == 1


def test_bad_rule_text_is_a_422_with_the_position_and_a_suggestion(client: TestClient, auth: Auth) -> None:
    # The parse preview reads a typo only with a confirmation; a draft is read strictly.
    out = _ok(
        client.post(f"{R}/parse", json={"text": "当 订单金颜 > 100 时 标记 加急"}, headers=auth(Role.VIEWER))
    )
    assert out["needs_confirmation"] and out["rules"][0]["needs_confirmation"]
    assert out["rules"][0]["did_you_mean"] == "如果 订单金额 超过 100元 则 标记 加急"
    typos = [w for w in out["rules"][0]["rewrites"] if w["kind"] == "typo"]
    assert [(w["before"], w["after"]) for w in typos] in ([("订单金颜", "订单金额")], [("金颜", "金额")])
    r = client.post(
        f"{R}/parse", json={"text": "如果 客户等级 为 VIP 则 审核通过"}, headers=auth(Role.VIEWER)
    )
    assert r.status_code == 422 and "钻石" in r.json()["details"]["valid_values"]
    r = client.post(
        f"{R}/drafts", json={"text": "当 订单金颜 > 100 时 标记 加急", "note": "x"}, headers=auth(Role.OPS)
    )
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "rule_syntax" and set(body) == {"error", "message", "details"}
    assert body["details"]["column"] == 3 and body["details"]["suggestion"] == "订单金额"
    r = client.post(f"{R}/drafts", json={"text": "满100减10\nwhen ordr.amount > 5 then tag x", "note": "x"},
                    headers=auth(Role.OPS))  # fmt: skip
    assert r.status_code == 422 and r.json()["details"]["line"] == 2
    assert r.json()["details"]["suggestion"] == "order.amount"


def test_a_note_is_required_and_viewers_cannot_draft(client: TestClient, auth: Auth) -> None:
    assert (
        client.post(
            f"{R}/drafts", json={"text": "满1000减10", "note": ""}, headers=auth(Role.OPS)
        ).status_code
        == 422
    )
    r = client.post(f"{R}/drafts", json={"text": "满1000减10", "note": "x"}, headers=auth(Role.VIEWER))
    assert r.status_code == 403


def test_parse_shows_the_rules_back_in_both_languages_with_their_tier(client: TestClient, auth: Auth) -> None:
    out = _ok(client.post(f"{R}/parse", json={"text": "新疆 走 邮政\n满299减50"}, headers=auth(Role.VIEWER)))
    assert [r["tier"] for r in out["rules"]] == ["L2", "L1"] and out["tier"] == "L2"
    assert out["rules"][0]["en"].startswith("when")
