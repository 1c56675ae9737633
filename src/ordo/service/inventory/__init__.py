"""Inventory (C7): the catalog (warehouses, carriers, SKUs, stock levels), safety stock,
channel stock rules and sync, reservation expiry, and inventory reads.
"""

__all__ = ["catalog", "reads", "stock"]
