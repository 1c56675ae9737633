"""Evaluating rules: order facts, the three compilers (closure, one generated function
per set, Polars), what a rule set does to an order, and the two translations of rules into
the domain's terms: routing directives and SLA timers.

Imports ``ordo.domain`` and the language; never the service, adapters or API.
"""

__all__ = [
    "canary",
    "compile_polars",
    "compile_py",
    "compile_set",
    "directives",
    "evaluate",
    "facts",
    "outcome",
    "outcome_polars",
    "sla",
]
