"""Rule governance, one import: versions, backtest, breaker and the live rule book.

The API, the CLI, the demo and the tests call these; each lives in its own module:

* :mod:`ordo.service.rules.versions` – drafts, submit, approve, publish (canary), promote,
  rollback, history, audit;
* :mod:`ordo.service.rules.backtest` – replay a draft against stored orders;
* :mod:`ordo.service.rules.breaker` – :func:`check_breakers`, the automatic rollback;
* :mod:`ordo.service.rules.rulebook` – the cached live rules, ``active_rules_for`` and
  :func:`apply_rules` (evaluate a batch and record outcomes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ordo.rules.evaluation.canary import Canary, canary_places
from ordo.rules.governance import Escalation
from ordo.service.ports import HistoryFilter
from ordo.service.rules.breaker import Trip, check_breakers
from ordo.service.rules.rulebook import Decision, RuleBook, apply_rules
from ordo.service.rules.text import RuleTextInvalid, parse_text, read_text, ruleset_of
from ordo.service.rules.versions import (
    RULES_PUBLISHED,
    RULES_ROLLED_BACK,
    RULES_SUBMITTED,
    Actor,
    BreakerBounds,
    approve,
    approve_rollback,
    audit_log,
    create_draft,
    edit_draft,
    get_draft,
    get_version,
    history,
    lint_text,
    list_drafts,
    promote,
    publish,
    rollback,
    rollback_requests,
    submit,
)

if TYPE_CHECKING:
    from ordo.service.rules.backtest import backtest_draft, backtest_rulesets, compare, referenced_columns

#: Backtests run on Polars; importing them with this package loaded Polars into every
#: process that only takes orders (the rule book is imported by intake), a fifth more heap
#: for each full garbage collection to walk. They load on first use instead.
_BACKTEST = frozenset({"backtest_draft", "backtest_rulesets", "compare", "referenced_columns"})


def __getattr__(name: str) -> Any:
    if name in _BACKTEST:
        from ordo.service.rules import backtest

        return getattr(backtest, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "RULES_PUBLISHED",
    "RULES_ROLLED_BACK",
    "RULES_SUBMITTED",
    "Actor",
    "BreakerBounds",
    "Canary",
    "Decision",
    "Escalation",
    "HistoryFilter",
    "RuleBook",
    "RuleTextInvalid",
    "Trip",
    "apply_rules",
    "approve",
    "approve_rollback",
    "audit_log",
    "backtest_draft",
    "backtest_rulesets",
    "canary_places",
    "check_breakers",
    "compare",
    "create_draft",
    "edit_draft",
    "get_draft",
    "get_version",
    "history",
    "lint_text",
    "list_drafts",
    "parse_text",
    "promote",
    "publish",
    "read_text",
    "referenced_columns",
    "rollback",
    "rollback_requests",
    "ruleset_of",
    "submit",
]
