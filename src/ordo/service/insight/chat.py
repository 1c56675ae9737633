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

**Rate limits** (:data:`REPLY_RATES`, :data:`CHAT_RATES`): a reply goes out at once while the
platform's documented limit has room, counted from the ``sent`` rows of ``bot_replies`` in the
window (so it holds across processes and restarts). Over the limit the answer is stored
``pending`` and the ``ordo-bot-replies`` duty (:class:`BotReplyDispatcher`, beside the rules'
notifications) sends it when the window has room; several waiting for one chat go as **one**
reply carrying their answers ("还有 N 条问题稍后回复" when they do not all fit). A reply that
could not be delivered is retried with the notifications' backoff and ends ``failed``, logged;
none is dropped silently. The callback itself answers at once (the platforms give it 3–5 s).
"""

from __future__ import annotations

import logging
import random
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from ordo.adapters.chatbots import BadSignature, Inbound, ReplyFailed, dingtalk, feishu, wecom
from ordo.domain.access import Role
from ordo.domain.errors import NotFound, OrdoError, Unauthenticated, ValidationError
from ordo.service.events.alerts import ALERTS, FAILED, PENDING, RATES, SENT, SUMMARISED, Rate
from ordo.service.insight.ask import ask
from ordo.service.orders import holds
from ordo.service.orders.worklist import search
from ordo.service.ports import UnitOfWork
from ordo.service.ports.worklist import WorkFilter
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.retry import RetryPolicy

log = logging.getLogger(__name__)
NS = 1_000_000_000
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

#: Each platform's documented limit on the reply path used here, per bot. DingTalk: a robot
#: sends at most 20 messages a minute (the group webhooks' limit, :data:`RATES`). Feishu: the
#: message reply API allows an app 1000 calls a minute and 50 a second. WeCom has no entry:
#: its reply is passive, the callback's own answer, with no send call to limit.
REPLY_RATES: Mapping[str, Rate] = {"dingtalk": RATES["dingtalk"], "feishu": Rate(1000, 50)}
#: Per chat (one user or one group): Feishu allows 5 messages a second (shared by the group's
#: bots); no minute limit is documented, so five a second's worth stands for it.
CHAT_RATES: Mapping[str, Rate] = {"feishu": Rate(5 * 60, 5)}
#: A reply sent inside the callback waits at most this long for each call (the platforms
#: give the callback 3 s); one that does not make it is retried by the duty.
INLINE_TIMEOUT_S = 1.0
#: Pending replies read per round of the duty.
BATCH = 500


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
    the platform; 502 :class:`ReplyNotDelivered` when the reply can never be delivered (an
    expired session webhook). A reply the platform did not take now, or one over its rate
    limit, is kept and sent later by :class:`BotReplyDispatcher`; the callback is a 200."""
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
    if platform == "dingtalk":
        got = dingtalk.receive(cfg, headers, body, wall_ms)
    else:
        event = feishu.open_event(cfg, headers, body)
        if event.get("type") == "url_verification":
            return BotAnswer(200, orjson.dumps({"challenge": str(event.get("challenge", ""))[:200]}))
        got = feishu.receive(event)
    if got is not None:
        own = client or httpx.Client(timeout=INLINE_TIMEOUT_S)
        try:
            if answer(app, cfg, got, reply_text(app, got, people), own) == "failed":
                raise ReplyFailed("the reply cannot be delivered (its session expired or was refused)")
        finally:
            if client is None:
                own.close()
    return BotAnswer(200, "{}")


# -- replies within the platforms' rate limits ------------------------------------------


def _bot(platform: str, cfg: Mapping[str, Any], reply_to: Mapping[str, Any]) -> str:
    """The bot a limit counts for: Feishu's app, DingTalk's robot (one per file otherwise)."""
    if platform == "feishu":
        return str(cfg.get("app_id") or "feishu")[:64]
    return str(reply_to.get("bot") or platform)[:64]


