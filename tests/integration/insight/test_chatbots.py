"""The chat bot against local stand-ins of WeCom, DingTalk and Feishu: each platform's signed
(and, where it encrypts, encrypted) callback gets the same answer ``ask`` gives, through the
platform's documented reply path; a bad signature gets a 401 and no reply at all; commands
look orders up and hold them for the people allowed to."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest

from ordo.adapters.chatbots import dingtalk, feishu, wecom
from ordo.api import create_app
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.service.insight.ask import ask
from ordo.service.insight.chat import MAX_REPLY, BotReplyDispatcher, summary
from ordo.service.orders.worklist import search
from ordo.service.ports.worklist import WorkFilter
from ordo.service.runtime.app import Ordo
from tests.integration.api.conftest import TestClient

QUESTION = "上海仓昨日准时率"


class StandIn:
    """The platforms' reply endpoints: Feishu's token and reply APIs, DingTalk's session webhook."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str], Any]] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                stand_in.calls.append((self.path, dict(self.headers), body))
                if self.path.endswith("/tenant_access_token/internal"):
                    ok = body == {"app_id": "cli_ordo", "app_secret": "feishu-app-secret"}
                    answer = (
                        {"code": 0, "tenant_access_token": "t-ordo", "expire": 7200}
                        if ok
                        else {"code": 10014}
                    )
                elif "/im/v1/messages/" in self.path:
                    ok = self.headers.get("Authorization") == "Bearer t-ordo"
                    answer = {"code": 0, "msg": "success"} if ok else {"code": 99991663, "msg": "bad token"}
                else:  # DingTalk's sendBySession
                    answer = {"errcode": 0, "errmsg": "ok"}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self) -> list[str]:
        out = []
        for path, _, body in self.calls:
            if "/im/v1/messages/" in path:
                out.append(json.loads(body["content"])["text"])
            elif "sendBySession" in path:
                out.append(body["text"]["content"])
        return out


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    s = StandIn()
    yield s
    s.server.shutdown()


WECOM = {
    "token": "wecom-token",
    "aes_key": base64.b64encode(os.urandom(32)).decode().rstrip("="),
    "corp_id": "ww-ordo",
}
DINGTALK = {"app_secret": "dingtalk-app-secret"}


@pytest.fixture
def bot(history: tuple[Ordo, dict[str, int]], url: str, stand_in: StandIn, tmp_path: Path) -> Iterator[Any]:
    app, _ = history
    feishu_cfg = {
        "encrypt_key": "feishu-encrypt-key",
        "verification_token": "feishu-token",
        "app_id": "cli_ordo",
        "app_secret": "feishu-app-secret",
        "api_base": stand_in.base,
    }
    conf = tmp_path / "bots.toml"
    lines = [
        f"[{name}]\n" + "".join(f'{k} = "{v}"\n' for k, v in cfg.items())
        for name, cfg in (("wecom", WECOM), ("dingtalk", DINGTALK), ("feishu", feishu_cfg))
    ]
    conf.write_text("\n".join(lines) + '\n[people]\n"dingtalk:manager01" = "ops"\n', "utf-8")
    app.settings = dataclasses.replace(app.settings, chatbots_file=str(conf))
    with TestClient(create_app(app, Settings(database_url=url))) as client:
        yield client, app, feishu_cfg


def _expected(app: Ordo) -> str:
    return str(ask(app, QUESTION)["rows"][0]["display"])


def _wecom_post(client: Any, text: str, *, token: str = WECOM["token"]) -> Any:
    inner = (
        "<xml><ToUserName>ww-ordo</ToUserName><FromUserName>zhangsan</FromUserName><CreateTime>1796400000"
        f"</CreateTime><MsgType>text</MsgType><Content>{text}</Content><MsgId>1</MsgId><AgentID>1000002</AgentID></xml>"
    )
    encrypted, sig = wecom.seal({**WECOM, "token": token}, inner, "1796400000", "nonce1")
    return client.post(
        "/api/v1/bots/wecom/callback",
        params={"msg_signature": sig, "timestamp": "1796400000", "nonce": "nonce1"},
        content=f"<xml><ToUserName>ww-ordo</ToUserName><Encrypt>{encrypted}</Encrypt></xml>",
    )


def _dingtalk_post(
    client: Any,
    stand_in: StandIn,
    text: str,
    *,
    sender: str = "user123",
    secret: str = DINGTALK["app_secret"],
    conversation: str = "cid-1",
) -> Any:
    stamp = str(int(time.time() * 1000))
    body = {
        "msgtype": "text",
        "text": {"content": f" {text}"},
        "senderStaffId": sender,
        "senderNick": "杨经理",
        "sessionWebhook": f"{stand_in.base}/robot/sendBySession?session=abc",
        "sessionWebhookExpiredTime": int(stamp) + 600_000,
        "conversationType": "2",
        "conversationId": conversation,
        "robotCode": "ding-ordo",
    }
    return client.post(
        "/api/v1/bots/dingtalk/callback",
        content=orjson.dumps(body),
        headers={
            "timestamp": stamp,
            "sign": dingtalk.sign(secret, stamp),
            "Content-Type": "application/json",
        },
    )


