"""Inventory arithmetic (C7): available-to-promise, safety stock, channel quantities, allocation.

Pure: standard library (and NumPy) only; no I/O. Reservation itself is atomic in the
store, never decided here.
"""

__all__ = ["allocation", "stock"]
