"""The dashboard's overview figures, read from the persisted projection.

:func:`snapshot` first lets the projector (:mod:`ordo.service.events.projector`) apply what the
outbox gained since its cursor, then reads the small projection tables: a few hundred
counter rows and the flow of the last minutes. Nothing is kept in memory, so the first
render after a start costs what every render costs, with a thousand orders or a million;
orders written by other processes (workers, a second API process) are counted too.

Figures that belong to other parts (incidents, health) are not guessed here: the
page asks their own endpoints and shows "—" while they are absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from ordo.domain.geo import canonical_province
from ordo.service.events.projector import MINUTE_NS, NAME, catch_up
from ordo.service.runtime.app import Ordo

#: Minutes of order flow on the chart.
FLOW_MINUTES = 30
#: Orders per minute is averaged over this many whole minutes.
RATE_MINUTES = 5
TOP = 5


class OnTime(TypedDict):
    """Delivered orders that had a promise, how many of them on time, and the share."""

    delivered: int
    on_time: int
    rate: float | None


class Flow(TypedDict):
    """Orders per minute and channel: one series per channel over ``minutes_ns``."""

    minutes_ns: list[int]
    series: dict[str, list[int]]


class Ranked(TypedDict):
    key: str
    count: int


class Problems(TypedDict):
    """Where refused updates come from: the top warehouses, regions and carriers."""

    warehouses: list[Ranked]
    regions: list[Ranked]
    carriers: list[Ranked]


class Figures(TypedDict):
    total_orders: int
    orders_per_minute: float
    on_time: OnTime
    by_status: dict[str, int]
    by_channel: dict[str, int]
    by_province: dict[str, int]
    by_warehouse: dict[str, int]
    flow: Flow
    problems: Problems


class Overview(Figures):
    """The page's overview: the figures, as of a time and an outbox cursor."""

    as_of_ns: int
    cursor: int | None


def snapshot(app: Ordo) -> Overview:
    """The overview as the page shows it, current to the newest committed event."""
    catch_up(app)
    now = app.clock.now_ns()
    minute = now // MINUTE_NS
    minutes = [m * MINUTE_NS for m in range(minute - FLOW_MINUTES + 1, minute + 1)]
    with app.store.uow(read_only=True) as uow:
        cursor = uow.overview.read_cursor(NAME)
        counts = uow.overview.counts()
        flow = uow.overview.flow(minutes[0])
        carriers = {c.id for c in uow.catalog.carriers()}
    return {"as_of_ns": now, "cursor": cursor, **figures(counts, flow, minutes, carriers)}


def figures(
    counts: Mapping[str, Mapping[str, int]],
    flow: list[tuple[int, str, int]],
    minutes: list[int],
    carriers: set[str],
) -> Figures:
    """The page's figures from the projection's rows (pure)."""

    def dim(name: str) -> Mapping[str, int]:
        return counts.get(name, {})

    per: dict[int, dict[str, int]] = {}
    for m, channel, n in flow:
        per.setdefault(m, {})[channel] = n
    channels = sorted({c for row in per.values() for c in row})
    # The last whole minutes, not the current one (it has only begun).
    recent = sum(sum(per.get(m, {}).values()) for m in minutes[-RATE_MINUTES - 1 : -1])
    delivered, on_time = dim("delivered").get("", 0), dim("on_time").get("", 0)
    sources = dim("problem_source")
    return {
        "total_orders": sum(dim("channel").values()),
        "orders_per_minute": round(recent / RATE_MINUTES, 2),
        "on_time": {
            "delivered": delivered,
            "on_time": on_time,
            "rate": round(on_time / delivered, 4) if delivered else None,
        },
        "by_status": {k: v for k, v in sorted(dim("status").items()) if v},
        "by_channel": _ranked(dim("channel")),
        "by_province": _ranked(_by_full_name(dim("province"))),
        "by_warehouse": _ranked(dim("warehouse")),
        "flow": {
            "minutes_ns": minutes,
            "series": {c: [per.get(m, {}).get(c, 0) for m in minutes] for c in channels},
        },
        "problems": {
            "warehouses": _top(dim("problem_warehouse")),
            "regions": _top(_by_full_name(dim("problem_region"))),
            "carriers": _top({k: v for k, v in sources.items() if k in carriers}),
        },
    }


def _by_full_name(counts: Mapping[str, int]) -> dict[str, int]:
    """Province counts under their full names: rows a projector stored before it folded
    names (上海 beside 上海市) are added to the one bucket when read, no migration needed."""
    out: dict[str, int] = {}
    for name, n in counts.items():
        full = canonical_province(name)
        out[full] = out.get(full, 0) + n
    return out


def _ranked(counts: Mapping[str, int]) -> dict[str, int]:
    return {k: v for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if v}


def _top(counts: Mapping[str, int]) -> list[Ranked]:
    return [
        {"key": k, "count": n}
        for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
        if n > 0
    ]
