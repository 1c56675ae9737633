"""The ``analytics_orders`` view: one row per order with the flags every metric sums.

Its definition over the orders, milestones, routing decisions and incidents (:func:`view_sql`)
is what the analytics projector (:mod:`.facts`) evaluates for each order it refreshes, into
``analytics_facts``; statements read that table, or its day sums ``analytics_daily``, through
a common table expression at their head (``analytics_orders`` / ``analytics_days``) projected
to the columns they use: the gate checks that each is the shipped definition. No personal
data: no names, phones or addresses below the city.
"""

from __future__ import annotations

from collections.abc import Iterable

VIEW = "analytics_orders"
#: The view of the day sums (one row per basis × dimension set × day × group).
DAYS_VIEW = "analytics_days"
#: The tables the statements read, each only through its view; the gate allows nothing else.
FACTS_TABLE, DAYS_TABLE = "analytics_facts", "analytics_daily"
BASE_TABLES = frozenset({FACTS_TABLE, DAYS_TABLE})
#: The tables the view's definition reads (the projector's source, never a statement's).
SOURCE_TABLES = frozenset(
    {"orders", "warehouses", "carriers", "milestones", "routing_decisions", "order_exceptions"}
)
_H = 3_600_000_000_000
DAY_NS = 86_400_000_000_000
#: Shanghai is UTC+8 all year: a day number is (ns + 8 h) // 1 day.
SHANGHAI_OFFSET_NS = 8 * _H

#: The view's columns: each one's expression over the tables, and the joins it needs.
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "order_id": ("o.id", ()),
    "channel": ("o.channel", ()),
    "warehouse": ("COALESCE(w.name, '')", ("w",)),
    "carrier": ("COALESCE(c.name, '')", ("r", "c")),
    "province": ("o.province", ()),
    "city": ("o.city", ()),
    "status": ("o.status", ()),
    "placed_at_ns": ("o.placed_at_ns", ()),
    "promised_at_ns": ("o.promised_at_ns", ()),
    "total_fen": ("o.total_fen", ()),
    "delivered_at_ns": ("md.at_ns", ("md",)),
    "outbound_at_ns": ("mo.at_ns", ("mo",)),
    "delivered": ("CASE WHEN md.at_ns IS NULL THEN 0 ELSE 1 END", ("md",)),
    "on_time": ("CASE WHEN md.at_ns <= o.promised_at_ns THEN 1 ELSE 0 END", ("md",)),
    "late": ("CASE WHEN md.at_ns > o.promised_at_ns THEN 1 ELSE 0 END", ("md",)),
    "slack_known": (
        "CASE WHEN md.at_ns IS NOT NULL AND o.promised_at_ns IS NOT NULL THEN 1 ELSE 0 END",
        ("md",),
    ),
    "slack_h": (
        f"CASE WHEN md.at_ns IS NOT NULL AND o.promised_at_ns IS NOT NULL "
        f"THEN (o.promised_at_ns - md.at_ns) / {_H}.0 ELSE 0 END",
        ("md",),
    ),
    "shipped": ("CASE WHEN mo.at_ns IS NULL THEN 0 ELSE 1 END", ("mo",)),
    "collected_in_24h": (f"CASE WHEN mc.at_ns - mo.at_ns <= {24 * _H} THEN 1 ELSE 0 END", ("mo", "mc")),
    "routed": ("CASE WHEN r.order_id IS NULL THEN 0 ELSE 1 END", ("r",)),
    "split": ("CASE WHEN r.warehouse_ids LIKE '%,%' THEN 1 ELSE 0 END", ("r",)),
    "has_incident": (
        "CASE WHEN EXISTS (SELECT 1 FROM order_exceptions e WHERE e.order_id = o.id) THEN 1 ELSE 0 END",
        (),
    ),
    "incident_auto_closed": (
        "CASE WHEN EXISTS (SELECT 1 FROM order_exceptions e WHERE e.order_id = o.id) "
        "AND NOT EXISTS (SELECT 1 FROM order_exceptions e WHERE e.order_id = o.id "
        "AND e.state <> 'auto_resolved') THEN 1 ELSE 0 END",
        (),
    ),
    "held": ("CASE WHEN o.hold_reason IS NULL THEN 0 ELSE 1 END", ()),
    "cancelled": ("CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END", ()),
    "returned": ("CASE WHEN mr.at_ns IS NULL THEN 0 ELSE 1 END", ("mr",)),
}
#: The joins, in the order they are written.
JOINS: dict[str, str] = {
    "w": "LEFT JOIN warehouses w ON w.id = o.warehouse_id",
    "md": "LEFT JOIN milestones md ON md.order_id = o.id AND md.milestone = 'delivered'",
    "mo": "LEFT JOIN milestones mo ON mo.order_id = o.id AND mo.milestone = 'outbound'",
    "mc": "LEFT JOIN milestones mc ON mc.order_id = o.id AND mc.milestone = 'collected'",
    "mr": "LEFT JOIN milestones mr ON mr.order_id = o.id AND mr.milestone = 'return_requested'",
    "r": "LEFT JOIN routing_decisions r ON r.order_id = o.id "
    "AND r.attempt = (SELECT MAX(r2.attempt) FROM routing_decisions r2 WHERE r2.order_id = o.id)",
    "c": "LEFT JOIN carriers c ON c.id = r.carrier_ids OR r.carrier_ids LIKE c.id || ',%'",
}