def _room(uow: UnitOfWork, platform: str, bot: str, chat: str, now: int) -> int:
    """How many more replies ``bot`` may send into ``chat`` now."""
    rate = REPLY_RATES.get(platform)
    if rate is None:
        return BATCH
    acts = uow.actions
    left = rate.per_minute - acts.bot_replies_sent_since(platform, now - 60 * NS, bot=bot)
    if rate.per_second is not None:
        left = min(left, rate.per_second - acts.bot_replies_sent_since(platform, now - NS, bot=bot))
    per_chat = CHAT_RATES.get(platform)
    if per_chat is not None:
        sent = acts.bot_replies_sent_since
        left = min(left, per_chat.per_minute - sent(platform, now - 60 * NS, chat=chat))
        if per_chat.per_second is not None:
            left = min(left, per_chat.per_second - sent(platform, now - NS, chat=chat))
    return left


def _row(
    platform: str, bot: str, chat: str, question: str, reply_to: Mapping[str, Any], text: str, now: int
) -> dict[str, Any]:
    return {
        "platform": platform, "bot": bot, "chat": chat, "question": question[:500],
        "reply_to": dict(reply_to), "text": text[:4000], "status": PENDING, "attempts": 0,
        "next_attempt_ns": now, "created_at_ns": now, "sent_at_ns": None, "summary_id": None,
        "error": "",
    }  # fmt: skip


def answer(app: Ordo, cfg: Mapping[str, Any], inbound: Inbound, text: str, client: httpx.Client) -> str:
    """Send ``text`` as the reply to ``inbound`` now if the platform's limit has room, else
    store it for :class:`BotReplyDispatcher`. ``"sent"``, ``"deferred"`` or ``"retrying"``.

    Room is taken before the call (the row is written ``sent``), so two processes answering at
    once do not both take the last place in the window."""
    platform = inbound.platform
    bot = _bot(platform, cfg, inbound.reply_to)
    chat = str(inbound.reply_to.get("chat") or inbound.sender)[:128]
    now = app.clock.now_ns()
    row = _row(platform, bot, chat, inbound.text, inbound.reply_to, text, now)

    def work() -> tuple[int, bool]:
        with app.store.uow() as uow:
            # Replies already waiting for this chat go first: a new one queues behind them.
            free = (
                not uow.actions.bot_replies_deferred(platform, bot, chat)
                and _room(uow, platform, bot, chat, now) > 0
            )
            if free:
                row.update(status=SENT, sent_at_ns=now, attempts=1)
            rid = uow.actions.add_bot_reply(row)
            uow.commit()
        return rid, free

    rid, free = app.retrying(work)
    if not free:
        log.info("%s reply %s deferred: the rate limit has no room", platform, rid)
        return "deferred"
    row["id"] = rid
    return _send(app, cfg, row, client)


def _record(app: Ordo, ids: Sequence[int], values: dict[str, Any]) -> None:
    def work() -> None:
        with app.store.uow() as uow:
            uow.actions.update_bot_replies(ids, values)
            uow.commit()

    app.retrying(work)


def _send(
    app: Ordo,
    cfg: Mapping[str, Any],
    row: Mapping[str, Any],
    client: httpx.Client,
    policy: RetryPolicy = ALERTS,
    rng: random.Random | None = None,
) -> str:
    """Deliver one reply whose room is already taken (its row ``sent``); on failure the row goes
    back to ``pending`` for a retry (the room given back), ``failed`` when it cannot be."""
    platform = str(row["platform"])
    target = Inbound(platform, "", "", reply_to=dict(row["reply_to"]))
    wall_ms = app.wall.now_ns() // 1_000_000
    try:
        try:
            if platform == "dingtalk":
                dingtalk.send_reply(client, target, str(row["text"]), wall_ms)
            else:
                feishu.send_reply(client, cfg, target, str(row["text"]))
        except httpx.HTTPError as exc:
            raise ReplyFailed(f"the reply was not delivered ({type(exc).__name__})") from exc
    except ReplyFailed as exc:
        attempts = int(row["attempts"])
        # An expired session webhook will not come back: no retry.
        last = attempts >= policy.max_attempts or "expired" in str(exc)
        log.warning("%s reply %s not delivered (attempt %d): %s", platform, row["id"], attempts, exc)
        _record(app, [row["id"]], {
            "status": FAILED if last else PENDING, "sent_at_ns": None, "error": str(exc)[:500],
            "next_attempt_ns": app.clock.now_ns() + policy.delay_ns(attempts, rng or app.rng),
        })  # fmt: skip
        return "failed" if last else "retrying"
    return "sent"


