"""Messages to people: group bots of WeCom, DingTalk and Feishu, and e-mail over SMTP.

Each platform's documented request, nothing more:

* **WeCom** (企业微信 群机器人): ``POST`` the webhook URL
  (``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``) with
  ``{"msgtype": "text", "text": {"content": …}}`` (content at most 2048 bytes of UTF-8);
  success is ``errcode`` 0. The key in the URL is the only secret.
* **DingTalk** (钉钉 自定义机器人, 加签): ``timestamp`` in milliseconds and
  ``sign`` = URL-encoded Base64 of HMAC-SHA256 keyed by the secret over
  ``"{timestamp}\\n{secret}"``, both appended to the webhook URL; body
  ``{"msgtype": "text", "text": {"content": …}}``; success is ``errcode`` 0.
* **Feishu / Lark** (飞书 自定义机器人, 签名校验): ``timestamp`` in seconds and ``sign`` =
  Base64 of HMAC-SHA256 *keyed by* ``"{timestamp}\\n{secret}"`` over an empty message, both
  in the JSON body beside ``{"msg_type": "text", "content": {"text": …}}``; success is
  ``code`` 0 (older answers say ``StatusCode`` 0).
* **E-mail**: ``smtplib`` to the channel's host and port (STARTTLS and a login when the
  channel's options say so), one message to the channel's recipients.

The timestamps are wall time (the platforms compare them with their own clocks; a demo's
business clock may run fast). Secrets are never logged and never in an error message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import urllib.parse
from email.message import EmailMessage
from typing import Any

import httpx

#: WeCom's text content limit (bytes of UTF-8); the others allow more, this is the common cut.
MAX_TEXT_BYTES = 2048


class NotifyFailed(Exception):
    """A message was not delivered; the text says why (never a secret)."""


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The URL-encoded signature DingTalk checks (its 加签 algorithm)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """The signature Feishu checks: the key is ``timestamp\\nsecret``, the message empty."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def clip(text: str, limit: int = MAX_TEXT_BYTES) -> str:
    raw = text.encode()
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode(errors="ignore") + "…"


def bot_request(channel: dict[str, Any], text: str, wall_ms: int) -> tuple[str, dict[str, Any]]:
    """The URL and JSON body of one text message to a group bot."""
    kind, url, secret = channel["kind"], str(channel["target"]), channel.get("secret") or ""
    text = clip(text)
    if kind == "wecom":
        return url, {"msgtype": "text", "text": {"content": text}}
    if kind == "dingtalk":
        if secret:
            sep = "&" if "?" in url else "?"
            url = f"{url}{sep}timestamp={wall_ms}&sign={dingtalk_sign(secret, wall_ms)}"
        return url, {"msgtype": "text", "text": {"content": text}}
    if kind == "feishu":
        body: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
        if secret:
            ts = wall_ms // 1000
            body = {"timestamp": str(ts), "sign": feishu_sign(secret, ts), **body}
        return url, body
    raise NotifyFailed(f"not a bot channel: {kind}")


def _accepted(kind: str, answer: Any) -> bool:
    if not isinstance(answer, dict):
        return False
    if kind == "feishu":
        return answer.get("code", answer.get("StatusCode")) == 0
    return answer.get("errcode") == 0


class BotSender:
    """Sends one message to one channel; raises :class:`NotifyFailed` saying why (no secret)."""

    def __init__(self, timeout_s: float = 10.0) -> None:
        self._http = httpx.Client(timeout=timeout_s, follow_redirects=False)
        self._timeout = timeout_s

    def close(self) -> None:
        self._http.close()

    def send(self, channel: dict[str, Any], subject: str, text: str, wall_ms: int) -> None:
        if channel["kind"] == "email":
            self._mail(channel, subject, text)
            return
        url, body = bot_request(channel, text, wall_ms)
        try:
            r = self._http.post(url, json=body)
        except httpx.HTTPError as e:
            raise NotifyFailed(f"{channel['kind']}: {type(e).__name__}") from None
        if r.status_code != 200:
            raise NotifyFailed(f"{channel['kind']}: HTTP {r.status_code}")
        try:
            answer = r.json()
        except ValueError:
            raise NotifyFailed(f"{channel['kind']}: the answer is not JSON") from None
        if not _accepted(channel["kind"], answer):
            code = answer.get("errcode", answer.get("code")) if isinstance(answer, dict) else None
            msg = str(answer.get("errmsg", answer.get("msg", ""))) if isinstance(answer, dict) else ""
            raise NotifyFailed(f"{channel['kind']}: refused ({code}) {msg[:200]}")

    def _mail(self, channel: dict[str, Any], subject: str, text: str) -> None:
        opts = channel.get("options") or {}
        to = [a.strip() for a in str(channel["target"]).split(",") if a.strip()]
        msg = EmailMessage()
        msg["Subject"] = subject
        msg["From"] = str(opts.get("from") or "ordo@localhost")
        msg["To"] = ", ".join(to)
        msg.set_content(text)
        try:
            with smtplib.SMTP(str(opts.get("host") or "localhost"), int(opts.get("port") or 25),
                              timeout=self._timeout) as smtp:  # fmt: skip
                if opts.get("starttls"):
                    smtp.starttls()
                if opts.get("user"):
                    smtp.login(str(opts["user"]), channel.get("secret") or "")
                smtp.send_message(msg, to_addrs=to)
        except (OSError, smtplib.SMTPException) as e:
            raise NotifyFailed(f"email: {type(e).__name__}") from None
