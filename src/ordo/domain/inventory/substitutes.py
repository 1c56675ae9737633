"""Substitute SKUs as data: what may ship instead of a SKU that is out of stock.

A :class:`Substitute` says that ``ratio`` units of ``substitute`` may ship for each unit
of ``sku`` ordered on ``channel`` (``""``: every channel), tried in ``priority`` order
(lower first). The table is the policy: a SKU with no row is never replaced, and an order
tagged to stay as ordered (:data:`NO_SUBSTITUTE_TAGS`) never is either.

:func:`substitution` is the one decision: for an order that no warehouse (nor any split)
can ship, replace each short line by its first substitute whose units exist, keeping
every other line; :func:`substituted_line` turns the choice into the line that ships,
with the same amount to the fen. Pure: data in, data out; the service applies it at
stock-out and audits it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ordo.domain.errors import ValidationError
from ordo.domain.orders.model import Line

#: The most units of a substitute per unit ordered (a pack of 24 for one case, say).
MAX_RATIO = 100
#: Tags that keep an order as ordered: sealed sets, and a buyer who said no substitutes.
NO_SUBSTITUTE_TAGS = frozenset({"sealed", "封单", "不拆不合", "no_substitute", "不换货"})


@dataclass(frozen=True, slots=True)
class Substitute:
    sku: str
    substitute: str
    ratio: int = 1
    channel: str = ""  # "": every channel
    priority: int = 0

    def check(self, channels: frozenset[str], at: str = "") -> None:
        """A ValidationError naming the field (prefixed by ``at``) of the first thing wrong."""
        if not self.sku:
            raise ValidationError(f"{at}sku", "a SKU is required / 必须填写商品编码")
        if not self.substitute:
            raise ValidationError(f"{at}substitute", "a substitute SKU is required / 必须填写替代商品编码")
        if self.substitute == self.sku:
            raise ValidationError(
                f"{at}substitute", "a SKU cannot substitute for itself / 替代商品不能是商品本身"
            )
        if (
            isinstance(self.ratio, bool)
            or not isinstance(self.ratio, int)
            or not 1 <= self.ratio <= MAX_RATIO
        ):
            raise ValidationError(
                f"{at}ratio", f"must be a whole number 1..{MAX_RATIO} / 必须是 1 到 {MAX_RATIO} 之间的整数"
            )
        if self.channel and self.channel not in channels:
            raise ValidationError(
                f"{at}channel", f"unknown channel {self.channel!r} / 未知渠道「{self.channel}」"
            )
        if (
            isinstance(self.priority, bool)
            or not isinstance(self.priority, int)
            or not 0 <= self.priority <= 999
        ):
            raise ValidationError(
                f"{at}priority", "must be a whole number 0..999 / 必须是 0 到 999 之间的整数"
            )


def substitutes_for(table: Sequence[Substitute], sku: str, channel: str) -> list[Substitute]:
    """The substitutes of ``sku`` on ``channel`` (its own and every-channel rows), best first:
    lower priority, then a channel's own row before an every-channel one, then by SKU."""
    rows = [s for s in table if s.sku == sku and s.channel in ("", channel)]
    return sorted(rows, key=lambda s: (s.priority, s.channel == "", s.substitute))


@dataclass(frozen=True, slots=True)
class Swap:
    """One line replaced: ``quantity`` units of ``sku`` ship as ``quantity × ratio`` of ``substitute``."""

    line: int
    sku: str
    quantity: int
    substitute: str
    ratio: int


def substitution(
    lines: Sequence[tuple[str, int]],
    table: Sequence[Substitute],
    channel: str,
    available: Mapping[str, int],
    tags: frozenset[str] = frozenset(),
) -> list[Swap]:
    """The swaps that replace each short line (its SKU's units across every warehouse fall
    short of the line) by its first substitute with the units to cover it; [] when the order
    may not be substituted or some short line has no substitute in stock. ``available``:
    units per SKU across every warehouse (a line's own need is counted once per SKU)."""
    if not tags.isdisjoint(NO_SUBSTITUTE_TAGS):
        return []
    need: dict[str, int] = {}
    for sku, q in lines:
        need[sku] = need.get(sku, 0) + q
    left = dict(available)
    swaps: list[Swap] = []
    for j, (sku, q) in enumerate(lines):
        if left.get(sku, 0) >= need[sku]:
            continue
        for s in substitutes_for(table, sku, channel):
            units = q * s.ratio
            if s.substitute not in need and left.get(s.substitute, 0) >= units:
                left[s.substitute] = left.get(s.substitute, 0) - units
                swaps.append(Swap(j, sku, q, s.substitute, s.ratio))
                break
        else:
            return []
    return swaps


def substituted_line(line: Line, swap: Swap) -> Line:
    """The line as it ships: the substitute, ``ratio`` times the units, and the same amount to
    the fen (the unit price rounded up, the difference added to the line's discount)."""
    units = line.quantity * swap.ratio
    price = -(-line.unit_price_fen // swap.ratio)
    discount = units * price - line.amount_fen
    return replace(line, sku=swap.substitute, quantity=units, unit_price_fen=price, discount_fen=discount)
