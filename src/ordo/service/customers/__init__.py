"""Customers (C2): link a batch of orders to customers, look one up, split a merge; the
running statistics the rules read (``stats``)."""

__all__ = ["identity", "stats"]
