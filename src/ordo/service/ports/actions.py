"""What the rules' actions ask of the store: permission freezes, notify channels and the
deliveries of their messages (rows are plain dicts of the columns of ``schema.actions``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class ActionRepository(Protocol):
    # freezes ------------------------------------------------------------------------
    def open_freezes(self) -> list[dict[str, Any]]:
        """Freezes not lifted (some may have cleared by time: the caller judges)."""
        ...

    def freeze(self, freeze_id: int, *, lock: bool = False) -> dict[str, Any] | None: ...

    def add_freeze(self, row: dict[str, Any]) -> int: ...

    def update_freeze(self, freeze_id: int, values: dict[str, Any]) -> None: ...

    def freezes(self, limit: int = 200) -> list[dict[str, Any]]:
        """Newest first, lifted ones too."""
        ...

    # notify channels ----------------------------------------------------------------
    def channels(self) -> list[dict[str, Any]]: ...

    def put_channel(self, row: dict[str, Any]) -> None:
        """Insert or replace the channel of this name."""
        ...

    def delete_channel(self, name: str) -> bool: ...

    # deliveries ---------------------------------------------------------------------
    def add_deliveries(self, rows: Sequence[dict[str, Any]]) -> None: ...

    def add_delivery(self, row: dict[str, Any]) -> int: ...

    def due_deliveries(self, now_ns: int, limit: int) -> list[dict[str, Any]]:
        """Pending deliveries whose next attempt is due, oldest first."""
        ...

    def update_deliveries(self, ids: Sequence[int], values: dict[str, Any]) -> None: ...

    def sent_since(self, channel: str, since_ns: int) -> int:
        """Messages sent to ``channel`` at or after ``since_ns`` (its rate window)."""
        ...

    def deliveries(
        self, *, status: str | None = None, channel: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Newest first."""
        ...

    # chat bot replies ---------------------------------------------------------------
    def add_bot_reply(self, row: dict[str, Any]) -> int: ...

    def due_bot_replies(self, now_ns: int, limit: int) -> list[dict[str, Any]]:
        """Pending bot replies whose next attempt is due, oldest first."""
        ...

    def update_bot_replies(self, ids: Sequence[int], values: dict[str, Any]) -> None: ...

    def bot_replies_sent_since(
        self, platform: str, since_ns: int, *, bot: str | None = None, chat: str | None = None
    ) -> int:
        """Replies sent on ``platform`` (by ``bot``, into ``chat``) after ``since_ns``."""
        ...

    def bot_replies_deferred(self, platform: str, bot: str, chat: str) -> int:
        """Replies of ``bot`` into ``chat`` deferred by the rate limit and not yet tried."""
        ...

    def bot_replies(self, *, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Newest first."""
        ...
