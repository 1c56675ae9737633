"""Customers (C2): link a batch of orders to customers, look one up, split a merge."""

__all__ = ["identity"]
