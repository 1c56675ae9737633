"""Backtest (沙盒): replay a draft rule set against stored orders and say what would change.

Owns the comparison of two rule sets over one facts table: the facts are read once
(``uow.history.read_facts``, only the columns either set reads), both sets are
evaluated with the Polars compiler, both outcomes computed with
:mod:`ordo.rules.evaluation.outcome_polars`, and the report says: orders matched, orders whose
outcome changes, the money delta (discounts, freight, gifts), holds added and removed,
routing changes, by channel and by region, with sample diffs. :func:`backtest_draft`
stores the report on the draft, escalates it to L3 when the impact passes the bounds,
and writes the audit row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import polars as pl

from ordo.domain.access import Perm, require
from ordo.rules.evaluation.compile_polars import evaluate_frames
from ordo.rules.evaluation.evaluate import RuleSet
from ordo.rules.evaluation.facts import ms_column
from ordo.rules.evaluation.outcome_polars import outcome_exprs, tag_hits
from ordo.rules.governance import DraftStatus, Escalation, Impact, Tier, check_transition, required_tier
from ordo.rules.language import ast as A
from ordo.rules.language.glossary import PLACE_COLUMNS, PLACE_FIELD, Glossary, default_glossary
from ordo.service.customers.value import default_model
from ordo.service.ports import HistoryFilter
from ordo.service.rules.records import Actor, audit, draft_view, load_draft, required_note, version_text
from ordo.service.rules.text import ruleset_of, triggers_of
from ordo.service.runtime.app import Ordo
from ordo.service.triggers.backtest import backtest_triggers

Progress = Callable[[int, int], None]
_MONEY = ("discount_fen", "freight_off_fen", "gift_value_fen")


def _columns_of(c: A.Condition, g: Glossary, out: set[str]) -> None:
    if isinstance(c, A.Not):
        _columns_of(c.item, g, out)
    elif isinstance(c, A.All | A.AnyOf):
        for i in c.items:
            _columns_of(i, g, out)
    elif isinstance(c, A.Reached):
        out.add(ms_column(c.milestone))
    elif isinstance(c, A.Elapsed):
        out |= {ms_column(c.milestone), "now_ns"}
    elif isinstance(c, A.Compare | A.InSet | A.Contains | A.IsTrue | A.DateRange):
        if c.field == PLACE_FIELD:
            out |= set(PLACE_COLUMNS)
        else:
            out.add(g.fields[c.field].column)


def referenced_columns(rulesets: Iterable[RuleSet], glossary: Glossary | None = None) -> set[str]:
    """The fact columns these rule sets read (their guards: scope, condition, thresholds)."""
    g = glossary or default_glossary()
    out: set[str] = set()
    for rs in rulesets:
        for r in rs.rules:
            _columns_of(r.guard, g, out)
    return out


def _outcomes(
    rs: RuleSet, prices: Mapping[str, int] | None, prefix: str, suffix: str, *, tags: bool = False
) -> list[pl.Expr]:
    exprs = outcome_exprs(rs, prices, prefix)
    return [e.name.suffix(suffix) for e in exprs if tags or e.meta.output_name() != "tags"]


def _tags_changed(old: RuleSet, new: RuleSet) -> pl.Expr:
    """Whether the set of tags differs, tag by tag, without building the tag text."""
    before, after = tag_hits(old, "o:"), tag_hits(new, "n:")
    diffs = [
        before.get(t, pl.lit(False)) != after.get(t, pl.lit(False))
        for t in sorted(before.keys() | after.keys())
    ]
    return pl.any_horizontal(diffs) if diffs else pl.lit(False)


def compare(
    old: RuleSet,
    new: RuleSet,
    facts: pl.DataFrame,
    *,
    prices: Mapping[str, int] | None = None,
    samples: int = 10,
) -> dict[str, Any]:
    """What changes when ``new`` replaces ``old`` on these orders (see the module docstring)."""
    t0 = time.perf_counter()
    base = facts.select(
        "order_id", "channel", "province", "goods_amount_fen", "freight_fen", "order_amount_fen"
    )
    # Both sets in one pass: a rule the draft keeps from the old set is evaluated once.
    fired = evaluate_frames([(old, "o:"), (new, "n:")], facts)
    fn = fired.select(c for c in fired.columns if c.startswith("n:"))
    wide = pl.concat([base, fired], how="horizontal") if fired.width else base
    # Tags are compared as booleans per tag; the text is made only for the sample rows.
    cols = [*_outcomes(old, prices, "o:", "_old"), *_outcomes(new, prices, "n:", "_new")]
    matched = pl.any_horizontal(pl.col(c) for c in fn.columns) if fn.width else pl.lit(False)
    out = wide.select(
        "order_id", "channel", "province", "order_amount_fen", *cols, matched.alias("matched"),
        _tags_changed(old, new).alias("tags_changed"),
    )  # fmt: skip
    fields = ("discount_fen", "freight_off_fen", "gift_units", "gift_value_fen", "held", "hold_reason",
              "routing", "exception")  # fmt: skip
    changed = pl.any_horizontal(
        pl.col("tags_changed"), *(pl.col(f"{f}_old") != pl.col(f"{f}_new") for f in fields)
    )
    money = pl.sum_horizontal(*(pl.col(f"{m}_new") - pl.col(f"{m}_old") for m in _MONEY))
    out = out.with_columns(
        changed.alias("changed"),
        money.alias("money_delta_fen"),
        (pl.col("held_new") & ~pl.col("held_old")).alias("hold_added"),
        (pl.col("held_old") & ~pl.col("held_new")).alias("hold_removed"),
        (pl.col("routing_old") != pl.col("routing_new")).alias("routing_changed"),
        (pl.col("exception_new") & ~pl.col("exception_old")).alias("exception_added"),
        (pl.col("exception_old") & ~pl.col("exception_new")).alias("exception_removed"),
    )
    agg = [
        pl.len().alias("orders"),
        pl.col("matched").sum().alias("matched"),
        pl.col("changed").sum().alias("changed"),
        pl.col("money_delta_fen").sum().alias("money_delta_fen"),
        pl.col("hold_added").sum().alias("holds_added"),
        pl.col("hold_removed").sum().alias("holds_removed"),
        pl.col("routing_changed").sum().alias("routing_changes"),
    ]
    totals = out.select(
        *agg,
        *(pl.col(f"{m}_{s}").sum().alias(f"{m}_{s}") for m in _MONEY for s in ("old", "new")),
        pl.col("order_amount_fen").sum().alias("gmv_fen"),
        pl.col("exception_added").sum().alias("exceptions_added"),
        pl.col("exception_removed").sum().alias("exceptions_removed"),
    ).row(0, named=True)
    per_rule = fn.sum().row(0, named=True) if fn.width else {}
    show = [f"{f}_{s}" for f in ("discount_fen", "freight_off_fen", "gift_units", "held", "hold_reason",
                                 "routing", "tags", "exception") for s in ("old", "new")]  # fmt: skip
    picked = out.select(pl.arg_where(pl.col("changed")).head(samples)).to_series().to_list()
    full = [
        *_outcomes(old, prices, "o:", "_old", tags=True),
        *_outcomes(new, prices, "n:", "_new", tags=True),
    ]
    sample_rows = (
        wide[picked]
        .select("order_id", "channel", "province", *full)
        .select("order_id", "channel", "province", *show)
    )
    evaluated_ms = round((time.perf_counter() - t0) * 1000, 1)

    def group(key: str) -> list[dict[str, Any]]:
        g = out.group_by(key).agg(agg).sort(["changed", "orders"], descending=True)
        return [
            {k: (int(v) if isinstance(v, int | bool) else v) for k, v in r.items()}
            for r in g.iter_rows(named=True)
        ]

    n = int(totals["orders"] or 0)
    money_out = {f"{m}_delta": int((totals[f"{m}_new"] or 0) - (totals[f"{m}_old"] or 0)) for m in _MONEY}
    money_out["total_delta_fen"] = int(totals["money_delta_fen"] or 0)
    money_out["gmv_fen"] = int(totals["gmv_fen"] or 0)
    return {
        "orders": n,
        "matched": int(totals["matched"] or 0),
        "changed": int(totals["changed"] or 0),
        "money": money_out,
        "holds": {"added": int(totals["holds_added"] or 0), "removed": int(totals["holds_removed"] or 0)},
        "exceptions": {
            "added": int(totals["exceptions_added"] or 0),
            "removed": int(totals["exceptions_removed"] or 0),
        },
        "routing_changes": int(totals["routing_changes"] or 0),
        "by_channel": group("channel"),
        "by_region": group("province"),
        "rules": {k.removeprefix("n:"): int(v) for k, v in per_rule.items()},
        "samples": [_diff(r) for r in sample_rows.iter_rows(named=True)],
        "evaluate_ms": evaluated_ms,
    }


def _diff(row: dict[str, Any]) -> dict[str, Any]:
    before = {k[:-4]: v for k, v in row.items() if k.endswith("_old")}
    after = {k[:-4]: v for k, v in row.items() if k.endswith("_new")}
    return {
        "order_id": row["order_id"],
        "channel": row["channel"],
        "province": row["province"],
        "before": {k: v for k, v in before.items() if v != after[k]},
        "after": {k: v for k, v in after.items() if v != before[k]},
    }


def backtest_rulesets(
    app: Ordo,
    old: RuleSet,
    new: RuleSet,
    flt: HistoryFilter | None = None,
    *,
    samples: int = 10,
    progress: Progress | None = None,
    chunk: int = 200_000,
) -> dict[str, Any]:
    """Read the stored orders ``flt`` selects and compare ``old`` with ``new`` on them."""
    flt = flt or HistoryFilter()
    t0 = time.perf_counter()
    # placed_at_ns as well: the report says which days the replay covered (its window).
    need = referenced_columns([old, new]) | {"placed_at_ns"}
    with app.store.uow(read_only=True) as uow:
        total = uow.history.count_orders(flt)
        if progress is not None:
            progress(0, total)
        facts = uow.history.read_facts(
            need,
            flt,
            now_ns=app.clock.now_ns(),
            chunk=chunk,
            progress=(lambda done: progress(done, total)) if progress is not None else None,
            value_model=default_model(),
        )
        prices = {s.sku: s.price_fen for s in uow.catalog.skus()} if _gifts(new, old) else {}
    read_ms = round((time.perf_counter() - t0) * 1000, 1)
    report = compare(old, new, facts, prices=prices, samples=samples)
    report["read_ms"] = read_ms
    report["filter"] = {
        "placed_from_ns": flt.placed_from_ns,
        "placed_to_ns": flt.placed_to_ns,
        "channel": flt.channel,
        "province": flt.province,
        "limit": flt.limit,
    }
    placed = facts["placed_at_ns"] if facts.height else None
    report["window"] = {
        "from_ns": placed.min() if placed is not None else None,
        "to_ns": placed.max() if placed is not None else None,
    }
    return report


def _gifts(*rulesets: RuleSet) -> bool:
    return any(isinstance(a, A.Gift) for rs in rulesets for r in rs.rules for a in r.actions)


#: The period a draft's triggers are replayed over when the backtest names none.
TRIGGER_PERIOD_S = 30 * 86_400


def _trigger_report(app: Ordo, text: str, flt: HistoryFilter | None, samples: int) -> dict[str, Any] | None:
    """Which tasks the draft's event-stream triggers would have raised over the period (the
    filter's placement window, else the last 30 days); None when the draft has no trigger."""
    if not triggers_of(text):
        return None
    now = app.clock.now_ns()
    since = flt.placed_from_ns if flt and flt.placed_from_ns is not None else now - TRIGGER_PERIOD_S * 10**9
    until = flt.placed_to_ns if flt and flt.placed_to_ns is not None else now + 1
    out = backtest_triggers(app, text, since_ns=since, until_ns=until, limit=samples)
    return {
        k: out[k] for k in ("since_ns", "until_ns", "count", "by_rule", "tasks", "events_read", "truncated")
    }


