"""The chat bot: WeCom, DingTalk and Feishu callbacks → an answer → the platform's reply.

What it answers: ``查订单 <平台单号|订单号>`` (an order's status, warehouse and promise), ``挂起
<单号> 原因 <…>`` (hold an order, for people the bot file maps to an operating role), and any
other text as a question for :func:`ordo.service.insight.ask.ask` — the same answer the API,
the CLI and the page give. A callback whose signature does not check gets nothing at all.

The bots' secrets are in a TOML file (``ORDO_CHATBOTS_FILE``), read at each callback so a
rotated secret takes effect without a restart::

    [dingtalk]
    app_secret = "…"
    [wecom]
    token = "…"
    aes_key = "…"     # the 43-character EncodingAESKey
    corp_id = "…"
    [feishu]
    encrypt_key = "…"
    verification_token = "…"
    app_id = "…"
    app_secret = "…"
    [people]          # who may use commands that change orders: "<platform>:<sender id>" = role
    "dingtalk:manager01" = "ops"
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from ordo.adapters.chatbots import BadSignature, Inbound, ReplyFailed, dingtalk, feishu, wecom
from ordo.domain.access import Role
from ordo.domain.errors import NotFound, OrdoError, Unauthenticated, ValidationError
from ordo.service.insight.ask import ask
from ordo.service.orders import holds
from ordo.service.orders.worklist import search
from ordo.service.ports.worklist import WorkFilter
from ordo.service.runtime.app import Ordo

PLATFORMS = ("wecom", "dingtalk", "feishu")
#: Roles whose people may hold orders from the chat (as the API's holds allow).
OPERATORS = frozenset({Role.OPS, Role.ADMIN})
#: The longest reply sent (the platforms cut text messages at 2–4 KB).
MAX_REPLY = 1800
_ORDER = re.compile(r"^\s*(?:查订单|查单|订单|order)\s*[:：]?\s*(\S+)\s*$", re.IGNORECASE)
_HOLD = re.compile(
    r"^\s*(?:挂起|hold)\s*[:：]?\s*(\S+)\s*(?:原因|reason)\s*[:：]?\s*(.+?)\s*$", re.IGNORECASE
)
_MENTION = re.compile(r"^\s*@\S+\s*")


class NotFromPlatform(Unauthenticated):
    """A callback whose signature, token or time window does not check: nothing is answered."""

    code = "bad_signature"


class ReplyNotDelivered(OrdoError):
    """The platform's reply endpoint refused the answer or could not be reached."""

    code = "reply_not_delivered"
    http_status = 502


@dataclass(frozen=True, slots=True)
class BotAnswer:
    """What the callback's HTTP answer is: status, body and its media type."""

    status: int
    body: str | bytes
    media_type: str = "application/json"


def bot_config(app: Ordo) -> dict[str, Any]:
    """The bots' file as of now (empty when none is configured)."""
    path = app.settings.chatbots_file
    if not path:
        return {}
    try:
        return tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValidationError(
            "chatbots_file", f"bots file unreadable: {exc} / 机器人配置文件无法读取"
        ) from exc


def handle(
    app: Ordo,
    platform: str,
    method: str,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    body: bytes,
    client: httpx.Client | None = None,
) -> BotAnswer:
    """Answer one callback. 401 :class:`NotFromPlatform` (and nothing sent) when it is not from
    the platform; 502 :class:`ReplyNotDelivered` when the platform did not take the reply."""
    try:
        return _handle(app, platform, method, headers, query, body, client)
    except BadSignature as exc:
        raise NotFromPlatform(
            f"not a callback from {platform}: {exc} / 不是来自{platform}的回调（签名不符）",
            details={"platform": platform},
        ) from None
    except ReplyFailed as exc:
        raise ReplyNotDelivered(f"{platform}: {exc} / 回复未送达", details={"platform": platform}) from exc


