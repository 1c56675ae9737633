"""Chat apps' bot callbacks in, replies out: WeCom (企业微信), DingTalk (钉钉), Feishu (飞书).

Each module checks its platform's signature (and decrypts where the platform encrypts),
turns the callback into an :class:`Inbound` message and sends or renders the reply the way
the platform documents it. No module here decides what to answer
(:mod:`ordo.service.insight.chat` does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class BadSignature(Exception):
    """The callback is not from the platform (signature, token or time window): answer nothing."""


class ReplyFailed(Exception):
    """A reply the platform did not take (its endpoint refused or could not be reached)."""


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message a person sent the bot."""

    platform: str
    text: str
    #: The platform's id of the sender (userid, staffId, open_id).
    sender: str
    sender_name: str = ""
    #: What the reply needs (session webhook, message id, the receiver of a passive reply …).
    reply_to: dict[str, Any] = field(default_factory=dict)
