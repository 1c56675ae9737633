"""The authorization findings, each over HTTP: scoped integration keys, approval by person,
no approval by readers or integrations, and rollbacks that need the tier's approval."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ordo.domain.access import Perm, Role, Scope
from ordo.service.channels.receive import receive
from ordo.service.people import add_user
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key
from tests.integration.api.conftest import TestClient, count_rows, order_json

Headers = dict[str, str]
Auth = Callable[[Role], Headers]
R = "/api/v1/rules"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"


def _bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def jd_key(world: Ordo) -> Headers:
    """An integration key for JD only, allowed to write orders, milestones and cancel."""
    ops = frozenset({Perm.READ, Perm.ORDERS_WRITE, Perm.MILESTONES_WRITE, Perm.ORDERS_CANCEL})
    return _bearer(create_key(world, Role.INTEGRATION, "jd connector", scope=Scope(frozenset({"jd"}), ops)))


def _refused(r: Any, what: str, channel: str) -> None:
    assert r.status_code == 403, r.text
    body = r.json()
    assert body["error"] == "out_of_scope" and body["details"]["refused"] == what
    assert body["details"]["channels"] == [channel] and body["details"]["allowed_channels"] == ["jd"]
    assert "jd" in body["message"] and "拒绝" in body["message"]  # bilingual, naming what was refused


# -- scoped integrations ---------------------------------------------------------------------


def test_a_jd_key_cancels_jd_orders_but_not_tmall_ones_and_the_refusal_writes_nothing(
    client: TestClient, post_order: Callable[..., str], jd_key: Headers, world: Ordo
) -> None:
    tmall = post_order("SC-TM-1", channel="tmall")
    jd = post_order("SC-JD-1", channel="jd")
    anomalies, events = count_rows(world, "anomalies"), count_rows(world, "events")
    r = client.post(f"/api/v1/orders/{tmall}/cancel", json={"reason": "x"}, headers=jd_key)
    _refused(r, "cancel orders", "tmall")
    assert (count_rows(world, "anomalies"), count_rows(world, "events")) == (anomalies, events)
    ok = client.post(f"/api/v1/orders/{jd}/cancel", json={"reason": "buyer asked"}, headers=jd_key)
    assert ok.status_code == 200 and ok.json()["outcome"] == "recorded"


def test_a_jd_key_remaps_jd_skus_only(client: TestClient, jd_key: Headers) -> None:
    body = {"platform_sku": "P-9", "ordo_sku": "SKU-TEA"}
    _refused(
        client.post("/api/v1/channels/taobao/sku-map", json=body, headers=jd_key), "remap SKUs", "taobao"
    )
    assert client.post("/api/v1/channels/jd/sku-map", json=body, headers=jd_key).status_code == 200


def test_a_jd_key_replays_only_jd_dead_letters(
    client: TestClient, jd_key: Headers, admin: Headers, world: Ordo
) -> None:
    receipt = receive(world, "taobao", (FIXTURES / "taobao" / "create.json").read_bytes())
    assert receipt.dead_letter_id is not None
    r = client.post(
        "/api/v1/channels/dead-letters/replay", json={"ids": [receipt.dead_letter_id]}, headers=jd_key
    )
    _refused(r, "replay dead letters", "taobao")
    # "Replay every open one" means every open one of its own channels: none here.
    every = client.post("/api/v1/channels/dead-letters/replay", json={}, headers=jd_key)
    assert every.status_code == 200 and every.json()["results"] == []
    still = client.get("/api/v1/channels/dead-letters", headers=admin).json()["dead_letters"]
    assert [d["id"] for d in still] == [receipt.dead_letter_id]


def test_a_jd_key_writes_milestones_and_submits_orders_for_jd_only(
    client: TestClient, post_order: Callable[..., str], jd_key: Headers, world: Ordo
) -> None:
    tmall = post_order("SC-TM-2", channel="tmall")
    jd = post_order("SC-JD-2", channel="jd")
    step = {"milestone": "picked", "at": "2026-11-11T09:00:00+08:00", "source": "wms"}
    before = count_rows(world, "milestones")
    r = client.post(
        "/api/v1/milestones",
        json={"updates": [{"order_id": jd, **step}, {"order_id": tmall, **step}]},
        headers=jd_key,
    )
    _refused(r, "write milestones", "tmall")
    assert count_rows(world, "milestones") == before  # the whole batch is refused, nothing written
    ok = client.post("/api/v1/milestones", json={"updates": [{"order_id": jd, **step}]}, headers=jd_key)
    assert ok.status_code == 200, ok.text
    _refused(
        client.post("/api/v1/orders", json=order_json("SC-TM-3"), headers=jd_key), "submit orders", "tmall"
    )
    assert (
        client.post("/api/v1/orders", json=order_json("SC-JD-3", channel="jd"), headers=jd_key).status_code
        == 201
    )


def test_an_operation_outside_the_keys_list_is_refused(client: TestClient, world: Ordo) -> None:
    only_milestones = Scope(frozenset({"jd"}), frozenset({Perm.READ, Perm.MILESTONES_WRITE}))
    key = _bearer(create_key(world, Role.INTEGRATION, "jd tracking", scope=only_milestones))
    r = client.post("/api/v1/orders", json=order_json("SC-OP-1", channel="jd"), headers=key)
    assert r.status_code == 403 and r.json()["error"] == "out_of_scope"
    assert r.json()["details"] == {
        "refused": "operation", "permission": "orders_write", "allowed": ["milestones_write", "read"],
    }  # fmt: skip
    assert count_rows(world, "orders") == 0


def test_an_unscoped_integration_key_works_as_before(
    client: TestClient, post_order: Callable[..., str], auth: Auth
) -> None:
    tmall = post_order("SC-TM-4", channel="tmall")
    r = client.post(f"/api/v1/orders/{tmall}/cancel", json={"reason": "x"}, headers=auth(Role.INTEGRATION))
    assert r.status_code == 200


# -- approvals ---------------------------------------------------------------------------------


def _ok(r: Any, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    out: dict[str, Any] = r.json()
    return out


def _backtested(client: TestClient, who: Headers, text: str) -> int:
    d = _ok(client.post(f"{R}/drafts", json={"text": text, "note": "change"}, headers=who), 201)
    _ok(client.post(f"{R}/drafts/{d['id']}/backtest", json={"note": "replay"}, headers=who))
    draft_id: int = d["id"]
    return draft_id


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INTEGRATION])
def test_viewers_and_integrations_approve_no_tier_not_even_l1(
    client: TestClient, auth: Auth, role: Role
) -> None:
    draft = _backtested(client, auth(Role.FINANCE), "满1000减10")
    r = client.post(f"{R}/drafts/{draft}/approve", json={"note": "looks fine"}, headers=auth(role))
    assert r.status_code == 403 and r.json()["error"] == "approval_tier"
    assert r.json()["details"] == {"tier": "L1", "role": role.value, "permission": "rules_edit"}
    assert _ok(client.get(f"{R}/drafts/{draft}", headers=auth(Role.VIEWER)))["status"] == "backtested"
    # …so it cannot be published on their word either.
    pub = client.post(f"{R}/drafts/{draft}/publish", json={"note": "go"}, headers=auth(Role.FINANCE))
    assert pub.status_code == 409


def test_one_person_with_two_keys_does_not_approve_their_own_change(
    client: TestClient, world: Ordo, auth: Auth
) -> None:
    add_user(world, "ops.a", "运营甲", Role.OPS, None)
    first = _bearer(create_key(world, None, "laptop", user="ops.a"))
    second = _bearer(create_key(world, None, "phone", user="ops.a"))
    draft = _backtested(client, first, '当 订单金额 > 500 时 转人工审核 原因 "大额"')  # L2
    r = client.post(f"{R}/drafts/{draft}/approve", json={"note": "mine, other key"}, headers=second)
    assert r.status_code == 403 and r.json()["error"] == "self_approval"
    assert "whatever key" in r.json()["message"]
    # Nor after someone else edited it: whoever wrote any of it is an author.
    ok = _ok(client.post(f"{R}/drafts/{draft}/approve", json={"note": "ok"}, headers=auth(Role.OPS)))
    assert ok["status"] == "approved" and ok["approver"] != "ops.a"


def test_an_editor_of_a_draft_does_not_approve_it(client: TestClient, world: Ordo, auth: Auth) -> None:
    add_user(world, "ops.b", "运营乙", Role.OPS, None)
    mine = _bearer(create_key(world, None, "laptop", user="ops.b"))
    draft = _backtested(client, auth(Role.FINANCE), '当 订单金额 > 500 时 转人工审核 原因 "大额"')
    _ok(client.patch(f"{R}/drafts/{draft}", json={"note": "tweak", "add": "满2000减20"}, headers=mine))
    _ok(client.post(f"{R}/drafts/{draft}/backtest", json={"note": "again"}, headers=mine))
    r = client.post(f"{R}/drafts/{draft}/approve", json={"note": "ok"}, headers=mine)
    assert r.status_code == 403 and r.json()["error"] == "self_approval"


# -- rollbacks ---------------------------------------------------------------------------------


def _publish(client: TestClient, author: Headers, approver: Headers | None, text: str) -> int:
    draft = _backtested(client, author, text)
    _ok(client.post(f"{R}/drafts/{draft}/submit", json={"note": "please"}, headers=author))
    if approver is not None:
        _ok(client.post(f"{R}/drafts/{draft}/approve", json={"note": "ok"}, headers=approver))
    version: int = _ok(client.post(f"{R}/drafts/{draft}/publish", json={"note": "go"}, headers=author))[
        "version"
    ]
    return version


def _active(client: TestClient, auth: Auth) -> int | None:
    active: int | None = _ok(client.get(f"{R}/versions", headers=auth(Role.VIEWER)))["state"][
        "active_version"
    ]
    return active


L2_TEXT = '满1000减10\n当 订单金额 > 500 时 转人工审核 原因 "大额"'


def test_an_l2_rollback_without_approval_changes_nothing_until_a_second_person_approves(
    client: TestClient, auth: Auth
) -> None:
    v1 = _publish(client, auth(Role.FINANCE), None, "满1000减10")
    v2 = _publish(client, auth(Role.FINANCE), auth(Role.OPS), L2_TEXT)
    for role in (Role.FINANCE, Role.RISK):  # the finding: they rolled back with no approval
        r = client.post(f"{R}/rollback", json={"version": v1, "note": "undo"}, headers=auth(role))
        assert r.status_code == 202 and r.json()["status"] == "pending" and r.json()["tier"] == "L2"
        assert _active(client, auth) == v2
    pending = _ok(client.get(f"{R}/rollbacks", headers=auth(Role.VIEWER)))["rollbacks"]
    assert [p["status"] for p in pending] == ["pending", "pending"]
    first = pending[-1]["id"]
    # The requester may not approve it; a reader or a role without the L2 right may not either.
    for who, code in (
        (Role.FINANCE, "self_approval"),
        (Role.VIEWER, "approval_tier"),
        (Role.RISK, "approval_tier"),
    ):
        r = client.post(f"{R}/rollbacks/{first}/approve", json={"note": "ok"}, headers=auth(who))
        assert r.status_code == 403 and r.json()["error"] == code, (who, r.text)
    assert _active(client, auth) == v2
    done = _ok(client.post(f"{R}/rollbacks/{first}/approve", json={"note": "agreed"}, headers=auth(Role.OPS)))
    assert done["status"] == "done" and done["to_version"] == v1 and _active(client, auth) == v1
    again = client.post(f"{R}/rollbacks/{first}/approve", json={"note": "again"}, headers=auth(Role.ADMIN))
    assert again.status_code == 409
    audit = _ok(client.get(f"{R}/audit", headers=auth(Role.VIEWER)))["entries"]
    assert audit[0]["action"] == "rollback" and audit[0]["actor"] == "test ops"
    assert audit[0]["details"]["requested_by"] and audit[0]["details"]["tier"] == "L2"


def test_an_emergency_rollback_by_a_duty_role_is_immediate_and_audited_with_its_reason(
    client: TestClient, auth: Auth
) -> None:
    v1 = _publish(client, auth(Role.FINANCE), None, "满1000减10")
    _publish(client, auth(Role.FINANCE), auth(Role.OPS), L2_TEXT)
    body = {"version": v1, "note": "holding every big order", "emergency": True}
    refused = client.post(f"{R}/rollback", json=body, headers=auth(Role.FINANCE))
    assert refused.status_code == 403 and refused.json()["error"] == "emergency_rollback_refused"
    done = _ok(client.post(f"{R}/rollback", json=body, headers=auth(Role.OPS)))
    assert done["status"] == "done" and _active(client, auth) == v1
    [entry] = [
        a
        for a in _ok(client.get(f"{R}/audit", headers=auth(Role.VIEWER)))["entries"]
        if a["action"] == "rollback"
    ]
    assert entry["details"]["emergency"] is True and entry["details"]["reason"] == "holding every big order"
    assert entry["actor"] == "test ops" and entry["role"] == "ops"


def test_ops_may_not_roll_back_an_l3_change_in_an_emergency_but_an_admin_may(
    client: TestClient, auth: Auth
) -> None:
    v1 = _publish(client, auth(Role.FINANCE), None, "满1000减10")
    _publish(client, auth(Role.FINANCE), auth(Role.RISK), "满1000减10\n已支付 超过 3天 未 已出库 则 取消订单")
    body = {"version": v1, "note": "bad freeze", "emergency": True}
    r = client.post(f"{R}/rollback", json=body, headers=auth(Role.OPS))
    assert r.status_code == 403 and r.json()["details"]["tier"] == "L3"
    assert _ok(client.post(f"{R}/rollback", json=body, headers=auth(Role.ADMIN)))["to_version"] == v1


def test_an_l1_rollback_is_self_serve_like_its_publish(client: TestClient, auth: Auth) -> None:
    v1 = _publish(client, auth(Role.FINANCE), None, "满1000减10")
    _publish(client, auth(Role.FINANCE), None, "满1000减10\n当 订单金额 > 500 时 标记 大单")
    out = _ok(
        client.post(f"{R}/rollback", json={"version": v1, "note": "tag wrong"}, headers=auth(Role.FINANCE))
    )
    assert out["status"] == "done" and _active(client, auth) == v1


def test_a_person_bound_to_jd_holds_releases_and_re_routes_jd_orders_only(
    client: TestClient, post_order: Callable[..., str], world: Ordo
) -> None:
    add_user(world, "jd.ops", "京东运营", Role.OPS, None, Scope(frozenset({"jd"})))
    mine = _bearer(create_key(world, None, "laptop", user="jd.ops"))
    tmall = post_order("SC-TM-5", channel="tmall")
    jd = post_order("SC-JD-5", channel="jd")
    reason = {"reason": "buyer asked to wait"}
    _refused(client.post(f"/api/v1/orders/{tmall}/hold", json=reason, headers=mine), "hold orders", "tmall")
    batch = client.post("/api/v1/orders/hold", json={"order_ids": [jd, tmall], **reason}, headers=mine)
    _refused(batch, "hold orders", "tmall")
    assert client.get(f"/api/v1/orders/{jd}", headers=mine).json()["hold_reason"] is None  # nothing held
    _refused(client.post(f"/api/v1/orders/{tmall}/release", headers=mine), "release orders", "tmall")
    r = client.post(
        f"/api/v1/orders/{tmall}/reroute", json={"reason": "检修", "exclude_warehouses": []}, headers=mine
    )
    _refused(r, "re-route orders", "tmall")
    assert client.post(f"/api/v1/orders/{jd}/hold", json=reason, headers=mine).status_code == 200


def test_a_key_bound_to_a_shop_acts_on_that_shops_pulled_orders_only(
    client: TestClient, post_order: Callable[..., str], world: Ordo
) -> None:
    mine = post_order("SHOP-MINE", channel="taobao")
    theirs = post_order("SHOP-THEIRS", channel="taobao")
    pushed = post_order("SHOP-PUSHED", channel="taobao")
    with world.store.uow() as uow:  # as the puller records which shop each order came from
        uow.platforms.commit_page("tb-flagship", 0, [("taobao", "SHOP-MINE")], 0)
        uow.platforms.commit_page("tb-outlet", 0, [("taobao", "SHOP-THEIRS")], 0)
        uow.commit()
    ops = frozenset({Perm.READ, Perm.ORDERS_CANCEL, Perm.MILESTONES_WRITE})
    key = _bearer(
        create_key(
            world,
            Role.INTEGRATION,
            "flagship erp",
            scope=Scope(shops=frozenset({"tb-flagship"}), operations=ops),
        )
    )
    for other, shop in ((theirs, "tb-outlet"), (pushed, "-")):
        r = client.post(f"/api/v1/orders/{other}/cancel", json={"reason": "x"}, headers=key)
        assert r.status_code == 403 and r.json()["details"]["shops"] == [shop], r.text
        assert r.json()["details"]["allowed_shops"] == ["tb-flagship"] and "店铺" in r.json()["message"]
    step = {"milestone": "picked", "at": "2026-11-11T09:00:00+08:00", "source": "wms"}
    r = client.post("/api/v1/milestones", json={"updates": [{"order_id": theirs, **step}]}, headers=key)
    assert r.status_code == 403 and r.json()["details"]["refused"] == "write milestones"
    assert (
        client.post(f"/api/v1/orders/{mine}/cancel", json={"reason": "buyer"}, headers=key).status_code == 200
    )
