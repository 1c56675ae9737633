"""通知 that reaches people: notify channels as data, messages queued at intake and delivered
by a background duty, within each platform's rate limit, bursts summarised, retried.

* **Channels** (``notify_channels``): a WeCom, DingTalk or Feishu group bot (its webhook URL
  and signing secret) or SMTP recipients, each serving some rule roles (``运营``, ``风控`` …;
  none listed: every role). Kept with :func:`put_channel`; the secret is stored, and shown
  or logged nowhere (:func:`channels` says only whether one is set).
* **Queueing** (:func:`queue_rule_notes`): a fired ``通知 <role>`` adds one ``pending``
  delivery per channel serving the role, in the intake's unit of work. No network there.
* **Delivery** (:class:`AlertDispatcher`, the ``alerts`` duty beside outbound delivery):
  due deliveries are read, sent with the sender (:mod:`ordo.adapters.outbound.bots`) outside
  any transaction, and their result recorded: ``sent``, or a retry after the project's
  :class:`~ordo.service.runtime.retry.RetryPolicy` backoff, ``failed`` after its last attempt.
* **Rate limits**: WeCom 20 messages a minute per bot, DingTalk 20 a minute, Feishu 100 a
  minute and 5 a second, e-mail 30 a minute (counted from the ``sent`` rows of the window,
  so they hold across restarts). When a channel has more waiting than it may send now
  (or more than :data:`BURST`), they go as **one summary** message: the waiting rows become
  ``summarised`` (pointing at the summary row) and the summary is what is sent.

Time: the business clock for windows and retries; the wall clock for the platforms'
signature timestamps (they compare with their own clocks).
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from ordo.adapters.outbound.bots import NotifyFailed
from ordo.domain.errors import NotFound, ValidationError
from ordo.service.ports import UnitOfWork
from ordo.service.runtime.retry import RetryPolicy

if TYPE_CHECKING:
    from ordo.domain.orders.model import Order
    from ordo.service.runtime.app import Ordo

log = logging.getLogger(__name__)
NS = 1_000_000_000
KINDS = ("wecom", "dingtalk", "feishu", "email")
PENDING, SENT, FAILED, SUMMARISED = "pending", "sent", "failed", "summarised"
#: More than this many waiting for one channel in one round go as one summary.
BURST = 5
#: Deliveries read per round.
BATCH = 500
#: A message that failed: 1 s, 2 s, … at most 5 min; ``failed`` after 8 attempts.
ALERTS = RetryPolicy(base_s=1.0, max_s=300.0, max_attempts=8)


@dataclass(frozen=True, slots=True)
class Rate:
    per_minute: int
    per_second: int | None = None


#: Each platform's documented limit per bot (e-mail: a polite one of ours).
RATES: Mapping[str, Rate] = {
    "wecom": Rate(20),
    "dingtalk": Rate(20),
    "feishu": Rate(100, 5),
    "email": Rate(30),
}


class Sender(Protocol):
    def send(self, channel: dict[str, Any], subject: str, text: str, wall_ms: int) -> None:
        """Deliver one message or raise :class:`NotifyFailed`."""
        ...


# -- channels ---------------------------------------------------------------------------


def _check_channel(kind: str, target: str, options: Mapping[str, Any]) -> None:
    if kind not in KINDS:
        raise ValidationError(
            "kind", f"kind must be one of {', '.join(KINDS)} / 渠道类型须为 {'、'.join(KINDS)}"
        )
    if kind == "email":
        if not target or any("@" not in a for a in target.split(",")):
            raise ValidationError("target", "comma-separated e-mail addresses / 请填写邮箱地址（逗号分隔）")
        if not options.get("host"):
            raise ValidationError("options.host", "the SMTP host is required / 请填写 SMTP 服务器")
        return
    parts = urlsplit(target)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValidationError("target", "the bot's webhook URL (https://…) / 请填写机器人 Webhook 地址")


def put_channel(
    app: Ordo,
    name: str,
    *,
    kind: str,
    target: str,
    secret: str | None = None,
    roles: Iterable[str] = (),
    options: Mapping[str, Any] | None = None,
    enabled: bool = True,
) -> dict[str, Any]:
    """Add or replace the channel ``name``; the answer shows no secret."""
    name = name.strip()
    if not name or len(name) > 64:
        raise ValidationError("name", "a name of 1 to 64 characters / 名称须为 1 至 64 个字符")
    opts = dict(options or {})
    _check_channel(kind, target.strip(), opts)
    row = {
        "name": name, "kind": kind, "target": target.strip()[:1000], "secret": secret or None,
        "roles": sorted(set(roles)), "options": opts, "enabled": enabled,
        "updated_at_ns": app.clock.now_ns(),
    }  # fmt: skip

    def work() -> None:
        with app.store.uow() as uow:
            uow.actions.put_channel(row)
            uow.commit()

    app.retrying(work)
    return shown(row)


def shown(row: Mapping[str, Any]) -> dict[str, Any]:
    """A channel as it may be shown: the secret only as set or not, a bot's URL without its query
    (WeCom's key and DingTalk's token live there)."""
    out = {k: v for k, v in row.items() if k != "secret"}
    out["secret_set"] = bool(row.get("secret"))
    if row["kind"] != "email":
        parts = urlsplit(str(row["target"]))
        out["target"] = f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")
    opts = dict(row.get("options") or {})
    opts.pop("password", None)
    out["options"] = opts
    return out


def channels(app: Ordo) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return [shown(r) for r in uow.actions.channels()]


def delete_channel(app: Ordo, name: str) -> None:
    def work() -> bool:
        with app.store.uow() as uow:
            gone = uow.actions.delete_channel(name)
            uow.commit()
        return gone

    if not app.retrying(work):
        raise NotFound(f"no notify channel {name} / 通知渠道不存在", details={"name": name})


def deliveries(app: Ordo, *, status: str | None = None, channel: str | None = None) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return uow.actions.deliveries(status=status, channel=channel)


# -- queueing (intake) ------------------------------------------------------------------


def note_text(role: str, rule_id: str, rule: str, order: Order) -> str:
    return (
        f"【Ordo 规则通知 / rule notice】{rule}\n"
        f"订单 / order: {order.id}（{order.channel} {order.external_id}）\n"
        f"通知 / for: {role} · 规则 / rule: {rule_id}"
    )


def queue_rule_notes(
    uow: UnitOfWork, notes: Sequence[tuple[str, str, int | None, Order, str]], now: int
) -> int:
    """One pending delivery per (note, channel serving its role); how many were queued."""
    serving = [c for c in uow.actions.channels() if c["enabled"]]
    rows: list[dict[str, Any]] = []
    for role, rule_id, _version, order, rule in notes:
        for c in serving:
            if c["roles"] and role not in c["roles"]:
                continue
            rows.append({
                "channel": c["name"], "role": role[:64], "rule_id": rule_id[:64], "order_id": order.id,
                "text": note_text(role, rule_id, rule, order)[:4000], "status": PENDING, "attempts": 0,
                "next_attempt_ns": now, "created_at_ns": now, "sent_at_ns": None, "summary_id": None,
                "error": "",
            })  # fmt: skip
    uow.actions.add_deliveries(rows)
    return len(rows)


# -- delivery (background) --------------------------------------------------------------


def summary_text(rows: Sequence[Mapping[str, Any]]) -> str:
    by_rule = Counter(str(r["rule_id"]) for r in rows)
    orders = [str(r["order_id"]) for r in rows if r["order_id"]]
    lines = [f"【Ordo 规则通知汇总 / rule notices, summarised】{len(rows)} 条 / messages"]
    lines += [f"· 规则 / rule {rule}: {n} 单 / orders" for rule, n in by_rule.most_common(10)]
    if orders:
        more = f" … (+{len(orders) - 10})" if len(orders) > 10 else ""
        lines.append("订单 / orders: " + ", ".join(orders[:10]) + more)
    return "\n".join(lines)


class AlertDispatcher:
    """One round: send what is due, channel by channel, within each channel's rate."""

    def __init__(
        self, app: Ordo, sender: Sender, policy: RetryPolicy = ALERTS, rng: random.Random | None = None
    ) -> None:
        self._app, self._sender, self._policy = app, sender, policy
        self._rng = rng or app.rng

    def run_once(self) -> int:
        """Deliveries settled this round (sent, summarised or failed for good)."""
        app = self._app
        now = app.clock.now_ns()
        with app.store.uow(read_only=True) as uow:
            due = uow.actions.due_deliveries(now, BATCH)
            if not due:
                return 0
            known = {c["name"]: c for c in uow.actions.channels()}
            room = {}
            for name in {r["channel"] for r in due}:
                c = known.get(name)
                if c is not None:
                    rate = RATES[c["kind"]]
                    left = rate.per_minute - uow.actions.sent_since(name, now - 60 * NS)
                    if rate.per_second is not None:
                        left = min(left, rate.per_second - uow.actions.sent_since(name, now - NS))
                    room[name] = left
        settled = 0
        by_channel: dict[str, list[dict[str, Any]]] = {}
        for r in due:
            by_channel.setdefault(r["channel"], []).append(r)
        for name, rows in by_channel.items():
            channel = known.get(name)
            if channel is None or not channel["enabled"]:
                self._record([r["id"] for r in rows], {"status": FAILED, "error": "channel gone or disabled"})
                settled += len(rows)
                continue
            left = room.get(name, 0)
            if left <= 0:
                continue  # the window moves on; they stay due
            if len(rows) > min(left, BURST):
                settled += len(rows)
                rows = [self._summarise(name, rows, now)]
            for r in rows:
                settled += self._deliver(channel, r)
        return settled

    def _record(self, ids: Sequence[int], values: dict[str, Any]) -> None:
        def work() -> None:
            with self._app.store.uow() as uow:
                uow.actions.update_deliveries(ids, values)
                uow.commit()

        self._app.retrying(work)

    def _summarise(self, channel: str, rows: Sequence[dict[str, Any]], now: int) -> dict[str, Any]:
        summary = {
            "channel": channel, "role": "*", "rule_id": "*", "order_id": None,
            "text": summary_text(rows)[:4000], "status": PENDING, "attempts": 0, "next_attempt_ns": now,
            "created_at_ns": now, "sent_at_ns": None, "summary_id": None, "error": "",
        }  # fmt: skip

        def work() -> int:
            with self._app.store.uow() as uow:
                new_id = uow.actions.add_delivery(summary)
                uow.actions.update_deliveries(
                    [r["id"] for r in rows], {"status": SUMMARISED, "summary_id": new_id}
                )
                uow.commit()
            return new_id

        summary["id"] = self._app.retrying(work)
        return summary

    def _deliver(self, channel: dict[str, Any], row: dict[str, Any]) -> int:
        subject = "Ordo 规则通知 / rule notice"
        attempts = int(row["attempts"]) + 1
        try:
            self._sender.send(channel, subject, str(row["text"]), self._app.wall.now_ns() // 1_000_000)
        except NotifyFailed as e:
            now = self._app.clock.now_ns()
            last = attempts >= self._policy.max_attempts
            log.warning("notify %s via %s failed (attempt %d): %s", row["id"], channel["name"], attempts, e)
            self._record([row["id"]], {
                "attempts": attempts, "error": str(e)[:500], "status": FAILED if last else PENDING,
                "next_attempt_ns": now + self._policy.delay_ns(attempts, self._rng),
            })  # fmt: skip
            return 1 if last else 0
        now = self._app.clock.now_ns()
        self._record([row["id"]], {"attempts": attempts, "status": SENT, "sent_at_ns": now, "error": ""})
        return 1
