"""Service intents: a customer's message (a ticket, a chat line) → 催单 / 改地址 / 换货 / 退货退款 /
投诉 / 咨询 with a confidence, linked to its order and customer; a complaint or an address change
on a known order opens an incident for a person (客服诉求).

The model (:mod:`ordo.domain.intents`) is trained at first use from the examples shipped beside
this module (``intents.jsonl``) and the cue words (``intent_cues.toml``); no network, no model
file. ``intents_held_out.jsonl`` was written apart and is used only to measure
(``ordo bench intents``).
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources
from typing import Any

import orjson

from ordo.domain import events as ev
from ordo.domain.access import Scope
from ordo.domain.errors import ValidationError
from ordo.domain.events import Event
from ordo.domain.incidents.incident import Detector, Raised
from ordo.domain.intents import INTENTS, IntentModel, train
from ordo.domain.orders.model import Channel
from ordo.service.incidents import ledger
from ordo.service.orders.worklist import search
from ordo.service.ports.worklist import WorkFilter
from ordo.service.runtime.app import Ordo

MAX_TEXT = 2000
#: Intents a person must act on when the order is known, with the incident's playbook.
NEEDS_PERSON = {"投诉": "complaint", "改地址": "address"}
#: A platform order number or an Ordo order id in the text.
_NUMBER = re.compile(r"(?<![0-9A-Za-z])([0-9]{10,22}|[0-9]{6}-[0-9]{15}|O[0-9A-Z]{10,23})(?![0-9A-Za-z])")


def examples(name: str) -> list[tuple[str, str]]:
    text = resources.files("ordo.service.insight").joinpath(name).read_text("utf-8")
    return [(row["text"], row["intent"]) for row in map(orjson.loads, filter(None, text.splitlines()))]


@functools.cache
def default_model() -> IntentModel:
    """The model trained on the shipped examples and cue words."""
    cfg = tomllib.loads(
        resources.files("ordo.service.insight").joinpath("intent_cues.toml").read_text("utf-8")
    )
    cues = {k: tuple(v) for k, v in cfg["cues"].items()}
    return train(examples("intents.jsonl"), cues=cues, cue_weight=float(cfg["weight"]))


def classify(text: str, model: IntentModel | None = None) -> dict[str, Any]:
    """The intent of ``text``, its confidence, and every intent's probability."""
    if not text.strip():
        raise ValidationError("text", "empty message / 消息为空")
    scores = (model or default_model()).scores(text[:MAX_TEXT])
    intent, confidence = next(iter(scores.items()))
    code, en = INTENTS[intent]
    return {
        "intent": intent,
        "code": code,
        "label": {"zh": intent, "en": en},
        "confidence": round(confidence, 4),
        "scores": {i: round(p, 4) for i, p in scores.items()},
    }


def _order(app: Ordo, text: str, order_ref: str | None, scope: Scope) -> dict[str, Any] | None:
    """The order the message is about, if the asker's scope reaches it (a caller bound to
    shops links none: its shops' orders are not told apart here)."""
    if scope.shops:
        return None
    candidates = [order_ref] if order_ref else _NUMBER.findall(text)
    for number in candidates[:5]:
        for f in (WorkFilter(external_id=number), WorkFilter(order_id=number)):
            rows, _, _ = search(app, f, after_id=None, limit=5, count=False)
            for row in rows:
                if not scope.channels or row["channel"] in scope.channels:
                    return dict(row)
    return None


def tag_message(
    app: Ordo,
    text: str,
    *,
    order_ref: str | None = None,
    source: str = "api",
    scope: Scope | None = None,
    customer_ref: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    """Tag one message; link its order (named, or a number in the text, within ``scope``) and
    customer (the order's, else ``customer_ref``: a question before any order, 咨询); open an
    incident when the intent needs a person and the order is known. With a customer, the tagged
    message is a customer event (``customer.message_tagged``) that triggers count."""
    if channel is not None and channel not in {c.value for c in Channel}:
        raise ValidationError("channel", f"unknown channel {channel!r} / 未知渠道")
    scope = scope or Scope()
    if (
        customer_ref
        and (scope.channels or scope.shops)
        and (channel is None or channel not in scope.channels)
    ):
        # A caller bound to channels names a customer only on one of its channels.
        raise ValidationError("channel", "name one of your channels for the customer / 请注明您的渠道")
    found = classify(text)
    order = _order(app, text, order_ref, scope)
    found["order_id"] = order["id"] if order else None
    found["customer_ref"] = order["customer_ref"] if order else customer_ref
    found["incident_id"] = None
    if found["customer_ref"]:
        _record(app, found, order["channel"] if order else channel, source)
    book = NEEDS_PERSON.get(found["intent"])
    if order is not None and book is not None:
        raised = Raised(
            order["id"],
            Detector.SERVICE_REQUEST,
            found["code"],
            book,
            {
                "intent": found["intent"],
                "confidence": found["confidence"],
                "message": text[:300],
                "source": source,
            },
            order["channel"],
        )
        now = app.clock.now_ns()

        def work() -> list[dict[str, Any]]:
            with app.store.uow() as uow:
                rows = ledger.open_many(uow, [raised], {}, now)
                for row in rows:
                    ledger.escalate(
                        uow, row, now, f"customer message: {found['intent']} / 客户消息：{found['intent']}"
                    )
                uow.commit()
            return rows

        rows = app.retrying(work)
        app.notifier.notify()
        found["incident_id"] = rows[0]["id"] if rows else "already_open"
    return found


def _record(app: Ordo, found: dict[str, Any], channel: str | None, source: str) -> None:
    """The tagged message as a customer event on the outbox (the trigger runner reads it)."""
    payload = {
        "customer_ref": found["customer_ref"],
        "intent": found["intent"],
        "intent_code": found["code"],
        "confidence": found["confidence"],
        "source": source,
    }
    event = Event(ev.CUSTOMER_MESSAGE_TAGGED, found["order_id"], app.clock.now_ns(), payload, channel)

    def work() -> None:
        with app.store.uow() as uow:
            uow.outbox.append([event])
            uow.commit()

    app.retrying(work)
    app.notifier.notify()