def summary(rows: Sequence[Mapping[str, Any]]) -> tuple[str, int]:
    """One reply carrying the answers of ``rows`` (oldest first) and how many of them fit in
    :data:`MAX_REPLY`; the rest are announced as answered shortly (they stay waiting)."""
    room = MAX_REPLY - 120  # the heading and the "N more" line
    parts: list[str] = []
    for i, r in enumerate(rows):
        part = f"\n{i + 1}. 问 / Q: {str(r['question'])[:80]}\n{r['text']}"
        if parts and sum(map(len, parts)) + len(part) > room:
            break
        parts.append(part[:room])
    n, more = len(parts), len(rows) - len(parts)
    text = f"【{n} 条问题的回复 / answers to {n} questions】" + "".join(parts)
    if more:
        text += f"\n还有 {more} 条问题稍后回复 / {more} more questions will be answered shortly"
    return text, n


class BotReplyDispatcher:
    """One round of the ``ordo-bot-replies`` duty: send the replies that waited for room, chat
    by chat, each chat's waiting ones as one reply when there are several."""

    def __init__(self, app: Ordo, client: httpx.Client | None = None, policy: RetryPolicy = ALERTS) -> None:
        self._app, self._policy = app, policy
        self._client = client or httpx.Client(timeout=5.0)
        self._own = client is None

    def close(self) -> None:
        if self._own:
            self._client.close()

    def run_once(self) -> int:
        """Replies settled this round (sent, summarised or failed for good)."""
        app = self._app
        now = app.clock.now_ns()
        with app.store.uow(read_only=True) as uow:
            due = uow.actions.due_bot_replies(now, BATCH)
        if not due:
            return 0
        bots = bot_config(app)
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for r in due:
            groups.setdefault((r["platform"], r["bot"], r["chat"]), []).append(r)
        settled = 0
        for (platform, bot, chat), rows in groups.items():
            cfg = bots.get(platform)
            if not cfg:
                _record(app, [r["id"] for r in rows], {"status": FAILED, "error": "bot not configured"})
                log.warning("%d %s replies failed: the bot is no longer configured", len(rows), platform)
                settled += len(rows)
                continue
            settled += self._group(cfg, platform, bot, chat, rows, now)
        return settled

    def _group(
        self, cfg: Mapping[str, Any], platform: str, bot: str, chat: str, rows: list[dict[str, Any]], now: int
    ) -> int:
        app = self._app
        if len(rows) == 1:
            taken = dict(rows[0])
            folded: list[dict[str, Any]] = []
        else:
            text, fit = summary(rows)
            folded = rows[:fit]
            taken = _row(platform, bot, chat, "*", folded[-1]["reply_to"], text, now)

        def work() -> bool:
            with app.store.uow() as uow:
                if _room(uow, platform, bot, chat, now) <= 0:
                    return False  # the window moves on; they stay due
                attempts = int(taken["attempts"]) + 1
                if folded:
                    taken.update(status=SENT, sent_at_ns=now, attempts=attempts)
                    taken["id"] = uow.actions.add_bot_reply(taken)
                    uow.actions.update_bot_replies(
                        [r["id"] for r in folded], {"status": SUMMARISED, "summary_id": taken["id"]}
                    )
                else:
                    taken.update(status=SENT, sent_at_ns=now, attempts=attempts)
                    uow.actions.update_bot_replies(
                        [taken["id"]], {"status": SENT, "sent_at_ns": now, "attempts": attempts}
                    )
                uow.commit()
            return True

        if not app.retrying(work):
            return 0
        outcome = _send(app, cfg, taken, self._client, self._policy)
        return len(folded) + (0 if folded or outcome == "retrying" else 1)


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
