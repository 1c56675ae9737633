"""Feishu (飞书) event callbacks: ``im.message.receive_v1`` and the URL check, replies by API.

As documented for 事件订阅: with an Encrypt Key set, ``X-Lark-Signature`` is the hex SHA-256 of
``X-Lark-Request-Timestamp + X-Lark-Request-Nonce + encrypt_key + raw body``, and the body is
``{"encrypt": base64(iv + AES-256-CBC(key = SHA-256(encrypt_key)))}``; the decrypted event's
``header.token`` must be the Verification Token. A reply is ``POST
/open-apis/im/v1/messages/{message_id}/reply`` with a tenant access token from
``/open-apis/auth/v3/tenant_access_token/internal``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from ordo.adapters.chatbots import BadSignature, Inbound, ReplyFailed, aes

DEFAULT_API = "https://open.feishu.cn"


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def _decrypt(encrypt_key: str, encrypted: str) -> dict[str, Any]:
    try:
        raw = base64.b64decode(encrypted)
    except ValueError as exc:
        raise BadSignature("encrypt is not base64") from exc
    key = hashlib.sha256(encrypt_key.encode()).digest()
    plain = aes.decrypt(key, raw[:16], raw[16:], 16)
    try:
        found: dict[str, Any] = orjson.loads(plain)
    except orjson.JSONDecodeError as exc:
        raise BadSignature("decrypted event is not JSON") from exc
    return found


def seal(encrypt_key: str, event: Mapping[str, Any], iv: bytes) -> bytes:
    """An event encrypted as Feishu sends it (the body). For stand-ins."""
    key = hashlib.sha256(encrypt_key.encode()).digest()
    sealed = iv + aes.encrypt(key, iv, orjson.dumps(event), 16)
    return orjson.dumps({"encrypt": base64.b64encode(sealed).decode()})


def open_event(cfg: Mapping[str, Any], headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
    """The decrypted, verified event (or the URL check)."""
    encrypt_key, token = str(cfg.get("encrypt_key", "")), str(cfg.get("verification_token", ""))
    if not encrypt_key or not token:
        raise BadSignature("Feishu's encrypt key and verification token are not configured")
    expected = signature(
        headers.get("x-lark-request-timestamp", ""),
        headers.get("x-lark-request-nonce", ""),
        encrypt_key,
        body,
    )
    try:
        outer = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadSignature("not JSON") from exc
    event = _decrypt(encrypt_key, str(outer.get("encrypt", "")))
    # The URL check is signed by its token only; every event also by the header signature.
    if event.get("type") == "url_verification":
        if not hmac.compare_digest(str(event.get("token", "")), token):
            raise BadSignature("verification token does not match")
        return event
    if not hmac.compare_digest(expected, headers.get("x-lark-signature", "")):
        raise BadSignature("X-Lark-Signature does not match")
    if not hmac.compare_digest(str((event.get("header") or {}).get("token", "")), token):
        raise BadSignature("verification token does not match")
    return event


def receive(event: Mapping[str, Any]) -> Inbound | None:
    header, body = event.get("header") or {}, event.get("event") or {}
    message = body.get("message") or {}
    if header.get("event_type") != "im.message.receive_v1" or message.get("message_type") != "text":
        return None
    try:
        text = str(orjson.loads(message.get("content") or "{}").get("text") or "")
    except orjson.JSONDecodeError:
        text = ""
    for mention in message.get("mentions") or []:  # "@_user_1 查…": drop the bot's mention key
        text = text.replace(str(mention.get("key", "")), "")
    sender = ((body.get("sender") or {}).get("sender_id") or {}).get("open_id", "")
    return Inbound(
        "feishu",
        text.strip(),
        str(sender),
        reply_to={"message_id": message.get("message_id"), "chat": message.get("chat_id")},
    )


def send_reply(client: httpx.Client, cfg: Mapping[str, Any], inbound: Inbound, text: str) -> None:
    """Reply in the thread of the message, as the app (tenant access token)."""
    api = str(cfg.get("api_base") or DEFAULT_API).rstrip("/")
    got = client.post(
        f"{api}/open-apis/auth/v3/tenant_access_token/internal",
        json={"app_id": cfg.get("app_id", ""), "app_secret": cfg.get("app_secret", "")},
    )
    got.raise_for_status()
    token = got.json().get("tenant_access_token")
    if not token:
        raise ReplyFailed(f"no tenant access token: {got.json().get('msg', '')}")
    answer = client.post(
        f"{api}/open-apis/im/v1/messages/{inbound.reply_to['message_id']}/reply",
        headers={"Authorization": f"Bearer {token}"},
        json={"msg_type": "text", "content": orjson.dumps({"text": text}).decode()},
    )
    answer.raise_for_status()
    if answer.json().get("code", 0) != 0:
        raise ReplyFailed(f"Feishu refused the reply: {answer.json().get('msg', '')}")
