"""WeCom (企业微信) self-built app callbacks: URL verification and encrypted text messages.

As documented for 接收消息与事件 / 加解密方案: ``msg_signature`` is the SHA-1 of the sorted
``token``, ``timestamp``, ``nonce`` and the ciphertext, joined; the AES key is the 43-character
EncodingAESKey base64-decoded (its first 16 bytes the IV); the plaintext is 16 random bytes,
the message length (4 bytes, network order), the message and the receiving corp id. The reply
is passive: the same envelope, encrypted, in the callback's HTTP answer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from ordo.adapters.chatbots import BadSignature, Inbound, aes

#: Padding block of WeCom's scheme (PKCS#7 to 32 bytes).
BLOCK = 32


def _key(cfg: Mapping[str, Any]) -> bytes:
    try:
        key = base64.b64decode(str(cfg["aes_key"]) + "=")
    except (KeyError, ValueError) as exc:
        raise BadSignature("no usable EncodingAESKey configured") from exc
    if len(key) != 32:
        raise BadSignature("EncodingAESKey must be 43 characters")
    return key


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypted])).encode()).hexdigest()


def _open(cfg: Mapping[str, Any], query: Mapping[str, str], encrypted: str) -> str:
    expected = signature(
        str(cfg.get("token", "")), query.get("timestamp", ""), query.get("nonce", ""), encrypted
    )
    if not cfg.get("token") or not hmac.compare_digest(expected, query.get("msg_signature", "")):
        raise BadSignature("msg_signature does not match")
    key = _key(cfg)
    try:
        plain = aes.decrypt(key, key[:16], base64.b64decode(encrypted), BLOCK)
    except ValueError as exc:
        raise BadSignature("ciphertext is not base64") from exc
    (size,) = struct.unpack(">I", plain[16:20])
    message, receiver = plain[20 : 20 + size], plain[20 + size :]
    if receiver.decode(errors="replace") != str(cfg.get("corp_id", "")):
        raise BadSignature("message is for another corp")
    return message.decode()


def verify_url(cfg: Mapping[str, Any], query: Mapping[str, str]) -> str:
    """The plaintext ``echostr`` to answer WeCom's URL check with."""
    return _open(cfg, query, query.get("echostr", ""))


def receive(cfg: Mapping[str, Any], query: Mapping[str, str], body: bytes) -> Inbound | None:
    """The text message in a callback (None for an event or another message type)."""
    try:
        encrypted = ET.fromstring(body).findtext("Encrypt") or ""
        xml = ET.fromstring(_open(cfg, query, encrypted))
    except ET.ParseError as exc:
        raise BadSignature("not WeCom's XML") from exc
    if xml.findtext("MsgType") != "text":
        return None
    sender = xml.findtext("FromUserName") or ""
    return Inbound(
        "wecom",
        xml.findtext("Content") or "",
        sender,
        reply_to={
            "to": sender,
            "from": xml.findtext("ToUserName") or "",
            "agent_id": xml.findtext("AgentID"),
        },
    )


def reply(
    cfg: Mapping[str, Any], inbound: Inbound, text: str, timestamp: int, nonce: str | None = None
) -> str:
    """The passive reply: a text message, encrypted and signed, as the callback's answer body."""
    inner = ET.Element("xml")
    for tag, value in (
        ("ToUserName", inbound.reply_to.get("to", "")),
        ("FromUserName", inbound.reply_to.get("from", "")),
        ("CreateTime", str(timestamp)),
        ("MsgType", "text"),
        ("Content", text),
    ):
        ET.SubElement(inner, tag).text = value
    message = ET.tostring(inner, encoding="unicode").encode()
    key = _key(cfg)
    plain = os.urandom(16) + struct.pack(">I", len(message)) + message + str(cfg.get("corp_id", "")).encode()
    encrypted = base64.b64encode(aes.encrypt(key, key[:16], plain, BLOCK)).decode()
    nonce = nonce or os.urandom(8).hex()
    outer = ET.Element("xml")
    for tag, value in (
        ("Encrypt", encrypted),
        ("MsgSignature", signature(str(cfg["token"]), str(timestamp), nonce, encrypted)),
        ("TimeStamp", str(timestamp)),
        ("Nonce", nonce),
    ):
        ET.SubElement(outer, tag).text = value
    return ET.tostring(outer, encoding="unicode")


def open_reply(cfg: Mapping[str, Any], body: str) -> str:
    """The text of a passive reply (what WeCom's client shows), after checking its signature."""
    outer = ET.fromstring(body)
    encrypted = outer.findtext("Encrypt") or ""
    query = {
        "msg_signature": outer.findtext("MsgSignature") or "",
        "timestamp": outer.findtext("TimeStamp") or "",
        "nonce": outer.findtext("Nonce") or "",
    }
    return ET.fromstring(_open(cfg, query, encrypted)).findtext("Content") or ""


def seal(cfg: Mapping[str, Any], message: str, timestamp: str, nonce: str) -> tuple[str, str]:
    """A message encrypted as WeCom sends it: (the Encrypt text, its msg_signature). For stand-ins."""
    key = _key(cfg)
    plain = (
        os.urandom(16)
        + struct.pack(">I", len(message.encode()))
        + message.encode()
        + str(cfg["corp_id"]).encode()
    )
    encrypted = base64.b64encode(aes.encrypt(key, key[:16], plain, BLOCK)).decode()
    return encrypted, signature(str(cfg["token"]), timestamp, nonce, encrypted)
