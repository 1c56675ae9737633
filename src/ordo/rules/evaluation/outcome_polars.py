"""The vector twin of :mod:`ordo.rules.evaluation.outcome`: outcomes of a rule set over a facts table.

Owns turning the fired-rule columns of :func:`ordo.rules.evaluation.compile_polars.evaluate_frame`
into outcome columns (``discount_fen``, ``freight_off_fen``, ``gift_units``,
``gift_value_fen``, ``held``, ``hold_reason``, ``carrier``, ``routing``, ``tags``,
``exception``: an incident opened) with the same arithmetic and merge order as the scalar module, so a
backtest over a million orders says what the live path would have done to each. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from ordo.rules.evaluation.evaluate import RuleSet
from ordo.rules.language import ast as A

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


def _first(parts: list[pl.Expr]) -> pl.Expr:
    """The first non-null of ``parts`` (null when there is none), flat rather than nested."""
    if not parts:
        return pl.lit(None, dtype=pl.String)
    return parts[0] if len(parts) == 1 else pl.coalesce(parts)


def _avoided(avoid: Mapping[str, list[pl.Expr]]) -> pl.Expr:
    """The barred carriers, sorted and comma-joined (null when none), as the scalar twin."""
    if not avoid:
        return pl.lit(None, dtype=pl.String)
    joined = pl.concat_str(
        [pl.when(_any(fs)).then(pl.lit(c)) for c, fs in sorted(avoid.items())],
        separator=",",
        ignore_nulls=True,
    )
    return pl.when(joined != "").then(joined)


def _sum(parts: list[pl.Expr]) -> pl.Expr:
    if not parts:
        return pl.lit(0, dtype=pl.Int64)
    return parts[0] if len(parts) == 1 else pl.sum_horizontal(parts)


def _any(parts: list[pl.Expr]) -> pl.Expr:
    if not parts:
        return pl.lit(False)
    return parts[0] if len(parts) == 1 else pl.any_horizontal(parts)


def tag_hits(ruleset: RuleSet, fired_prefix: str = "") -> dict[str, pl.Expr]:
    """Per tag, whether any fired rule sets it (the ``tags`` outcome before it becomes text)."""
    hits: dict[str, list[pl.Expr]] = {}
    for step in ruleset.plan():
        for a in step.rule.actions:
            if isinstance(a, A.Tag):
                hits.setdefault(a.tag, []).append(pl.col(f"{fired_prefix}{step.rule.id}"))
    return {t: _any(fs) for t, fs in hits.items()}


def outcome_exprs(
    ruleset: RuleSet, prices: Mapping[str, int] | None = None, fired_prefix: str = ""
) -> list[pl.Expr]:
    """Outcome expressions over a frame holding the facts and one boolean column per rule id.

    ``fired_prefix`` names the fired columns (``f"{prefix}{rule_id}"``), so the fired
    columns of two rule sets can sit side by side in one frame. Every outcome is one flat
    expression over the fired columns (sums, any, first / last non-null), never a chain
    as deep as the rule set, so a hundred rules cost a hundred terms, not a hundred levels.
    """
    prices = prices or {}
    disc: list[pl.Expr] = []
    freight_off: list[pl.Expr] = []
    units: list[pl.Expr] = []
    gift_value: list[pl.Expr] = []
    waive: list[pl.Expr] = []
    held: list[pl.Expr] = []
    incident: list[pl.Expr] = []
    reasons: list[pl.Expr] = []  # the first hold to fire gives the reason
    # Decisions are last-writer-wins in plan order: collected in order, read back reversed.
    carrier: list[pl.Expr] = []
    profile: list[pl.Expr] = []
    prefer: list[pl.Expr] = []
    split: list[pl.Expr] = []
    merge: list[pl.Expr] = []
    avoid: dict[str, list[pl.Expr]] = {}  # barred carrier -> the fired columns that bar it
    tags = tag_hits(ruleset, fired_prefix)
    for step in ruleset.plan():
        f = pl.col(f"{fired_prefix}{step.rule.id}")
        for a in step.rule.actions:
            if isinstance(a, A.ThresholdOff):
                disc.append(pl.when(f).then(_threshold_off(a)).otherwise(0))
            elif isinstance(a, A.Discount):
                disc.append(pl.when(f).then(_GOODS * a.off_bp // 10_000).otherwise(0))
            elif isinstance(a, A.FreightWaive):
                waive.append(f)
            elif isinstance(a, A.FreightOff):
                freight_off.append(pl.when(f).then(a.fen).otherwise(0))
            elif isinstance(a, A.Gift):
                n = pl.when(f).then(_gift_units(a)).otherwise(0)
                units.append(n)
                if prices.get(a.sku):
                    gift_value.append(n * prices[a.sku])
            elif isinstance(a, A.Hold):
                reasons.append(pl.when(f).then(pl.lit(a.reason)))
                held.append(f)
            elif isinstance(a, A.UseCarrier):
                carrier.append(pl.when(f).then(pl.lit(a.carrier)))
            elif isinstance(a, A.UseProfile):
                profile.append(pl.when(f).then(pl.lit(a.profile)))
            elif isinstance(a, A.PreferWarehouse):
                prefer.append(pl.when(f).then(pl.lit(a.warehouse)))
            elif isinstance(a, A.SplitPolicy):
                split.append(pl.when(f).then(pl.lit("yes" if a.allowed else "no")))
            elif isinstance(a, A.AvoidCarrier):
                avoid.setdefault(a.carrier, []).append(f)
            elif isinstance(a, A.MergeWindow):
                merge.append(pl.when(f).then(pl.lit(str(a.seconds))))
            elif isinstance(a, A.Playbook | A.RedFlag):
                incident.append(f)
    last_carrier = _first(carrier[::-1])
    routing = pl.concat_str(
        [
            _tag("carrier=", last_carrier),
            _tag("profile=", _first(profile[::-1])),
            _tag("prefer=", _first(prefer[::-1])),
            _tag("split=", _first(split[::-1])),
            _tag("avoid=", _avoided(avoid)),
            _tag("merge=", _first(merge[::-1])),
        ],
        separator=";",
        ignore_nulls=True,
    )
    tag_text = (
        pl.concat_str(
            [pl.when(tags[t]).then(pl.lit(t)) for t in sorted(tags)], separator=",", ignore_nulls=True
        )
        if tags
        else pl.lit("")
    )
    is_held = _any(held)
    return [
        _sum(disc).alias("discount_fen"),
        pl.when(_any(waive))
        .then(_FREIGHT)
        .otherwise(pl.min_horizontal(_sum(freight_off), _FREIGHT))
        .alias("freight_off_fen"),
        _sum(units).alias("gift_units"),
        _sum(gift_value).alias("gift_value_fen"),
        is_held.alias("held"),
        pl.when(is_held).then(_first(reasons)).otherwise(pl.lit("")).alias("hold_reason"),
        last_carrier.alias("carrier"),
        routing.fill_null("").alias("routing"),
        tag_text.fill_null("").alias("tags"),
        _any(incident).alias("exception"),
    ]
