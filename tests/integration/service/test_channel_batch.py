"""Webhook bodies through the micro-batcher: each answered as if it had come alone."""

from __future__ import annotations

import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ordo.api.batching import _orders, _webhooks
from ordo.domain.errors import ValidationError
from ordo.service.channels import intake as channel_intake
from ordo.service.channels.intake import Push, receive_batch
from ordo.service.channels.receive import ChannelOutcome, Receipt, map_payload, parse_body, set_sku_mapping
from ordo.service.orders.intake import IntakeOutcome, IntakeRequest, intake, intake_requests
from ordo.service.runtime.app import Ordo
from tests.conftest import new_order
from tests.integration.api.conftest import count_rows

FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"


def body(tid: int, name: str = "create.json", **changes: Any) -> str:
    trade = json.loads((FIXTURES / "taobao" / name).read_text("utf-8"))
    trade["tid"] = trade["tid_str"] = str(tid)
    trade.update(changes)
    return json.dumps(trade, ensure_ascii=False)


@pytest.fixture
def mapped(world: Ordo) -> Ordo:
    set_sku_mapping(world, "taobao", "4801234567891", "SKU-CUP")
    return world


def test_many_concurrent_webhooks_end_as_the_right_orders_each_with_its_own_receipt(mapped: Ordo) -> None:
    batcher = _webhooks(mapped)
    tids = [7_000_000 + n for n in range(40)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        receipts = list(pool.map(lambda t: batcher.submit(Push("taobao", body(t))).result(timeout=30), tids))
    batcher.close()
    assert [r.external_id for r in receipts] == [str(t) for t in tids]
    assert all(r.outcome is ChannelOutcome.CREATED for r in receipts)
    assert len({r.order_id for r in receipts}) == 40 and count_rows(mapped, "orders") == 40
    with mapped.store.uow(read_only=True) as uow:
        stored = uow.orders.existing([("taobao", str(t)) for t in tids])
    assert {str(t): r.order_id for t, r in zip(tids, receipts, strict=True)} == {
        k[1]: v for k, v in stored.items()
    }


def test_duplicates_and_a_create_with_its_update_in_one_batch_behave_as_if_sent_one_by_one(
    mapped: Ordo,
) -> None:
    pushes = [
        Push("taobao", body(1, "shipped.json")),  # before its order: parked, then applied
        Push("taobao", body(1)),
        Push("taobao", body(1)),
        Push("taobao", body(2)),
        Push("taobao", body(2)),
    ]
    out = receive_batch(mapped, pushes)
    assert all(isinstance(r, Receipt) for r in out)
    shipped, first, again, _, _ = out
    assert isinstance(first, Receipt) and isinstance(again, Receipt) and isinstance(shipped, Receipt)
    assert [r.outcome for r in out if isinstance(r, Receipt)] == [
        ChannelOutcome.PENDING,  # in arrival order: the update came before its order
        ChannelOutcome.CREATED,
        ChannelOutcome.DUPLICATE,
        ChannelOutcome.CREATED,
        ChannelOutcome.DUPLICATE,
    ]
    assert first.order_id == again.order_id and shipped.order_id is None
    assert "outbound" in first.recorded and again.recorded == ()  # the parked update, applied
    assert count_rows(mapped, "orders") == 2 and count_rows(mapped, "channel_pending") == 0


def test_a_poisoned_body_fails_alone_and_the_rest_of_its_batch_goes_in(
    mapped: Ordo, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = intake_requests

    def fragile(app: Ordo, requests: Sequence[IntakeRequest]) -> Any:
        if any(o.external_id == "666" for r in requests for o in r.orders):
            raise RuntimeError("the store refused order 666")
        return real(app, requests)

    monkeypatch.setattr(channel_intake, "intake_requests", fragile)
    pushes = [Push("taobao", body(t)) for t in (101, 666, 102)]
    pushes += [Push("taobao", "{not json"), Push("taobao", body(103))]
    out = receive_batch(mapped, pushes)
    assert isinstance(out[1], RuntimeError)
    receipts = [r for r in out if isinstance(r, Receipt)]
    assert [r.outcome for r in receipts] == [
        ChannelOutcome.CREATED,
        ChannelOutcome.CREATED,
        ChannelOutcome.DEAD_LETTERED,
        ChannelOutcome.CREATED,
    ]
    assert count_rows(mapped, "orders") == 3 and count_rows(mapped, "channel_dead_letters") == 1


def test_an_unmappable_body_in_a_batch_is_dead_lettered_with_its_reasons(world: Ordo) -> None:
    out = receive_batch(world, [Push("taobao", body(5)), Push("taobao", body(6, receiver_city="南京市"))])
    dead, held = out
    assert isinstance(dead, Receipt) and dead.outcome is ChannelOutcome.DEAD_LETTERED
    assert dead.reasons[0]["code"] == "unmapped_sku" and dead.dead_letter_id is not None
    assert isinstance(held, Receipt) and held.outcome is ChannelOutcome.DEAD_LETTERED  # unmapped too


def test_a_new_sku_mapping_is_used_at_once_despite_the_cache(world: Ordo) -> None:
    [before] = receive_batch(world, [Push("taobao", body(8))])
    assert isinstance(before, Receipt) and before.outcome is ChannelOutcome.DEAD_LETTERED
    set_sku_mapping(world, "taobao", "4801234567891", "SKU-CUP")
    [after] = receive_batch(world, [Push("taobao", body(9))])
    assert isinstance(after, Receipt) and after.outcome is ChannelOutcome.CREATED


def test_order_requests_share_a_transaction_but_keep_all_or_nothing_each(world: Ordo) -> None:
    bad = new_order("B-2", [("SKU-NOPE", 1)])
    requests = [
        IntakeRequest([new_order("A-1"), new_order("A-2")], True, "orders"),
        IntakeRequest([new_order("B-1"), bad], True, "orders"),  # one invalid: none of B goes in
        IntakeRequest([new_order("A-1")], True),  # a twin of an order in the first request
    ]
    first, refused, twin = intake_requests(world, requests)
    assert isinstance(refused, ValidationError) and refused.details["field"].startswith("orders[1].")
    assert isinstance(first, list) and [r.outcome for r in first] == [IntakeOutcome.CREATED] * 2
    assert isinstance(twin, list) and twin[0].outcome is IntakeOutcome.DUPLICATE
    assert twin[0].order_id == first[0].order_id
    assert count_rows(world, "orders") == 2


def test_the_order_batcher_answers_concurrent_single_order_requests(world: Ordo) -> None:
    batcher = _orders(world)
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(
            pool.map(
                lambda n: batcher.submit(IntakeRequest([new_order(f"C-{n % 20}")], True)).result(timeout=30),
                range(30),
            )
        )
    batcher.close()
    outcomes = [a[0].outcome for a in answers if isinstance(a, list)]
    assert len(outcomes) == 30
    assert outcomes.count(IntakeOutcome.CREATED) == 20 and count_rows(world, "orders") == 20


def test_fresh_orders_skip_the_bookkeeping_transaction_but_a_parked_update_still_finds_its_order(
    mapped: Ordo, monkeypatch: pytest.MonkeyPatch
) -> None:
    booked: list[list[str | None]] = []
    real = channel_intake._book

    def counting(app: Ordo, items: Sequence[Any]) -> Any:
        booked.append([it.mapped.source.external_id if it.mapped else None for it in items])
        return real(app, items)

    monkeypatch.setattr(channel_intake, "_book", counting)
    fresh = receive_batch(mapped, [Push("taobao", body(t)) for t in (301, 302)])
    assert booked == []  # intake said it all: created, paid, nothing parked
    receipts = [r for r in fresh if isinstance(r, Receipt) and r.outcome is ChannelOutcome.CREATED]
    assert len(receipts) == 2 and all(r.status for r in receipts)
    with mapped.store.uow(read_only=True) as uow:  # the receipt's status is the stored one
        stored = uow.channels.order_states([r.order_id for r in receipts if r.order_id])
    assert [(r.status, r.hold_reason) for r in receipts] == [stored[r.order_id or ""] for r in receipts]

    [parked] = receive_batch(mapped, [Push("taobao", body(303, "shipped.json"))])
    assert isinstance(parked, Receipt) and parked.outcome is ChannelOutcome.PENDING
    booked.clear()
    [created] = receive_batch(mapped, [Push("taobao", body(303))])
    assert booked == [["303"]]  # the pending row sends the create through bookkeeping
    assert isinstance(created, Receipt) and created.outcome is ChannelOutcome.CREATED
    assert "outbound" in created.recorded and count_rows(mapped, "channel_pending") == 0


def test_an_update_parked_while_its_order_arrives_from_elsewhere_is_applied_in_the_same_wave(
    mapped: Ordo, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = channel_intake._book
    calls: list[int] = []

    def racing(app: Ordo, items: Sequence[Any]) -> Any:
        out = real(app, items)
        if not calls:  # the order comes in through another process right after the update parked
            calls.append(1)
            order = map_payload(app, "taobao", parse_body(body(501))).order
            assert order is not None
            [created] = intake(app, [order])
            assert created.outcome is IntakeOutcome.CREATED
        return out

    monkeypatch.setattr(channel_intake, "_book", racing)
    [update] = receive_batch(mapped, [Push("taobao", body(501, "shipped.json"))])
    assert isinstance(update, Receipt) and update.outcome is ChannelOutcome.DUPLICATE
    assert update.order_id is not None and "outbound" in update.recorded
    assert count_rows(mapped, "channel_pending") == 0 and count_rows(mapped, "orders") == 1


def test_when_the_pending_read_fails_the_bookkeeping_transaction_answers_instead(
    mapped: Ordo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ordo.adapters.store.repositories.channels import ChannelRepository

    def broken(self: ChannelRepository, keys: Any) -> set[tuple[str, str]]:
        raise RuntimeError("read failed")

    monkeypatch.setattr(ChannelRepository, "pending_among", broken)
    out = receive_batch(mapped, [Push("taobao", body(t)) for t in (401, 402)])
    assert [r.outcome for r in out if isinstance(r, Receipt)] == [ChannelOutcome.CREATED] * 2
    assert all(isinstance(r, Receipt) and r.status for r in out) and count_rows(mapped, "orders") == 2
