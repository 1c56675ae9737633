"""The overview counts a province once, however an event or a stored row spelled it."""

from __future__ import annotations

from ordo.domain import events as ev
from ordo.service.events.overview import figures
from ordo.service.events.projector import deltas_of
from ordo.service.ports import EventRecord


def _created(n: int, province: str) -> EventRecord:
    return {
        "id": n,
        "type": ev.ORDER_CREATED,
        "order_id": f"O-{n}",
        "channel": "tmall",
        "at_ns": 0,
        "payload": {"status": "processing", "province": province},
    }


def test_order_created_events_with_short_and_full_names_fill_one_bucket() -> None:
    d = deltas_of([_created(1, "上海"), _created(2, "上海市"), _created(3, "广西")], {})
    assert d.counts["province", "上海市"] == 2 and d.counts["province", "广西壮族自治区"] == 1
    assert ("province", "上海") not in d.counts and ("province", "广西") not in d.counts


def test_stored_counts_under_a_short_name_are_added_to_the_full_name_when_read() -> None:
    counts = {"province": {"上海": 2, "上海市": 3, "内蒙古": 1}, "problem_region": {"上海": 1, "上海市": 1}}
    got = figures(counts, [], [0], set())
    assert got["by_province"] == {"上海市": 5, "内蒙古自治区": 1}
    assert got["problems"]["regions"] == [{"key": "上海市", "count": 2}]


def test_a_place_that_is_no_province_is_kept_as_written() -> None:
    got = figures({"province": {"火星": 1}}, [], [0], set())
    assert got["by_province"] == {"火星": 1}
