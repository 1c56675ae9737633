"""DingTalk (钉钉) robot callbacks: the message HTTP POSTed when someone @s the bot.

As documented for 机器人接收消息: headers ``timestamp`` (ms) and ``sign``, where ``sign`` is
base64(HMAC-SHA256(key = appSecret, message = timestamp + "\\n" + appSecret)); a timestamp more
than an hour from now is refused. The reply is POSTed to the message's ``sessionWebhook``
(valid until ``sessionWebhookExpiredTime``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from ordo.adapters.chatbots import BadSignature, Inbound, ReplyFailed

WINDOW_MS = 3_600_000


def sign(app_secret: str, timestamp_ms: str) -> str:
    digest = hmac.new(app_secret.encode(), f"{timestamp_ms}\n{app_secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def receive(cfg: Mapping[str, Any], headers: Mapping[str, str], body: bytes, now_ms: int) -> Inbound | None:
    secret, stamp = str(cfg.get("app_secret", "")), headers.get("timestamp", "")
    if not secret or not stamp.isdigit() or abs(now_ms - int(stamp)) > WINDOW_MS:
        raise BadSignature("timestamp missing or outside the hour")
    if not hmac.compare_digest(sign(secret, stamp), headers.get("sign", "")):
        raise BadSignature("sign does not match")
    try:
        msg = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadSignature("not JSON") from exc
    if msg.get("msgtype") != "text":
        return None
    return Inbound(
        "dingtalk",
        str((msg.get("text") or {}).get("content") or ""),
        str(msg.get("senderStaffId") or msg.get("senderId") or ""),
        str(msg.get("senderNick") or ""),
        reply_to={
            "webhook": msg.get("sessionWebhook"),
            "expires_ms": msg.get("sessionWebhookExpiredTime"),
            "sender": msg.get("senderStaffId"),
            "chat": msg.get("conversationId"),
            "bot": msg.get("robotCode") or msg.get("chatbotUserId"),
        },
    )


def send_reply(client: httpx.Client, inbound: Inbound, text: str, now_ms: int) -> None:
    """POST the reply to the session webhook (a text message @-ing the asker)."""
    url = inbound.reply_to.get("webhook")
    expires = inbound.reply_to.get("expires_ms")
    if not url or (expires and int(expires) < now_ms):
        raise ReplyFailed("the session webhook is missing or expired")
    body = {"msgtype": "text", "text": {"content": text}}
    if inbound.reply_to.get("sender"):
        body["at"] = {"atUserIds": [inbound.reply_to["sender"]]}
    answer = client.post(str(url), json=body)
    answer.raise_for_status()
