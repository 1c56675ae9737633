"""Ordo's rule language: controlled Chinese / English sentences → one AST → two evaluators.

    sentence ─► lexer (glossary, longest-first) ─► parser (Lark LALR) ─► ast.Rule
    ast.Rule ─► compile_py (closure over one order's facts)      ─┐ same answers,
             ─► compile_polars (expression over a facts table)  ─┘ property-tested
    rule set ─► compile_set (ONE generated function, the live path; held to compile_py)
    rules    ─► evaluate (order, priority, hit policy) · lint · render (zh / en)

Pure: imports the standard library, Lark, ``ordo.domain`` and (in ``compile_polars``
and ``bench`` only) Polars, and (in ``bench`` only, when installed) GoRules ZEN; never
the service, adapters or API.
"""

from ordo.rules.evaluation.evaluate import CompiledRuleSet, Evaluation, Fired, RuleSet
from ordo.rules.evaluation.facts import COLUMNS, CustomerStats, OrderFacts, RoutingResult, build_facts
from ordo.rules.language.ast import Category, HitPolicy, Rule
from ordo.rules.language.errors import RuleError, RuleSyntaxError
from ordo.rules.language.glossary import Glossary, default_glossary, load_glossary
from ordo.rules.language.lint import LintWarning, lint_rule, lint_rules
from ordo.rules.language.parser import parse_rule, parse_rules
from ordo.rules.language.render import render_rule

__all__ = [
    "COLUMNS",
    "Category",
    "CompiledRuleSet",
    "CustomerStats",
    "Evaluation",
    "Fired",
    "Glossary",
    "HitPolicy",
    "LintWarning",
    "OrderFacts",
    "RoutingResult",
    "Rule",
    "RuleError",
    "RuleSet",
    "RuleSyntaxError",
    "build_facts",
    "default_glossary",
    "lint_rule",
    "lint_rules",
    "load_glossary",
    "parse_rule",
    "parse_rules",
    "render_rule",
]
