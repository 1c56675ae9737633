"""The ``analytics_orders`` view: one row per order with the flags every metric sums.

It is a common table expression at the head of each generated statement, not a view in the
schema, so migrations of the tables it reads never trip over it and the gate can check
the one definition it allows. Both backends inline a CTE used once, so a period's filter
on a time column reaches the tables' own indexes. No personal data: no names, phones or
addresses below the city.
"""

from __future__ import annotations

VIEW = "analytics_orders"
#: The tables the view reads; the gate allows these and the view, nothing else.
BASE_TABLES = frozenset(
    {"orders", "warehouses", "carriers", "milestones", "routing_decisions", "order_exceptions"}
)
_H = 3_600_000_000_000
DAY_NS = 86_400_000_000_000
#: Shanghai is UTC+8 all year: a day number is (ns + 8 h) // 1 day.
SHANGHAI_OFFSET_NS = 8 * _H

VIEW_SQL = f"""
SELECT
  o.id AS order_id,
  o.channel AS channel,
  COALESCE(w.name, '') AS warehouse,
  COALESCE(c.name, '') AS carrier,
  o.province AS province,
  o.city AS city,
  o.status AS status,
  o.placed_at_ns AS placed_at_ns,
  o.promised_at_ns AS promised_at_ns,
  o.total_fen AS total_fen,
  md.at_ns AS delivered_at_ns,
  mo.at_ns AS outbound_at_ns,
  CASE WHEN md.at_ns IS NULL THEN 0 ELSE 1 END AS delivered,
  CASE WHEN md.at_ns <= o.promised_at_ns THEN 1 ELSE 0 END AS on_time,
  CASE WHEN md.at_ns > o.promised_at_ns THEN 1 ELSE 0 END AS late,
  CASE WHEN md.at_ns IS NOT NULL AND o.promised_at_ns IS NOT NULL THEN 1 ELSE 0 END AS slack_known,
  CASE WHEN md.at_ns IS NOT NULL AND o.promised_at_ns IS NOT NULL
       THEN (o.promised_at_ns - md.at_ns) / {_H}.0 ELSE 0 END AS slack_h,
  CASE WHEN mo.at_ns IS NULL THEN 0 ELSE 1 END AS shipped,
  CASE WHEN mc.at_ns - mo.at_ns <= {24 * _H} THEN 1 ELSE 0 END AS collected_in_24h,
  CASE WHEN r.order_id IS NULL THEN 0 ELSE 1 END AS routed,
  CASE WHEN r.warehouse_ids LIKE '%,%' THEN 1 ELSE 0 END AS split,
  CASE WHEN EXISTS (SELECT 1 FROM order_exceptions e WHERE e.order_id = o.id)
       THEN 1 ELSE 0 END AS has_incident,
  CASE WHEN EXISTS (SELECT 1 FROM order_exceptions e WHERE e.order_id = o.id)
        AND NOT EXISTS (SELECT 1 FROM order_exceptions e
                        WHERE e.order_id = o.id AND e.state <> 'auto_resolved')
       THEN 1 ELSE 0 END AS incident_auto_closed,
  CASE WHEN o.hold_reason IS NULL THEN 0 ELSE 1 END AS held,
  CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END AS cancelled,
  CASE WHEN mr.at_ns IS NULL THEN 0 ELSE 1 END AS returned
FROM orders o
LEFT JOIN warehouses w ON w.id = o.warehouse_id
LEFT JOIN milestones md ON md.order_id = o.id AND md.milestone = 'delivered'
LEFT JOIN milestones mo ON mo.order_id = o.id AND mo.milestone = 'outbound'
LEFT JOIN milestones mc ON mc.order_id = o.id AND mc.milestone = 'collected'
LEFT JOIN milestones mr ON mr.order_id = o.id AND mr.milestone = 'return_requested'
LEFT JOIN routing_decisions r ON r.order_id = o.id
  AND r.attempt = (SELECT MAX(r2.attempt) FROM routing_decisions r2 WHERE r2.order_id = o.id)
LEFT JOIN carriers c ON c.id = r.carrier_ids OR r.carrier_ids LIKE c.id || ',%'
"""


def day_expression(time_column: str) -> str:
    """The Shanghai calendar day number of a time column (days since 1970-01-01)."""
    return f"CAST(({time_column} + {SHANGHAI_OFFSET_NS}) / {DAY_NS} AS BIGINT)"