def _feishu_post(client: Any, cfg: dict[str, str], event: dict[str, Any], *, key: str | None = None) -> Any:
    body = feishu.seal(key or cfg["encrypt_key"], event, os.urandom(16))
    stamp, nonce = "1796400000", "n-1"
    return client.post(
        "/api/v1/bots/feishu/callback",
        content=body,
        headers={
            "X-Lark-Request-Timestamp": stamp,
            "X-Lark-Request-Nonce": nonce,
            "X-Lark-Signature": feishu.signature(stamp, nonce, cfg["encrypt_key"], body),
            "Content-Type": "application/json",
        },
    )


def _feishu_message(
    text: str, token: str = "feishu-token", *, message_id: str = "om_1", chat: str = "oc_1"
) -> dict[str, Any]:
    return {
        "schema": "2.0",
        "header": {
            "event_id": "e-1",
            "token": token,
            "event_type": "im.message.receive_v1",
            "app_id": "cli_ordo",
        },
        "event": {
            "sender": {"sender_id": {"open_id": "ou_1"}},
            "message": {
                "message_id": message_id,
                "chat_id": chat,
                "message_type": "text",
                "content": json.dumps({"text": f"@_user_1 {text}"}),
                "mentions": [{"key": "@_user_1", "name": "Ordo"}],
            },
        },
    }


def test_wecom_checks_the_url_and_answers_encrypted(bot: Any) -> None:
    client, app, _ = bot
    echo, sig = wecom.seal(WECOM, "echo-12345", "1796400000", "n")
    got = client.get(
        "/api/v1/bots/wecom/callback",
        params={"msg_signature": sig, "timestamp": "1796400000", "nonce": "n", "echostr": echo},
    )
    assert got.status_code == 200 and got.text == "echo-12345"
    got = _wecom_post(client, QUESTION)
    assert got.status_code == 200, got.text
    assert _expected(app) in wecom.open_reply(WECOM, got.text)


def test_dingtalk_replies_through_the_session_webhook(bot: Any, stand_in: StandIn) -> None:
    client, app, _ = bot
    got = _dingtalk_post(client, stand_in, QUESTION)
    assert got.status_code == 200, got.text
    [reply] = stand_in.texts()
    assert _expected(app) in reply and "口径" in reply


def test_feishu_checks_the_url_and_replies_in_thread(bot: Any, stand_in: StandIn) -> None:
    client, app, cfg = bot
    got = _feishu_post(
        client, cfg, {"type": "url_verification", "challenge": "ch-42", "token": "feishu-token"}
    )
    assert got.status_code == 200 and got.json() == {"challenge": "ch-42"}
    got = _feishu_post(client, cfg, _feishu_message(QUESTION))
    assert got.status_code == 200, got.text
    [reply] = stand_in.texts()
    assert _expected(app) in reply
    assert stand_in.calls[-1][0] == "/open-apis/im/v1/messages/om_1/reply"


def test_a_bad_signature_gets_nothing_from_any_platform(bot: Any, stand_in: StandIn) -> None:
    client, app, cfg = bot
    assert _wecom_post(client, QUESTION, token="someone-else").status_code == 401
    assert _dingtalk_post(client, stand_in, QUESTION, secret="guessed").status_code == 401
    assert _feishu_post(client, cfg, _feishu_message(QUESTION), key="other-key").status_code == 401
    assert _feishu_post(client, cfg, _feishu_message(QUESTION, token="forged")).status_code == 401
    assert client.post("/api/v1/bots/dingtalk/callback", content=b"{}").status_code == 401
    assert client.post("/api/v1/bots/slack/callback", content=b"{}").status_code == 404
    assert stand_in.calls == []
    with app.store.uow(read_only=True) as uow:
        assert uow.actions.bot_replies() == []  # nothing queued for later either


def test_commands_look_up_and_hold_orders_for_people_allowed_to(bot: Any, stand_in: StandIn) -> None:
    client, app, _ = bot
    number = "SH-4"  # the platform's order number
    held = WorkFilter(external_id=number, held=True)
    assert _dingtalk_post(client, stand_in, f"查订单 {number}").status_code == 200
    assert "SH-4" in stand_in.texts()[-1] and "状态" in stand_in.texts()[-1]
    assert _dingtalk_post(client, stand_in, f"挂起 {number} 原因 客户要求改期").status_code == 200
    assert "没有挂起订单的权限" in stand_in.texts()[-1]
    assert search(app, held, after_id=None, limit=1)[0] == []  # refused: nothing changed
    assert (
        _dingtalk_post(client, stand_in, f"挂起 {number} 原因 客户要求改期", sender="manager01").status_code
        == 200
    )
    assert "已挂起" in stand_in.texts()[-1]
    [row] = search(app, held, after_id=None, limit=1)[0]
    assert "客户要求改期" in str(row["hold_reason"])


