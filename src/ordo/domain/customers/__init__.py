"""Customers (C2): identifiers linked into one customer, merged and split with evidence.

Pure: standard library only; no I/O, no clock reads, never ``ordo.rules``.
"""

__all__ = ["identity"]