def view_sql(columns: Iterable[str]) -> str:
    """The view over the source tables projected to ``columns`` (in the catalog's order), with
    only the joins they need: what the projector stores in ``analytics_facts``."""
    wanted = [c for c in COLUMNS if c in set(columns)]
    joins = {j for c in wanted for j in COLUMNS[c][1]}
    select = ",\n  ".join(f"{COLUMNS[c][0]} AS {c}" for c in wanted)
    return "\n".join([f"SELECT\n  {select}\nFROM orders o", *(JOINS[j] for j in JOINS if j in joins)])


#: The whole view over the source tables (every column), as the docs show it.
SOURCE_SQL = view_sql(COLUMNS)
#: The day sums' columns: the basis (a time column), the dimension set, the day, the five
#: dimensions ('' outside the set), the orders and the sum of each flag and of the amount.
DAYS_COLUMNS = (
    "basis",
    "dims",
    "day",
    "channel",
    "warehouse",
    "carrier",
    "province",
    "city",
    "orders",
    "delivered",
    "on_time",
    "late",
    "slack_known",
    "slack_h",
    "shipped",
    "collected_in_24h",
    "routed",
    "split",
    "has_incident",
    "incident_auto_closed",
    "held",
    "cancelled",
    "returned",
    "total_fen",
)


def facts_sql(columns: Iterable[str]) -> str:
    """``analytics_orders`` as a statement reads it: the stored facts projected to ``columns``."""
    wanted = [c for c in COLUMNS if c in set(columns)] or ["order_id"]
    return "SELECT\n  " + ",\n  ".join(wanted) + f"\nFROM {FACTS_TABLE}"


def days_sql(columns: Iterable[str]) -> str:
    """``analytics_days`` as a statement reads it: the day sums projected to ``columns``."""
    wanted = [c for c in DAYS_COLUMNS if c in set(columns)]
    return "SELECT\n  " + ",\n  ".join(wanted) + f"\nFROM {DAYS_TABLE}"


#: The whole view as statements read it (every column).
VIEW_SQL = facts_sql(COLUMNS)


def day_expression(time_column: str) -> str:
    """The Shanghai calendar day number of a time column (days since 1970-01-01)."""
    return f"CAST(({time_column} + {SHANGHAI_OFFSET_NS}) / {DAY_NS} AS BIGINT)"
