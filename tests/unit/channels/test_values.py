from __future__ import annotations

from decimal import Decimal

import pytest

from ordo.adapters.channels.values import fen_value, time_ns, yuan_to_fen

T0 = 1_794_355_200 * 1_000_000_000  # 2026-11-11 08:00 Asia/Shanghai


@pytest.mark.parametrize(
    ("value", "fen"),
    [("200.07", 20007), ("0.10", 10), ("39.9", 3990), (39.9, 3990), (0.1, 10), (Decimal("283.00"), 28300),
     (12, 1200), ("¥1,234.50", 123450), ("0", 0)],
)  # fmt: skip
def test_yuan_converts_to_exact_fen(value: object, fen: int) -> None:
    assert yuan_to_fen(value) == fen


@pytest.mark.parametrize("value", ["1.005", "abc", "", None, True, "NaN", "Infinity"])
def test_yuan_that_is_not_whole_fen_is_refused_not_rounded(value: object) -> None:
    with pytest.raises(ValueError):
        yuan_to_fen(value)


def test_fen_values_must_be_whole() -> None:
    assert fen_value(4770) == 4770
    assert fen_value("4770") == 4770
    with pytest.raises(ValueError):
        fen_value(47.5)


@pytest.mark.parametrize(
    "value",
    ["2026-11-11 08:00:00", "2026-11-11T08:00:00", 1_794_355_200, 1_794_355_200_000, "1794355200",
     "2026-11-11T00:00:00+00:00"],
)  # fmt: skip
def test_times_in_seconds_millis_or_shanghai_text_are_the_same_instant(value: object) -> None:
    assert time_ns(value) == T0


@pytest.mark.parametrize("value", ["2026-13-01 00:00:00", "yesterday", 0, -5, None])
def test_bad_times_are_refused(value: object) -> None:
    with pytest.raises(ValueError):
        time_ns(value)