def _handle(
    app: Ordo,
    platform: str,
    method: str,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    body: bytes,
    client: httpx.Client | None = None,
) -> BotAnswer:
    if platform not in PLATFORMS:
        raise NotFound(
            f"no chat platform {platform!r} / 未知的机器人平台", details={"platforms": list(PLATFORMS)}
        )
    bots = bot_config(app)  # read once per callback: a rotated secret needs no restart
    cfg = bots.get(platform)
    if not cfg:
        raise BadSignature(f"{platform} bot not configured")
    people = bots.get("people", {})
    wall_ms = app.wall.now_ns() // 1_000_000
    if platform == "wecom":
        if method == "GET":
            return BotAnswer(200, wecom.verify_url(cfg, query), "text/plain")
        inbound = wecom.receive(cfg, query, body)
        if inbound is None:
            return BotAnswer(200, "success", "text/plain")
        text = reply_text(app, inbound, people)
        return BotAnswer(200, wecom.reply(cfg, inbound, text, wall_ms // 1000), "application/xml")
    own = client or httpx.Client(timeout=5.0)
    try:
        if platform == "dingtalk":
            got = dingtalk.receive(cfg, headers, body, wall_ms)
            if got is not None:
                dingtalk.send_reply(own, got, reply_text(app, got, people), wall_ms)
            return BotAnswer(200, "{}")
        event = feishu.open_event(cfg, headers, body)
        if event.get("type") == "url_verification":
            return BotAnswer(200, orjson.dumps({"challenge": str(event.get("challenge", ""))[:200]}))
        msg = feishu.receive(event)
        if msg is not None:
            feishu.send_reply(own, cfg, msg, reply_text(app, msg, people))
        return BotAnswer(200, "{}")
    except httpx.HTTPError as exc:
        raise ReplyFailed(f"{platform}: the reply was not delivered ({type(exc).__name__})") from exc
    finally:
        if client is None:
            own.close()


def reply_text(app: Ordo, inbound: Inbound, people: Mapping[str, str]) -> str:
    """The bot's answer to one message, in Chinese (the teams' language), cut to ``MAX_REPLY``."""
    text = _MENTION.sub("", inbound.text).strip()
    try:
        if m := _HOLD.match(text):
            role = people.get(f"{inbound.platform}:{inbound.sender}")
            if role not in {r.value for r in OPERATORS}:
                return "你没有挂起订单的权限（需要运营或管理员角色）/ You may not hold orders."
            return _hold(app, m.group(1), m.group(2), f"bot:{inbound.platform}:{inbound.sender}")
        if m := _ORDER.match(text):
            return _order(app, m.group(1))
        found = ask(app, text)
        said = found["answer"]["zh"]
        if found["group_by"]:
            lines = [
                f"{' / '.join(str(r.get(f'{d}_label', r[d])) for d in found['group_by'])}：{r['display']}"
                for r in found["rows"][:10]
            ]
            said += "\n" + "\n".join(lines)
        said += f"\n口径：{found['metric']['definition']['zh']}"
    except OrdoError as exc:
        said = exc.message.split(" / ")[0] if " / " in exc.message else exc.message
        hints = [s["zh"] for s in exc.details.get("suggestions", [])]
        if hints and "你是不是想问" not in said:
            said += "\n你是不是想问：" + "、".join(hints)
    return str(said)[:MAX_REPLY]


def _find(app: Ordo, number: str) -> dict[str, Any] | None:
    for f in (WorkFilter(external_id=number), WorkFilter(order_id=number)):
        rows, _, _ = search(app, f, after_id=None, limit=1, count=False)
        if rows:
            return dict(rows[0])
    return None


def _order(app: Ordo, number: str) -> str:
    row = _find(app, number)
    if row is None:
        return f"没有找到订单 {number} / No order {number}"
    hold = f"，挂起：{row['hold_reason']}" if row.get("hold_reason") else ""
    return (
        f"订单 {row['id']}（{row['channel']} {row['external_id']}）：状态 {row['status']}，"
        f"仓库 {row.get('warehouse_id') or '未分仓'}，收货地 {row['province']}{row['city']}{hold}"
    )


def _hold(app: Ordo, number: str, reason: str, actor: str) -> str:
    row = _find(app, number)
    if row is None:
        return f"没有找到订单 {number} / No order {number}"
    [got] = holds.hold(app, [row["id"]], reason=reason, actor=actor)
    outcome = {"held": "已挂起", "already_held": "已经是挂起状态", "refused": "不能挂起（已出库或已关闭）"}
    return f"订单 {row['id']}：{outcome.get(got.outcome, got.outcome)}，原因：{reason}"
