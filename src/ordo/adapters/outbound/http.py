"""Webhooks out: one signed HTTP POST per event.

Headers: ``X-Ordo-Event-Id`` (de-duplicate on it), ``X-Ordo-Event-Type``,
``X-Ordo-Timestamp`` (seconds) and ``X-Ordo-Signature: sha256=<hex>``, the
HMAC-SHA256 of ``"<timestamp>." + body`` under the subscription's secret. A 2xx
answer is a delivery; anything else (or no answer in time) is a failure.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx

from ordo.adapters.outbound.envelope import PublishFailed, body


def sign(secret: str, timestamp: int, payload: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: int, payload: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, payload), signature)


class HttpSender:
    """Posts events; owns one connection pool, closed by ``close``."""

    def __init__(self, timeout_s: float = 5.0) -> None:
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False)

    def send(self, url: str, secret: str, row: dict[str, Any], now_ns: int) -> None:
        data = body(row)
        ts = now_ns // 1_000_000_000
        headers = {
            "Content-Type": "application/json",
            "X-Ordo-Event-Id": str(row["id"]),
            "X-Ordo-Event-Type": row["type"],
            "X-Ordo-Timestamp": str(ts),
            "X-Ordo-Signature": sign(secret, ts, data),
        }
        try:
            r = self._client.post(url, content=data, headers=headers)
        except httpx.HTTPError as exc:
            raise PublishFailed(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= r.status_code < 300:
            raise PublishFailed(f"HTTP {r.status_code}")

    def close(self) -> None:
        self._client.close()
