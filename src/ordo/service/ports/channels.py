"""What the channel use cases ask of the store: the SKU map, webhook secrets, dead letters,
updates parked before their order, and API keys with idempotency records.

Repository interfaces (``typing.Protocol``); the store implements them. Nothing here
runs SQL or decides anything.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol

__all__ = ["AccessRepository", "ChannelRepository"]


class ChannelRepository(Protocol):
    """Omnichannel intake's rows."""

    def sku_map(self, channel: str) -> dict[str, str]: ...

    def set_sku(self, channel: str, platform_sku: str, ordo_sku: str, now_ns: int) -> None: ...

    def secret(self, channel: str) -> str | None: ...

    def set_secret(self, channel: str, secret: str, now_ns: int) -> None: ...

    def add_dead_letter(
        self, channel: str, external_id: str | None, body: str, reasons: list[dict[str, str]], now_ns: int
    ) -> int: ...

    def dead_letters(
        self,
        *,
        ids: Sequence[int] | None = ...,
        state: str | None = ...,
        limit: int = ...,
        channels: Collection[str] | None = ...,
    ) -> list[dict[str, Any]]: ...

    def resolve_dead_letter(self, dl_id: int, order_id: str | None, now_ns: int) -> None: ...

    def retry_failed(self, dl_id: int, reasons: list[dict[str, str]], now_ns: int) -> None: ...

    def park(self, channel: str, external_id: str, body: str, now_ns: int) -> None: ...

    def pending_among(self, keys: Sequence[tuple[str, str]]) -> set[tuple[str, str]]: ...

    def take_pending_many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], list[str]]: ...

    def sku_map_for(self, channel: str, platform_skus: Sequence[str]) -> dict[str, str]: ...

    def sku_flags(self, skus: Sequence[str]) -> dict[str, frozenset[str]]: ...

    def order_states(self, order_ids: Sequence[str]) -> dict[str, tuple[str, str | None]]: ...


class AccessRepository(Protocol):
    """API keys (stored hashed) and idempotency records."""

    def add_key(
        self,
        key_id: str,
        name: str,
        role: str,
        key_hash: str,
        now_ns: int,
        *,
        user_id: str | None = ...,
        scope: dict[str, Any] | None = ...,
    ) -> None: ...

    def key(self, key_id: str) -> dict[str, Any] | None: ...

    def keys(self) -> list[dict[str, Any]]: ...

    def revoke_key(self, key_id: str, now_ns: int) -> bool: ...

    def idempotent(self, key: str) -> dict[str, Any] | None: ...

    def claim(self, key: str, request_hash: str, now_ns: int) -> bool: ...

    def answer(self, key: str, status_code: int, response: Any) -> None: ...

    def remember(self, key: str, request_hash: str, status_code: int, response: Any, now_ns: int) -> None: ...
