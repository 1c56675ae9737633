"""What the people use cases ask of the store: users, sessions, failed sign-ins, and the
channel of an order or dead letter (for scope checks).

Repository interface (``typing.Protocol``); the store implements it. Nothing here runs SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol

__all__ = ["PeopleRepository"]


class PeopleRepository(Protocol):
    """Users (never a plaintext password), sessions (only a hash of the token), failures."""

    def add_user(self, **values: Any) -> None: ...

    def user(self, user_id: str) -> dict[str, Any] | None: ...

    def user_by_login(self, login: str) -> dict[str, Any] | None: ...

    def users(self) -> list[dict[str, Any]]: ...

    def names(self, logins: Collection[str]) -> dict[str, str]:
        """Display names of these logins (those that exist)."""
        ...

    def update_user(self, user_id: str, **values: Any) -> bool: ...

    def keys_of(self, user_id: str) -> list[str]: ...

    def add_session(self, **values: Any) -> None: ...

    def session(self, token_hash: str) -> dict[str, Any] | None: ...

    def end_session(self, token_hash: str, now_ns: int) -> None: ...

    def prune_sessions(self, user_id: str, now_ns: int) -> int:
        """Delete the user's ended and expired sessions; how many went."""
        ...

    def end_sessions_of(self, user_id: str, now_ns: int) -> int: ...

    def failures(self, login: str) -> dict[str, Any] | None: ...

    def set_failures(self, login: str, failures: int, window_start_ns: int) -> None: ...

    def prune_failures(self, before_ns: int) -> int:
        """Forget failure windows that began before ``before_ns``; how many went."""
        ...

    def clear_failures(self, login: str) -> None: ...

    def order_channels(self, order_ids: Sequence[str]) -> dict[str, str]:
        """Order id → channel, for the ids that exist."""
        ...

    def order_keys(self, order_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Order id → (channel, external id), for the ids that exist."""
        ...

    def dead_letter_channels(self, ids: Sequence[int] | None, *, open_only: bool) -> dict[int, str]:
        """Dead-letter id → channel (every open one when ``ids`` is None)."""
        ...
