"""What a rule set does to one order: the outcome of an evaluation, in money and decisions.

Owns the arithmetic of the actions (满减 with 每满 and caps, 折扣 in basis points, freight
waived or reduced but never below zero, gifts per threshold up to a cap) and the merge of
the fired rules into one :class:`Outcome`: money adds up, decisions (carrier, profile,
split) are last-writer-wins in plan order, holds win over automatic approval, tags and
notifications are sets. :mod:`ordo.rules.evaluation.outcome_polars` is its vector twin for backtests
(a test keeps them in agreement). Pure: no I/O, no Polars.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ordo.rules.evaluation.evaluate import Evaluation
from ordo.rules.language import ast as A


def threshold_off_fen(a: A.ThresholdOff, goods_fen: int) -> int:
    if goods_fen < a.threshold_fen:
        return 0
    off = (goods_fen // a.threshold_fen) * a.off_fen if a.each and a.threshold_fen > 0 else a.off_fen
    return min(off, a.cap_fen) if a.cap_fen is not None else off


def discount_fen(a: A.Discount, goods_fen: int) -> int:
    return goods_fen * a.off_bp // 10_000


def gift_units(a: A.Gift, goods_fen: int) -> int:
    if a.min_fen is not None and goods_fen < a.min_fen:
        return 0
    units = (goods_fen // a.min_fen) * a.qty if a.each and a.min_fen else a.qty
    return min(units, a.cap) if a.cap is not None else units


@dataclass(frozen=True, slots=True)
class Outcome:
    discount_fen: int = 0
    freight_off_fen: int = 0
    gift_units: int = 0
    gift_value_fen: int = 0
    held: bool = False
    hold_reason: str = ""
    carrier: str | None = None
    profile: str | None = None
    routing: str = ""
    tags: str = ""
    #: Some rule opens an incident (a playbook or a red flag).
    incident: bool = False

    @property
    def money_fen(self) -> int:
        """What the rules give away on this order: discounts, freight and gifts."""
        return self.discount_fen + self.freight_off_fen + self.gift_value_fen

    def as_dict(self) -> dict[str, Any]:
        return {
            "discount_fen": self.discount_fen,
            "freight_off_fen": self.freight_off_fen,
            "gift_units": self.gift_units,
            "gift_value_fen": self.gift_value_fen,
            "held": self.held,
            "hold_reason": self.hold_reason,
            "carrier": self.carrier,
            "profile": self.profile,
            "routing": self.routing,
            "tags": self.tags,
            "exception": self.incident,  # the stored and compared name
        }


def routing_signature(
    carrier: str | None,
    profile: str | None,
    prefer: str | None,
    split: bool | None,
    avoid: str = "",
    merge_s: int | None = None,
) -> str:
    """What the rules ask of the router, as one comparable text (``avoid``: the barred
    carriers, sorted and comma-joined; ``merge_s``: a merge window's wait)."""
    parts = []
    if carrier:
        parts.append(f"carrier={carrier}")
    if profile:
        parts.append(f"profile={profile}")
    if prefer:
        parts.append(f"prefer={prefer}")
    if split is not None:
        parts.append(f"split={'yes' if split else 'no'}")
    if avoid:
        parts.append(f"avoid={avoid}")
    if merge_s is not None:
        parts.append(f"merge={merge_s}")
    return ";".join(parts)


def outcome_of(
    evaluation: Evaluation, facts: Mapping[str, Any], prices: Mapping[str, int] | None = None
) -> Outcome:
    """The outcome of the fired rules on an order with these facts (gift value from ``prices``)."""
    prices = prices or {}
    goods = int(facts["goods_amount_fen"])
    freight = int(facts["freight_fen"])
    disc = freight_off = units = gift_value = 0
    waive = held = incident = False
    reason = ""
    carrier = profile = prefer = None
    split: bool | None = None
    merge_s: int | None = None
    avoid: set[str] = set()
    tags: set[str] = set()
    for fired in evaluation.fired:
        for a in fired.actions:
            if isinstance(a, A.ThresholdOff):
                disc += threshold_off_fen(a, goods)
            elif isinstance(a, A.Discount):
                disc += discount_fen(a, goods)
            elif isinstance(a, A.FreightWaive):
                waive = True
            elif isinstance(a, A.FreightOff):
                freight_off += a.fen
            elif isinstance(a, A.Gift):
                n = gift_units(a, goods)
                units += n
                gift_value += n * prices.get(a.sku, 0)
            elif isinstance(a, A.Hold):
                if not held:
                    reason = a.reason
                held = True
            elif isinstance(a, A.UseCarrier):
                carrier = a.carrier
            elif isinstance(a, A.UseProfile):
                profile = a.profile
            elif isinstance(a, A.PreferWarehouse):
                prefer = a.warehouse
            elif isinstance(a, A.SplitPolicy):
                split = a.allowed
            elif isinstance(a, A.AvoidCarrier):
                avoid.add(a.carrier)
            elif isinstance(a, A.MergeWindow):
                merge_s = a.seconds
            elif isinstance(a, A.Tag):
                tags.add(a.tag)
            elif isinstance(a, A.Playbook | A.RedFlag):
                incident = True
    return Outcome(
        discount_fen=disc,
        freight_off_fen=freight if waive else min(freight_off, freight),
        gift_units=units,
        gift_value_fen=gift_value,
        held=held,
        hold_reason=reason,
        carrier=carrier,
        profile=profile,
        routing=routing_signature(carrier, profile, prefer, split, ",".join(sorted(avoid)), merge_s),
        tags=",".join(sorted(tags)),
        incident=incident,
    )
