"""Hold reasons: one enum, the stored codes unchanged, and the kinds people filter by."""

from __future__ import annotations

from ordo.domain.orders.holds import RELEASABLE, HoldReason, hold_kind, manual_hold, review_hold


def test_the_stored_codes_are_the_ones_already_in_the_tables():
    assert [h.value for h in HoldReason] == [
        "no_stock",
        "address_unresolved",
        "review",
        "manual",
        "merge_window",
    ]


def test_review_and_manual_holds_carry_their_reason_within_the_column():
    assert review_hold("大额订单") == "review:大额订单"
    assert review_hold("") == "review"
    assert manual_hold("渠道暂停") == "manual:渠道暂停"
    assert len(manual_hold("x" * 200)) == len(review_hold("y" * 200)) == 64


def test_each_stored_code_has_the_kind_people_filter_by():
    codes = [
        "no_stock",
        "address_unresolved",
        "review",
        "review:大额订单",
        "manual:渠道暂停",
        "merge_window:1",
        None,
        "",
    ]
    kinds = [hold_kind(c) for c in codes]
    assert kinds == ["no_stock", "address", "review", "review", "manual", "merge_window", None, None]
    assert {h.kind for h in HoldReason} == {"no_stock", "address", "review", "manual", "merge_window"}


def test_only_review_and_manual_holds_are_a_persons_to_release():
    assert {"review", "manual"} == RELEASABLE
    assert (
        hold_kind(HoldReason.NO_STOCK) not in RELEASABLE and hold_kind(HoldReason.ADDRESS) not in RELEASABLE
    )
