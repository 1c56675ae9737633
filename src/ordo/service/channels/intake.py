"""Many webhook bodies at once: map each, then one intake transaction and one bookkeeping
transaction for all of them, and a receipt per body exactly as if each had come alone.

    receive_batch(app, [Push(channel, text), ...])  -> [Receipt | exception, ...]

The stages, per wave:

1. map (pure, with the cached SKU map): a body that cannot be mapped becomes a dead letter;
2. intake the full orders, one :func:`~ordo.service.orders.intake.intake_requests` transaction;
3. bookkeeping, one transaction: dead letters, status-only pushes looked up or parked,
   updates parked earlier for these orders taken and applied with the pushes' own
   milestones (:func:`~ordo.service.orders.milestones.record_updates`), replayed dead letters
   resolved, and the orders' resulting status read back.

The common case skips stage 3: a body whose order intake has just created, with no
milestone beyond those intake recorded and nothing parked for it, is answered from
intake's result after one read of the pending table (:func:`_settled`).

Each body travels as an immutable :class:`_Item`: mapping makes it, and each later stage
(intake's answer, parking) returns a new one, so what a stage saw is what it was given.
A wave runs at most three transactions of its own (intake's, the bookkeeping, and for
updates parked in it a second bookkeeping that applies them if their order arrived
meanwhile) plus intake's read of the catalogue and one read of the pending table.

Bodies for the same (channel, external id) go in successive waves, so a create and its
update in one batch behave as if they arrived one after the other. A stage that fails
is split (:func:`~ordo.service.runtime.batcher.isolate`) until the failure belongs to one
body, which alone gets the exception; the others go on. It must never lose a body:
everything ends as an order, a parked update, a dead letter or an exception its sender sees.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ordo.adapters.channels import ChannelRegistry, Mapped, Reason, Unmappable
from ordo.domain.orders.milestones import Milestone, MilestoneUpdate, Outcome
from ordo.service.channels.receive import (
    ChannelOutcome,
    Receipt,
    adapter_for,
    channel_name,
    guess_id,
    map_payload,
    parse_body,
)
from ordo.service.orders.intake import IntakeOutcome, IntakeRequest, IntakeResult, intake_requests
from ordo.service.orders.milestones import record_updates
from ordo.service.ports import UnitOfWork
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.batcher import Outcomes, isolate


@dataclass(frozen=True, slots=True)
class Push:
    """One authenticated body (``dead_letter``: the dead letter it is a replay of)."""

    channel: str
    text: str
    dead_letter: int | None = None

    def __post_init__(self) -> None:
        # A name users type (淘宝, pdd, 视频号) becomes the canonical one: that is what is stored.
        object.__setattr__(self, "channel", channel_name(self.channel))


@dataclass(frozen=True, slots=True)
class _Item:
    """One body in a wave, as far as it got: each stage returns a new one."""

    push: Push
    mapped: Mapped | None = None
    #: Why it is a dead letter (mapping, or intake refusing the order); empty: it is not.
    reasons: tuple[Reason, ...] = ()
    external_id: str | None = None
    outcome: ChannelOutcome = ChannelOutcome.DUPLICATE
    order_id: str | None = None
    #: Milestones intake itself recorded (not to be applied again).
    already: frozenset[Milestone] = frozenset()
    #: True once the body sits in the pending table: its steps come back through the drain.
    parked: bool = False
    #: (status, hold reason) intake gave the order it created.
    state: tuple[str, str | None] | None = None


@dataclass(frozen=True, slots=True)
class _Booked:
    """What the bookkeeping transaction did for one item."""

    order_id: str | None
    parked: bool = False
    dead_letter: int | None = None
    recorded: tuple[str, ...] = ()
    state: tuple[str, str | None] | None = None


def receive_batch(app: Ordo, pushes: Sequence[Push]) -> Outcomes[Receipt]:
    """One receipt (or the exception that belongs to that body alone) per push, in order."""
    out: list[Receipt | BaseException | None] = [None] * len(pushes)
    waves: list[list[tuple[int, _Item]]] = [[]]
    rounds: dict[tuple[str, str], int] = {}
    for n, push in enumerate(pushes):
        if push.channel not in app.channels.adapters:  # a name of a channel from an extra mapping file
            push = Push(app.channels.name(push.channel), push.text, push.dead_letter)
        try:
            item = _mapped(app, push)
        except Exception as exc:  # not the payload's fault (e.g. the store is down): this body only
            out[n] = exc
            continue
        wave = 0
        if item.mapped is not None:
            key = (push.channel, item.mapped.source.external_id)
            wave = rounds[key] = rounds.get(key, -1) + 1
        while len(waves) <= wave:
            waves.append([])
        waves[wave].append((n, item))
    for wave_items in waves:
        for (n, _), answer in zip(wave_items, _run_wave(app, [it for _, it in wave_items]), strict=True):
            out[n] = answer
    assert all(o is not None for o in out)
    return [o for o in out if o is not None]


def _mapped(app: Ordo, push: Push) -> _Item:
    adapter_for(push.channel, app.channels)
    payload: Mapping[str, Any] = {}
    try:
        payload = parse_body(push.text)
        mapped = map_payload(app, push.channel, payload)
    except Unmappable as exc:
        return _Item(push, reasons=tuple(exc.reasons), external_id=guess_id(payload))
    return _Item(push, mapped, external_id=mapped.source.external_id)


def _run_wave(app: Ordo, mapped: Sequence[_Item]) -> Outcomes[Receipt]:
    items = list(mapped)
    failed: dict[int, BaseException] = {}
    for n, answer in _intake(app, items).items():
        if isinstance(answer, BaseException):
            failed[n] = answer
        else:
            items[n] = _took(items[n], answer)
    settled = _settled(app, items, [n for n in range(len(items)) if n not in failed])
    live = [n for n in range(len(items)) if n not in failed and n not in settled]
    booked = _booked(app, items, live, failed)
    parked = [n for n in live if n in booked and booked[n].parked]
    if parked:  # unless their order arrived meanwhile (another process), they stay pending
        for n in parked:
            items[n] = dataclasses.replace(items[n], parked=True)
        booked.update(_booked(app, items, parked, failed))
    if live:  # intake already told the listeners about what it wrote
        app.notifier.notify()
    booked.update(settled)
    return [failed[n] if n in failed else _receipt(it, booked[n]) for n, it in enumerate(items)]


def _intake(app: Ordo, items: Sequence[_Item]) -> dict[int, IntakeResult | BaseException]:
    """Intake's answer for each item that maps to a full order, in one transaction (split
    only to isolate a failure)."""
    full = [
        (n, it.mapped.order)
        for n, it in enumerate(items)
        if it.mapped is not None and it.mapped.order is not None
    ]
    if not full:
        return {}
    answers = isolate(lambda rs: intake_requests(app, rs), [IntakeRequest([o]) for _, o in full])
    out: dict[int, IntakeResult | BaseException] = {}
    for (n, _), answer in zip(full, answers, strict=True):
        if isinstance(answer, BaseException):
            out[n] = answer
        else:
            assert isinstance(answer, list)
            out[n] = answer[0]
    return out


def _booked(
    app: Ordo, items: Sequence[_Item], ns: list[int], failed: dict[int, BaseException]
) -> dict[int, _Booked]:
    """The bookkeeping of items ``ns``, retried and split to isolate a failure (into ``failed``)."""
    out: dict[int, _Booked] = {}
    answers = isolate(lambda part: app.retrying(lambda: _book(app, [items[n] for n in part])), ns)
    for n, b in zip(ns, answers, strict=True):
        if isinstance(b, BaseException):
            failed[n] = b
        else:
            out[n] = b
    return out


def _settled(app: Ordo, items: list[_Item], ns: list[int]) -> dict[int, _Booked]:
    """Of ``ns``, the items intake answered in full, with what their bookkeeping would say.

    Created just now by intake, with no milestone beyond those intake recorded, not a
    replayed dead letter, and nothing parked for the order: bookkeeping would write nothing
    and read back intake's own status. The pending table is read after intake committed,
    so an update parked by another process after this read finds the order when it looks
    again (:func:`_run_wave`) and applies itself: either way it is applied, never lost.
    """
    quick = [n for n in ns if _intake_did_all(items[n])]
    if not quick:
        return {}
    try:
        with app.store.uow(read_only=True) as uow:
            parked = uow.channels.pending_among([_key(items[n]) for n in quick])
    except Exception:  # the bookkeeping path, with its retries and isolation, answers them instead
        return {}
    return {
        n: _Booked(items[n].order_id, state=items[n].state) for n in quick if _key(items[n]) not in parked
    }


def _intake_did_all(item: _Item) -> bool:
    if item.reasons or item.outcome is not ChannelOutcome.CREATED or item.push.dead_letter is not None:
        return False
    assert item.mapped is not None and item.state is not None
    return all(m in item.already for m, _ in item.mapped.source.steps)


def _took(item: _Item, result: IntakeResult) -> _Item:
    """The item as intake answered it: a refused order is a dead letter, a created one says
    which milestones intake recorded and the state it gave the order."""
    assert item.mapped is not None and item.mapped.order is not None
    if result.outcome is IntakeOutcome.REJECTED:
        assert result.error is not None
        field_name = str(result.error.details.get("field", "order"))
        refused = Reason(result.error.code, field_name, result.error.message)
        return dataclasses.replace(item, reasons=(refused,))
    if result.outcome is not IntakeOutcome.CREATED:
        return dataclasses.replace(item, order_id=result.order_id)
    assert result.status is not None
    paid = item.mapped.order.paid_at_ns is not None
    return dataclasses.replace(
        item,
        order_id=result.order_id,
        outcome=ChannelOutcome.CREATED,
        state=(result.status, result.hold_reason),
        already=frozenset({Milestone.CREATED, Milestone.PAID} if paid else {Milestone.CREATED}),
    )


def _key(item: _Item) -> tuple[str, str]:
    assert item.mapped is not None
    return (item.push.channel, item.mapped.source.external_id)


def _book(app: Ordo, items: Sequence[_Item]) -> list[_Booked]:
    """The bookkeeping transaction; reads ``items``, never changes them (it may run again)."""
    now = app.clock.now_ns()
    with app.store.uow() as uow:
        repo = uow.channels
        lookups = [_key(it) for it in items if not it.reasons and it.order_id is None]
        existing = uow.orders.existing(lookups) if lookups else {}
        order_ids: list[str | None] = [
            None if it.reasons else it.order_id or existing.get(_key(it)) for it in items
        ]
        with_order = [_key(it) for it, oid in zip(items, order_ids, strict=True) if oid]
        drained = repo.take_pending_many(with_order) if with_order else {}
        updates: list[tuple[int, MilestoneUpdate]] = []
        booked: list[_Booked | None] = [None] * len(items)
        for n, (it, oid) in enumerate(zip(items, order_ids, strict=True)):
            push = it.push
            if it.reasons:
                booked[n] = _Booked(None, dead_letter=_dead(uow, it, now))
                continue
            assert it.mapped is not None
            if oid is None and it.parked:  # parked before and its order is still not here
                booked[n] = _Booked(None, parked=True)
                continue
            if oid is None:
                repo.park(push.channel, it.mapped.source.external_id, push.text, now)
                if push.dead_letter is not None:
                    repo.resolve_dead_letter(push.dead_letter, None, now)
                booked[n] = _Booked(None, parked=True)
                continue
            if not it.parked:  # a parked body's own steps come back through the drain
                steps = [(m, at) for m, at in it.mapped.source.steps if m not in it.already]
                updates += [(n, MilestoneUpdate(oid, m, at, push.channel)) for m, at in steps]
            updates += [
                (n, u) for u in _parked_updates(uow, it, oid, drained.get(_key(it), []), now, app.channels)
            ]
            if push.dead_letter is not None:
                repo.resolve_dead_letter(push.dead_letter, oid, now)
        results = record_updates(uow, [u for _, u in updates], now)
        recorded: dict[int, list[str]] = {}
        for (n, _), r in zip(updates, results, strict=True):
            if r.outcome is Outcome.RECORDED:
                recorded.setdefault(n, []).append(r.update.milestone.value)
        states = repo.order_states([oid for oid in order_ids if oid])
        uow.commit()
    return [
        b if b is not None else _Booked(oid, recorded=tuple(recorded.get(n, ())), state=states.get(oid or ""))
        for n, (b, oid) in enumerate(zip(booked, order_ids, strict=True))
    ]


def _parked_updates(
    uow: UnitOfWork, item: _Item, order_id: str, bodies: list[str], now: int, reg: ChannelRegistry
) -> list[MilestoneUpdate]:
    """Updates that came before their order: their milestones, for this order now."""
    channel = item.push.channel
    out: list[MilestoneUpdate] = []
    for body in bodies:
        try:
            co = adapter_for(channel, reg).parse(parse_body(body))
        except Unmappable as exc:  # parsed once already; kept anyway rather than lost
            listed = [r.as_dict() for r in exc.reasons]
            uow.channels.add_dead_letter(channel, _key(item)[1], body, listed, now)
            continue
        out += [MilestoneUpdate(order_id, m, at, channel) for m, at in co.steps]
    return out


def _dead(uow: UnitOfWork, item: _Item, now: int) -> int:
    listed = [r.as_dict() for r in item.reasons]
    repo, push = uow.channels, item.push
    if push.dead_letter is None:
        return repo.add_dead_letter(push.channel, item.external_id, push.text, listed, now)
    repo.retry_failed(push.dead_letter, listed, now)
    return push.dead_letter


def _receipt(item: _Item, booked: _Booked) -> Receipt:
    channel = item.push.channel
    if item.reasons:
        reasons = tuple(r.as_dict() for r in item.reasons)
        dead = booked.dead_letter
        outcome = ChannelOutcome.DEAD_LETTERED
        return Receipt(channel, outcome, item.external_id, dead_letter_id=dead, reasons=reasons)
    if booked.parked:
        return Receipt(channel, ChannelOutcome.PENDING, item.external_id)
    status, hold = booked.state if booked.state else (None, None)
    recorded = booked.recorded
    return Receipt(channel, item.outcome, item.external_id, booked.order_id, status, hold, recorded=recorded)
