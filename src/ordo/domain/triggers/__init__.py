"""Event-stream triggers, pure: a customer's events and the sequences over them that raise a task.

``events`` names the kinds of customer events (咨询, 投诉, 下单, 退货, 延迟 …);
``matcher`` says whether a pattern (a count within a window, a streak without a breaking
event, a single event) completes on a given event, from the few events before it that the
pattern needs (``lookback``). No I/O, no clock: times arrive as nanoseconds.
"""

from ordo.domain.triggers.events import EVENT_KINDS, CustomerEvent, kind_label
from ordo.domain.triggers.matcher import Count, Pattern, Single, Streak, fires, kinds_of, lookback

__all__ = [
    "EVENT_KINDS",
    "Count",
    "CustomerEvent",
    "Pattern",
    "Single",
    "Streak",
    "fires",
    "kind_label",
    "kinds_of",
    "lookback",
]
