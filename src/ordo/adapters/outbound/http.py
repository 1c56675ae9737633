"""Events out to subscriptions: one signed HTTP POST per event.

Headers: ``X-Ordo-Event-Id`` (de-duplicate on it), ``X-Ordo-Event-Type``,
``X-Ordo-Timestamp`` (seconds) and ``X-Ordo-Signature: sha256=<hex>``, the
HMAC-SHA256 of ``"<timestamp>." + body`` under the subscription's secret, made by the
one signer, :mod:`ordo.adapters.signing`. A 2xx answer is a delivery; anything else
(or no answer in time) is a failure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from ordo.adapters.outbound import targets
from ordo.adapters.outbound.envelope import PublishFailed, body
from ordo.adapters.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign


class HttpSender:
    """Posts events; owns one connection pool, closed by ``close``.

    Each target is checked before each post (:mod:`ordo.adapters.outbound.targets`): a
    loopback or private address, or a name that now resolves to one, is a failed delivery
    unless ``allow_hosts`` names the host."""

    def __init__(
        self,
        timeout_s: float = 5.0,
        *,
        allow_hosts: Iterable[str] = (),
        resolver: targets.Resolver = targets.resolve,
    ) -> None:
        self._client = httpx.Client(timeout=timeout_s, follow_redirects=False)
        self._allow = tuple(allow_hosts)
        self._resolver = resolver

    def send(self, url: str, secret: str, row: dict[str, Any], now_ns: int) -> None:
        refused = targets.refusal(url, self._allow, self._resolver)
        if refused is not None:
            raise PublishFailed(refused)
        data = body(row)
        ts = now_ns // 1_000_000_000
        headers = {
            "Content-Type": "application/json",
            "X-Ordo-Event-Id": str(row["id"]),
            "X-Ordo-Event-Type": row["type"],
            TIMESTAMP_HEADER: str(ts),
            SIGNATURE_HEADER: sign(secret, ts, data),
        }
        try:
            r = self._client.post(url, content=data, headers=headers)
        except httpx.HTTPError as exc:
            raise PublishFailed(f"{type(exc).__name__}: {exc}") from exc
        if not 200 <= r.status_code < 300:
            raise PublishFailed(f"HTTP {r.status_code}")

    def close(self) -> None:
        self._client.close()