def backtest_draft(
    app: Ordo,
    actor: Actor,
    draft_id: int,
    flt: HistoryFilter | None = None,
    *,
    note: str = "backtest",
    samples: int = 10,
    escalation: Escalation | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Backtest a draft against its base version; store the report, escalate, audit."""
    require(actor.role, Perm.RULES_EDIT)
    note = required_note(note)
    with app.store.uow(read_only=True) as uow:
        row = load_draft(uow, draft_id)
        check_transition(DraftStatus(row["status"]), DraftStatus.BACKTESTED, draft_id)
        old_text = version_text(uow, row["base_version"])
    old, new = ruleset_of(old_text), ruleset_of(row["text"])
    report = backtest_rulesets(app, old, new, flt, samples=samples, progress=progress)
    impact = Impact(report["orders"], report["changed"], report["money"]["total_delta_fen"],
                    report["money"]["gmv_fen"])  # fmt: skip
    tier, why = required_tier(Tier(row["tier"]), impact, escalation or Escalation())
    report["tier"], report["required_tier"], report["escalation"] = Tier(row["tier"]).label, tier.label, why
    report["triggers"] = _trigger_report(app, row["text"], flt, samples)

    def work() -> dict[str, Any]:
        now = app.clock.now_ns()
        with app.store.uow() as uow:
            current = load_draft(uow, draft_id, lock=True)
            if current["text"] != row["text"]:  # edited while we replayed: this report is stale
                check_transition(DraftStatus.PUBLISHED, DraftStatus.BACKTESTED, draft_id)
            check_transition(DraftStatus(current["status"]), DraftStatus.BACKTESTED, draft_id)
            uow.rules.update_draft(
                draft_id,
                status=DraftStatus.BACKTESTED.value,
                backtest=report,
                required_tier=tier,
                escalation=why,
                updated_at_ns=now,
            )
            summary = {
                k: report[k] for k in ("orders", "matched", "changed", "money", "holds", "routing_changes")
            }
            audit(uow, app, actor, "backtest", note, draft_id=draft_id,
                   details={"backtest": summary, "required_tier": tier.label, "escalation": why})  # fmt: skip
            out = load_draft(uow, draft_id)
            uow.commit()
        return draft_view(out)

    return app.retrying(work)
