"""The vector twin of :mod:`ordo.rules.outcome`: outcomes of a rule set over a facts table.

Owns turning the fired-rule columns of :func:`ordo.rules.compile_polars.evaluate_frame`
into outcome columns (``discount_fen``, ``freight_off_fen``, ``gift_units``,
``gift_value_fen``, ``held``, ``hold_reason``, ``carrier``, ``routing``, ``tags``,
``exception``) with the same arithmetic and merge order as the scalar module, so a
backtest over a million orders says what the live path would have done to each. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from ordo.rules import ast as A
from ordo.rules.evaluate import RuleSet

OUTCOME_COLUMNS = (
    "discount_fen",
    "freight_off_fen",
    "gift_units",
    "gift_value_fen",
    "held",
    "hold_reason",
    "carrier",
    "routing",
    "tags",
    "exception",
)

_GOODS = pl.col("goods_amount_fen")
_FREIGHT = pl.col("freight_fen")


def _threshold_off(a: A.ThresholdOff) -> pl.Expr:
    if a.each and a.threshold_fen > 0:
        off = (_GOODS // a.threshold_fen) * a.off_fen
    else:
        off = pl.lit(a.off_fen, dtype=pl.Int64)
    if a.cap_fen is not None:
        off = pl.min_horizontal(off, pl.lit(a.cap_fen, dtype=pl.Int64))
    return pl.when(_GOODS.ge(a.threshold_fen)).then(off).otherwise(0)


def _gift_units(a: A.Gift) -> pl.Expr:
    units = (_GOODS // a.min_fen) * a.qty if a.each and a.min_fen else pl.lit(a.qty, dtype=pl.Int64)
    if a.cap is not None:
        units = pl.min_horizontal(units, pl.lit(a.cap, dtype=pl.Int64))
    if a.min_fen is not None:
        units = pl.when(_GOODS.ge(a.min_fen)).then(units).otherwise(0)
    return units


def _tag(prefix: str, value: pl.Expr) -> pl.Expr:
    return pl.when(value.is_not_null()).then(pl.lit(prefix) + value)


def outcome_exprs(
    ruleset: RuleSet, prices: Mapping[str, int] | None = None, fired_prefix: str = ""
) -> list[pl.Expr]:
    """Outcome expressions over a frame holding the facts and one boolean column per rule id.

    ``fired_prefix`` names the fired columns (``f"{prefix}{rule_id}"``), so the fired
    columns of two rule sets can sit side by side in one frame.
    """
    prices = prices or {}
    zero = pl.lit(0, dtype=pl.Int64)
    disc, freight_off, units, gift_value = zero, zero, zero, zero
    waive = held = exception = pl.lit(False)
    none = pl.lit(None, dtype=pl.String)
    reason, carrier, profile, prefer = none, none, none, none
    split = pl.lit(None, dtype=pl.String)
    tag_hits: dict[str, pl.Expr] = {}
    for step in ruleset.plan():
        f = pl.col(f"{fired_prefix}{step.rule.id}")
        for a in step.rule.actions:
            if isinstance(a, A.ThresholdOff):
                disc = disc + pl.when(f).then(_threshold_off(a)).otherwise(0)
            elif isinstance(a, A.Discount):
                disc = disc + pl.when(f).then(_GOODS * a.off_bp // 10_000).otherwise(0)
            elif isinstance(a, A.FreightWaive):
                waive = waive | f
            elif isinstance(a, A.FreightOff):
                freight_off = freight_off + pl.when(f).then(a.fen).otherwise(0)
            elif isinstance(a, A.Gift):
                n = pl.when(f).then(_gift_units(a)).otherwise(0)
                units = units + n
                if prices.get(a.sku):
                    gift_value = gift_value + n * prices[a.sku]
            elif isinstance(a, A.Hold):
                reason = pl.when(f & ~held).then(pl.lit(a.reason)).otherwise(reason)
                held = held | f
            elif isinstance(a, A.UseCarrier):
                carrier = pl.when(f).then(pl.lit(a.carrier)).otherwise(carrier)
            elif isinstance(a, A.UseProfile):
                profile = pl.when(f).then(pl.lit(a.profile)).otherwise(profile)
            elif isinstance(a, A.PreferWarehouse):
                prefer = pl.when(f).then(pl.lit(a.warehouse)).otherwise(prefer)
            elif isinstance(a, A.SplitPolicy):
                split = pl.when(f).then(pl.lit("yes" if a.allowed else "no")).otherwise(split)
            elif isinstance(a, A.Tag):
                tag_hits[a.tag] = (tag_hits[a.tag] | f) if a.tag in tag_hits else f
            elif isinstance(a, A.Playbook | A.RedFlag):
                exception = exception | f
    routing = pl.concat_str(
        [
            _tag("carrier=", carrier),
            _tag("profile=", profile),
            _tag("prefer=", prefer),
            _tag("split=", split),
        ],
        separator=";",
        ignore_nulls=True,
    )
    tags = (
        pl.concat_str(
            [pl.when(tag_hits[t]).then(pl.lit(t)) for t in sorted(tag_hits)], separator=",", ignore_nulls=True
        )
        if tag_hits
        else pl.lit("")
    )
    return [
        disc.alias("discount_fen"),
        pl.when(waive)
        .then(_FREIGHT)
        .otherwise(pl.min_horizontal(freight_off, _FREIGHT))
        .alias("freight_off_fen"),
        units.alias("gift_units"),
        gift_value.alias("gift_value_fen"),
        held.alias("held"),
        pl.when(held).then(reason).otherwise(pl.lit("")).alias("hold_reason"),
        carrier.alias("carrier"),
        routing.fill_null("").alias("routing"),
        tags.fill_null("").alias("tags"),
        exception.alias("exception"),
    ]
