"""The trigger matcher: a sequence fires on the event that completes it, once per occurrence."""

from __future__ import annotations

from ordo.domain.triggers import Count, CustomerEvent, Single, Streak, fires, kinds_of, lookback

DAY = 86_400 * 1_000_000_000


def ev(kind: str, day: float, n: int, channel: str | None = "douyin") -> CustomerEvent:
    return CustomerEvent(kind, int(day * DAY), channel, None, n)


def fired(pattern: Count | Streak | Single, stream: list[CustomerEvent]) -> list[int]:
    """Replay a customer's events: the ids of those the pattern fires on (as the runner does,
    with only the last ``lookback`` relevant events in hand)."""
    out = []
    kinds = kinds_of(pattern)
    seen: list[CustomerEvent] = []
    for e in stream:
        if e.kind in kinds:
            seen.append(e)
        if fires(pattern, seen[-lookback(pattern) :], e):
            out.append(e.id)
    return out


def test_a_count_fires_when_the_second_return_falls_within_thirty_days() -> None:
    p = Count("returned", 2, 30 * 86_400)
    assert fired(p, [ev("returned", 0, 1), ev("returned", 29, 2)]) == [2]


def test_a_count_does_not_fire_when_the_returns_are_further_apart_than_the_window() -> None:
    p = Count("returned", 2, 30 * 86_400)
    assert fired(p, [ev("returned", 0, 1), ev("returned", 31, 2)]) == []


def test_a_third_return_in_the_same_window_is_the_same_occurrence() -> None:
    p = Count("returned", 2, 30 * 86_400)
    stream = [ev("returned", 0, 1), ev("returned", 5, 2), ev("returned", 10, 3)]
    assert fired(p, stream) == [2]


def test_a_count_crosses_again_once_the_old_events_left_the_window() -> None:
    p = Count("returned", 2, 30 * 86_400)
    stream = [ev("returned", 0, 1), ev("returned", 5, 2), ev("returned", 50, 3), ev("returned", 60, 4)]
    assert fired(p, stream) == [2, 4]


def test_other_kinds_do_not_count() -> None:
    p = Count("returned", 2, 30 * 86_400)
    assert fired(p, [ev("returned", 0, 1), ev("complaint", 1, 2), ev("ordered", 2, 3)]) == []


def test_a_streak_fires_on_the_third_inquiry_without_an_order() -> None:
    p = Streak("inquiry", 3, "ordered", "douyin")
    stream = [ev("inquiry", 0, 1), ev("inquiry", 1, 2), ev("inquiry", 2, 3), ev("inquiry", 3, 4)]
    assert fired(p, stream) == [3]


def test_an_order_between_breaks_the_streak() -> None:
    p = Streak("inquiry", 3, "ordered", "douyin")
    stream = [ev("inquiry", 0, 1), ev("inquiry", 1, 2), ev("ordered", 1.5, 3, "tmall"), ev("inquiry", 2, 4)]
    assert fired(p, stream) == []
    # … and a new streak after the order is a new occurrence
    stream += [ev("inquiry", 3, 5), ev("inquiry", 4, 6)]
    assert fired(p, stream) == [6]


def test_a_streak_on_a_channel_ignores_the_other_channels() -> None:
    p = Streak("inquiry", 3, "ordered", "douyin")
    stream = [ev("inquiry", 0, 1), ev("inquiry", 1, 2, "tmall"), ev("inquiry", 2, 3), ev("inquiry", 3, 4)]
    assert fired(p, stream) == [4]


def test_a_streak_with_a_window_counts_only_the_events_inside_it() -> None:
    p = Streak("inquiry", 2, "ordered", None, 7 * 86_400)
    assert fired(p, [ev("inquiry", 0, 1), ev("inquiry", 10, 2)]) == []
    assert fired(p, [ev("inquiry", 0, 1), ev("inquiry", 3, 2)]) == [2]


def test_a_single_event_fires_on_each_one_of_its_kind() -> None:
    p = Single("delayed")
    assert fired(p, [ev("delayed", 0, 1), ev("returned", 1, 2), ev("delayed", 2, 3)]) == [1, 3]


def test_the_matcher_needs_only_the_last_few_events() -> None:
    assert lookback(Count("returned", 2, 86_400)) == 3
    assert lookback(Streak("inquiry", 3, "ordered")) == 4
    assert kinds_of(Streak("inquiry", 3, "ordered")) == {"inquiry", "ordered"}
