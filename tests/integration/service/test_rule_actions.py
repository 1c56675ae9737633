"""Rule actions that act, end to end: 标红预警 opens an incident in the human queue, 通知
reaches a local group-bot receiver (WeCom, DingTalk and Feishu requests, signatures checked
as the platforms check them) and a local SMTP server, within each platform's rate, bursts
summarised, failures retried; nothing leaves inside the intake transaction."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiosmtpd.controller import Controller

from ordo.adapters.outbound.bots import BotSender
from ordo.clock import ManualClock
from ordo.service.events import alerts
from ordo.service.events.alerts import AlertDispatcher
from ordo.service.incidents.queue import IncidentFilter, list_incidents
from ordo.service.orders.intake import intake
from ordo.service.runtime.app import Ordo
from tests.conftest import new_order
from tests.integration.service.routing_helpers import go_live

DING_SECRET = "SEC-ding-0123456789abcdef"
FEISHU_SECRET = "feishu-secret-0123456789"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"


class Receiver:
    """A local stand-in for the three platforms' bot webhooks, checking what each checks."""

    def __init__(self) -> None:
        self.got: list[dict[str, Any]] = []
        self.refused: list[str] = []
        self.fail_next = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if receiver.fail_next:
                    receiver.fail_next -= 1
                    self.send_response(502)
                    self.end_headers()
                    return
                answer = receiver.judge(parts.path, query, body)
                raw = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def judge(self, path: str, query: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        now = time.time()
        if path == "/cgi-bin/webhook/send":
            if query.get("key") != WECOM_KEY or body.get("msgtype") != "text":
                self.refused.append("wecom")
                return {"errcode": 93000, "errmsg": "invalid webhook url"}
            self.got.append({"to": "wecom", "text": body["text"]["content"]})
            return {"errcode": 0, "errmsg": "ok"}
        if path == "/robot/send":
            ts = query.get("timestamp", "0")
            mac = hmac.new(DING_SECRET.encode(), f"{ts}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
            good = query.get("sign") == base64.b64encode(mac).decode() and abs(int(ts) / 1000 - now) < 3600
            if not good or query.get("access_token") != "T0K":
                self.refused.append("dingtalk")
                return {"errcode": 310000, "errmsg": "sign not match"}
            self.got.append({"to": "dingtalk", "text": body["text"]["content"]})
            return {"errcode": 0, "errmsg": "ok"}
        if path.startswith("/open-apis/bot/v2/hook/"):
            ts = str(body.get("timestamp", "0"))
            mac = hmac.new(f"{ts}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256).digest()
            if body.get("sign") != base64.b64encode(mac).decode() or abs(int(ts) - now) > 3600:
                self.refused.append("feishu")
                return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}
            self.got.append({"to": "feishu", "text": body["content"]["text"]})
            return {"code": 0, "msg": "success", "data": {}}
        self.refused.append(path)
        return {"errcode": 404}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Inbox:
    def __init__(self) -> None:
        self.mail: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mail.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (the controller's ready check cannot use 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _channels(app: Ordo, receiver: Receiver, smtp_port: int) -> None:
    base = receiver.url
    wecom = f"{base}/cgi-bin/webhook/send?key={WECOM_KEY}"
    alerts.put_channel(app, "ops-wecom", kind="wecom", target=wecom, roles=["ops"])
    ding = f"{base}/robot/send?access_token=T0K"
    alerts.put_channel(app, "ops-ding", kind="dingtalk", target=ding, secret=DING_SECRET, roles=["ops"])
    feishu = f"{base}/open-apis/bot/v2/hook/abc"
    alerts.put_channel(app, "ops-feishu", kind="feishu", target=feishu, secret=FEISHU_SECRET, roles=["ops"])
    smtp = {"host": "127.0.0.1", "port": smtp_port, "from": "ordo@example.com"}
    to = "ops@example.com,lead@example.com"
    alerts.put_channel(app, "ops-mail", kind="email", target=to, roles=["ops"], options=smtp)
    # Serves another role: never told of an ops notice.
    other = f"{base}/cgi-bin/webhook/send?key=other"
    alerts.put_channel(app, "risk-wecom", kind="wecom", target=other, roles=["risk"])


def _statuses(app: Ordo) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for d in reversed(alerts.deliveries(app)):
        out.setdefault(d["channel"], []).append(d["status"])
    return out


def test_a_red_flag_opens_an_incident_in_the_human_queue_with_priority_and_owner(world: Ordo) -> None:
    go_live(world, "当 订单金额 > 100 时 标红预警")
    [small] = intake(world, [new_order("RF-small", [("SKU-GAS", 1)])])  # 25 yuan: no flag
    [big] = intake(world, [new_order("RF-big", [("SKU-TEA", 1)])])
    rows, _ = list_incidents(world, IncidentFilter(detector="rule_red_flag"))
    assert [r["order_id"] for r in rows] == [big.order_id]
    [row] = rows
    assert row["queued"] is True and row["priority"] == 2 and row["assignee"] == "alice"
    assert row["playbook"] == "red_flag" and row["state"] == "open"
    assert small.order_id not in {r["order_id"] for r in list_incidents(world, IncidentFilter())[0]}


def test_notify_reaches_each_bot_with_a_valid_signature_and_the_smtp_server(
    world: Ordo, receiver: Receiver, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    _channels(world, receiver, port)
    go_live(world, "当 订单金额 > 100 时 通知 运营")
    [res] = intake(world, [new_order("NT-1", [("SKU-TEA", 1)])])
    # Queued in the intake transaction, sent by nobody yet.
    assert receiver.got == [] and inbox.mail == []
    assert _statuses(world) == {c: ["pending"] for c in ("ops-wecom", "ops-ding", "ops-feishu", "ops-mail")}

    sender = BotSender(timeout_s=5)
    try:
        assert AlertDispatcher(world, sender).run_once() == 4
    finally:
        sender.close()
    assert receiver.refused == []
    assert sorted(g["to"] for g in receiver.got) == ["dingtalk", "feishu", "wecom"]
    assert all(res.order_id in g["text"] for g in receiver.got)
    [(to, mail)] = inbox.mail
    assert sorted(to) == ["lead@example.com", "ops@example.com"]
    assert res.order_id in mail.get_payload() and mail["From"] == "ordo@example.com"
    assert _statuses(world) == {c: ["sent"] for c in ("ops-wecom", "ops-ding", "ops-feishu", "ops-mail")}
    # The secrets never come back out.
    shown = {c["name"]: c for c in alerts.channels(world)}
    assert shown["ops-ding"]["secret_set"] is True and "secret" not in shown["ops-ding"]
    assert WECOM_KEY not in json.dumps(shown) and DING_SECRET not in json.dumps(shown)


def test_a_burst_goes_as_one_summary_per_channel(
    world: Ordo, receiver: Receiver, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    _channels(world, receiver, port)
    go_live(world, "当 订单金额 > 100 时 通知 运营")
    intake(world, [new_order(f"NB-{i}", [("SKU-TEA", 1)]) for i in range(8)])
    sender = BotSender(timeout_s=5)
    try:
        AlertDispatcher(world, sender).run_once()
    finally:
        sender.close()
    assert sorted(g["to"] for g in receiver.got) == ["dingtalk", "feishu", "wecom"]
    assert all("8 条" in g["text"] for g in receiver.got) and len(inbox.mail) == 1
    for statuses in _statuses(world).values():
        assert sorted(statuses) == ["sent"] + ["summarised"] * 8


def test_a_bot_past_its_rate_waits_for_the_window_and_a_failure_is_retried(
    world: Ordo, receiver: Receiver
) -> None:
    clock = world.clock
    assert isinstance(clock, ManualClock)
    wecom = f"{receiver.url}/cgi-bin/webhook/send?key={WECOM_KEY}"
    alerts.put_channel(world, "ops-wecom", kind="wecom", target=wecom)
    go_live(world, "当 订单金额 > 100 时 通知 运营")
    sender = BotSender(timeout_s=5)
    dispatch = AlertDispatcher(world, sender)
    try:
        # 20 a minute: four rounds of five (each within the burst size) fill the minute.
        for n in range(4):
            intake(world, [new_order(f"NR-{n}-{i}", [("SKU-TEA", 1)]) for i in range(5)])
            assert dispatch.run_once() == 5
        assert len(receiver.got) == 20
        intake(world, [new_order("NR-late", [("SKU-TEA", 1)])])
        assert dispatch.run_once() == 0 and len(receiver.got) == 20  # the 21st waits
        clock.advance(61)
        receiver.fail_next = 1
        assert dispatch.run_once() == 0  # the platform failed: retried later, not lost
        [late] = [d for d in alerts.deliveries(world) if d["status"] == "pending"]
        assert late["attempts"] == 1 and late["error"] == "wecom: HTTP 502"
        assert late["next_attempt_ns"] > clock.now_ns()
        clock.advance(5)
        assert dispatch.run_once() == 1
    finally:
        sender.close()
    assert len(receiver.got) == 21 and set(_statuses(world)["ops-wecom"]) == {"sent"}
