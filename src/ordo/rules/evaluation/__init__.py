"""Evaluating rules: order facts, the three compilers (closure, one generated function
per set, Polars) and what a rule set does to an order.

Imports ``ordo.domain`` and the language; never the service, adapters or API.
"""

__all__ = [
    "canary",
    "compile_polars",
    "compile_py",
    "compile_set",
    "evaluate",
    "facts",
    "outcome",
    "outcome_polars",
]
