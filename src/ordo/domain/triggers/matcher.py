"""Whether a trigger's pattern completes on an event: pure, bounded, once per occurrence.

A pattern *fires on* the event that completes it, never again on the events that merely
keep it true, so each occurrence raises one task (the caller keys the task on the
completing event):

* :class:`Count` — ``30天内 退货 至少 2次``: the event is the ``at_least``-th of its kind
  within ``window_s`` ending at it (the count crosses the threshold; a third return inside
  the same window does not fire again; once the oldest one leaves the window a new
  crossing is a new occurrence);
* :class:`Streak` — ``连续3次 在抖音 咨询 未下单``: the event is the ``times``-th of its kind
  (on the channel, when one is named) since the customer's last ``unless`` event (any
  channel), optionally all within ``window_s``;
* :class:`Single` — ``订单延迟``: every event of the kind.

The caller passes the customer's events of :func:`kinds_of` the pattern, oldest first, ending
with the event itself, at most :func:`lookback` of them: the work per event is bounded by the
pattern, not by the customer's history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ordo.domain.triggers.events import CustomerEvent

_NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Count:
    kind: str
    at_least: int
    window_s: int
    channel: str | None = None


@dataclass(frozen=True, slots=True)
class Streak:
    kind: str
    times: int
    unless: str | None = None
    channel: str | None = None
    window_s: int | None = None


@dataclass(frozen=True, slots=True)
class Single:
    kind: str
    channel: str | None = None


Pattern = Count | Streak | Single


def kinds_of(p: Pattern) -> frozenset[str]:
    """The event kinds the pattern reads (the ones that count and the one that breaks a streak)."""
    if isinstance(p, Streak) and p.unless is not None:
        return frozenset({p.kind, p.unless})
    return frozenset({p.kind})


def lookback(p: Pattern) -> int:
    """How many of the customer's latest events (of :func:`kinds_of`) the matcher needs."""
    if isinstance(p, Count):
        return p.at_least + 1
    if isinstance(p, Streak):
        return p.times + 1
    return 1


def counts(p: Pattern, e: CustomerEvent) -> bool:
    """Whether ``e`` is an event the pattern counts (its kind, on its channel)."""
    return e.kind == p.kind and (p.channel is None or e.channel == p.channel)


def _relevant(p: Pattern, e: CustomerEvent) -> bool:
    if counts(p, e):
        return True
    return isinstance(p, Streak) and p.unless is not None and e.kind == p.unless


def fires(p: Pattern, history: Sequence[CustomerEvent], event: CustomerEvent) -> bool:
    """Whether ``event`` completes the pattern. ``history``: the customer's events up to and
    including ``event``, oldest first (more than :func:`lookback` is allowed, and ignored)."""
    if not counts(p, event):
        return False
    key = (event.at_ns, event.id)
    seen = [e for e in history if (e.at_ns, e.id) <= key and _relevant(p, e)]
    if not seen or seen[-1] != event:
        seen.append(event)
    if isinstance(p, Single):
        return True
    if isinstance(p, Count):
        since = event.at_ns - p.window_s * _NS
        inside = [e for e in seen if e.at_ns > since and counts(p, e)]
        return len(inside) == p.at_least
    run = 0
    for e in reversed(seen):
        if not counts(p, e):
            break  # the breaking event: the streak starts after it
        if p.window_s is not None and e.at_ns <= event.at_ns - p.window_s * _NS:
            break
        run += 1
        if run > p.times:
            return False
    return run == p.times