def _statuses(app: Ordo) -> dict[str, int]:
    with app.store.uow(read_only=True) as uow:
        rows = uow.actions.bot_replies(limit=1000)
    out: dict[str, int] = {}
    for r in rows:
        out[r["status"]] = out.get(r["status"], 0) + 1
    return out


def test_dingtalk_replies_stay_within_20_a_minute_and_the_rest_follow(
    bot: Any, stand_in: StandIn, clock: ManualClock
) -> None:
    client, app, _ = bot
    for i in range(25):  # a burst: 25 questions within the same minute
        assert _dingtalk_post(client, stand_in, f"查订单 Q{i:02d}").status_code == 200
    sent_now = stand_in.texts()
    assert len(sent_now) == 20  # DingTalk's 20 a minute per robot
    assert _statuses(app) == {"sent": 20, "pending": 5}
    duty = BotReplyDispatcher(app)
    try:
        clock.advance(30)
        assert duty.run_once() == 0  # still inside the minute: nothing more goes
        assert len(stand_in.texts()) == 20
        clock.advance(31)
        assert duty.run_once() == 5
    finally:
        duty.close()
    later = stand_in.texts()[20:]
    assert len(later) == 1  # the five waiting ones as one reply, not five sends
    assert "5 条问题的回复" in later[0]
    every = "\n".join(stand_in.texts())
    assert all(f"没有找到订单 Q{i:02d}" in every for i in range(25))  # none lost
    assert _statuses(app) == {"sent": 21, "summarised": 5}


def test_feishu_replies_to_one_chat_stay_within_5_a_second(
    bot: Any, stand_in: StandIn, clock: ManualClock
) -> None:
    client, app, cfg = bot
    for i in range(8):
        got = _feishu_post(client, cfg, _feishu_message(f"查订单 F{i}", message_id=f"om_{i}"))
        assert got.status_code == 200, got.text
    assert len(stand_in.texts()) == 5  # 5 a second into one chat
    # Another chat is not held up by the first one's queue.
    got = _feishu_post(client, cfg, _feishu_message("查订单 G1", message_id="om_g", chat="oc_2"))
    assert got.status_code == 200 and "G1" in stand_in.texts()[-1]
    duty = BotReplyDispatcher(app)
    try:
        assert duty.run_once() == 0  # the same second: no room yet
        clock.advance(1)
        assert duty.run_once() == 3
    finally:
        duty.close()
    replies = stand_in.texts()
    assert len(replies) == 7
    assert all(f"没有找到订单 F{i}" in "\n".join(replies) for i in range(8))
    assert "3 条问题的回复" in replies[-1]
    assert stand_in.calls[-1][0] == "/open-apis/im/v1/messages/om_7/reply"  # under the newest


def test_a_reply_that_cannot_be_delivered_is_kept_and_retried(
    bot: Any, stand_in: StandIn, clock: ManualClock
) -> None:
    client, app, cfg = bot
    stand_in.server.shutdown()
    stand_in.server.server_close()  # Feishu unreachable
    got = _feishu_post(client, cfg, _feishu_message("查订单 R1"))
    assert got.status_code == 200  # the callback is answered; the reply waits for a retry
    with app.store.uow(read_only=True) as uow:
        [row] = uow.actions.bot_replies()
    assert row["status"] == "pending" and row["attempts"] == 1 and row["error"]
    back = StandIn()
    try:
        # The platform is back, at another address.
        cfg_path = app.settings.chatbots_file
        assert cfg_path
        text = Path(cfg_path).read_text("utf-8").replace(stand_in.base, back.base)
        Path(cfg_path).write_text(text, "utf-8")
        duty = BotReplyDispatcher(app)
        try:
            clock.advance(5)
            assert duty.run_once() == 1
        finally:
            duty.close()
        assert back.texts() == ["没有找到订单 R1 / No order R1"]
        assert _statuses(app) == {"sent": 1}
    finally:
        back.server.shutdown()


def test_a_summary_that_cannot_hold_every_answer_says_how_many_follow() -> None:
    rows = [{"question": f"问题 {i}", "text": f"答案 {i} " + "很长" * 100} for i in range(30)]
    text, fit = summary(rows)
    assert 0 < fit < 30 and len(text) <= MAX_REPLY
    assert f"【{fit} 条问题的回复" in text
    assert all(f"答案 {i} " in text for i in range(fit)) and f"答案 {fit} " not in text
    assert f"还有 {30 - fit} 条问题稍后回复 / {30 - fit} more questions will be answered shortly" in text
    short, n = summary([{"question": "a", "text": "b"}, {"question": "c", "text": "d"}])
    assert n == 2 and "稍后回复" not in short
