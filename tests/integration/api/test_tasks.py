"""Tasks over HTTP: a trigger published like any rule raises a task from customer messages sent
to ``POST /service/messages``; ``/tasks`` lists, assigns and closes it; ``/triggers/backtest``
replays the stored events; bad input is a 4xx naming the field."""

from __future__ import annotations

from ordo.domain.access import Role
from ordo.service.people import add_user
from ordo.service.triggers import catch_up
from tests.integration.service.routing_helpers import go_live

TRIGGER = "如果 连续2次 在抖音 咨询 未下单 则 创建任务 交给 销售 期限 4小时"


def _ask(client, headers, text: str, customer: str = "C-9", channel: str = "douyin"):
    return client.post(
        "/api/v1/service/messages",
        json={"text": text, "customer": customer, "channel": channel},
        headers=headers,
    )


def test_a_trigger_raises_a_task_that_operations_assign_and_close(client, auth, world, clock):
    go_live(world, TRIGGER)
    ops, viewer = auth(Role.OPS), auth(Role.VIEWER)
    for text in ("请问这款茶叶有没有礼盒装？", "你好，想问下龙井是今年的新茶吗"):
        clock.advance(60)
        r = _ask(client, ops, text)
        assert r.status_code == 200, r.text
        assert r.json()["customer_ref"] == "C-9"
    catch_up(world)

    r = client.get("/api/v1/tasks", headers=viewer)
    assert r.status_code == 200
    [task] = r.json()["items"]
    assert task["role"] == "sales" and task["role_label"] == {"zh": "销售", "en": "sales"}
    assert task["customer_ref"] == "C-9" and task["due_at"] and task["overdue"] is False
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=viewer).json()["id"] == task["id"]

    # A viewer reads but cannot act; a person who is not a user cannot be given the task.
    assert client.post(f"/api/v1/tasks/{task['id']}/close", json={}, headers=viewer).status_code == 403
    r = client.post(f"/api/v1/tasks/{task['id']}/assign", json={"assignee": "nobody"}, headers=ops)
    assert r.status_code == 422 and r.json()["details"]["field"] == "assignee"
    add_user(world, "han.mei", "韩梅梅", Role.OPS, None)
    r = client.post(f"/api/v1/tasks/{task['id']}/assign", json={"assignee": "han.mei"}, headers=ops)
    assert r.status_code == 200 and r.json()["assignee"] == "han.mei"
    r = client.post(f"/api/v1/tasks/{task['id']}/close", json={"note": "已回访"}, headers=ops)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert client.post(f"/api/v1/tasks/{task['id']}/close", json={}, headers=ops).status_code == 409
    assert client.get("/api/v1/tasks", headers=viewer).json()["items"] == []
    assert len(client.get("/api/v1/tasks?status=closed", headers=viewer).json()["items"]) == 1

    # The backtest replays what was kept and names the same occurrence.
    body = {"text": TRIGGER, "since": "2020-01-01", "until": "2099-01-01"}
    r = client.post("/api/v1/triggers/backtest", json=body, headers=ops)
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 1 and r.json()["tasks"][0]["customer_ref"] == "C-9"


def test_bad_input_is_a_4xx_naming_the_field(client, auth, world):
    ops = auth(Role.OPS)
    assert client.get("/api/v1/tasks?status=maybe", headers=ops).status_code == 422
    assert client.get("/api/v1/tasks/999", headers=ops).status_code == 404
    r = _ask(client, ops, "请问有货吗", channel="nowhere")
    assert r.status_code == 422 and r.json()["details"]["field"] == "channel"
    r = client.post(
        "/api/v1/triggers/backtest",
        json={"text": "30天内退货2次则", "since": "2026-01-01", "until": "2026-02-01"},
        headers=ops,
    )
    assert r.status_code == 422
    r = client.post(
        "/api/v1/triggers/backtest",
        json={"text": "30天内退货2次则创建任务交给客服", "since": "2026-02-01", "until": "2026-01-01"},
        headers=ops,
    )
    assert r.status_code == 422 and r.json()["details"]["field"] == "until"


def test_a_trigger_reads_back_in_both_languages_and_goes_through_a_draft(client, auth):
    ops = auth(Role.OPS)
    text = "30天内退货2次则创建任务交给客服期限2小时"
    r = client.post("/api/v1/rules/parse", json={"text": text}, headers=ops)
    assert r.status_code == 200, r.text
    [rule] = r.json()["rules"]
    assert rule["zh"] == "如果 30天以内 退货 2次 则 创建任务 交给 客服 期限 2小时"
    assert rule["en"].startswith("when return 2 times in the last 30d") and rule["tier"] == "L1"
    r = client.post("/api/v1/rules/drafts", json={"text": text, "note": "退货多的客户回访"}, headers=ops)
    assert r.status_code in (200, 201), r.text
