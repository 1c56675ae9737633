"""The analytics gate: every statement that is not one bounded read of the shipped view is
refused, whichever way it is dressed; the statements Ordo generates pass."""

from __future__ import annotations

import random

import pytest
import sqlglot
from sqlglot import exp

from ordo.adapters.store.analytics.gate import MAX_ROWS, check
from ordo.adapters.store.analytics.run import compile_query
from ordo.adapters.store.analytics.view import BASE_TABLES, VIEW_SQL, days_sql
from ordo.domain.errors import UnsafeQuery
from ordo.service.insight.catalog import default_catalog
from ordo.service.ports.insight import DIMENSION_COLUMNS, MetricQuery

DIALECTS = ("sqlite", "postgresql")
V = f"WITH analytics_orders AS ({VIEW_SQL})"
D = f"WITH analytics_days AS ({days_sql(['basis', 'day', 'orders', 'channel'])})"
#: Shanghai midnight of 1970-01-02 (whole days: the day sums answer).
MIDNIGHT = 16 * 3_600 * 1_000_000_000

HOSTILE = [
    "DELETE FROM orders",
    "UPDATE orders SET total_fen = 0",
    "INSERT INTO api_keys VALUES (1)",
    "DROP TABLE orders",
    "CREATE TABLE x AS SELECT * FROM orders",
    "ALTER TABLE orders ADD COLUMN x INT",
    "PRAGMA query_only = 0",
    "ATTACH DATABASE '/tmp/x.db' AS x",
    "VACUUM",
    "COPY orders TO '/tmp/out.csv'",
    "SET statement_timeout = 0",
    "BEGIN",
    "SELECT * FROM orders",
    "SELECT * FROM orders LIMIT 5",
    "SELECT * FROM api_keys LIMIT 5",
    "SELECT * FROM users LIMIT 5",
    "SELECT * FROM sqlite_master LIMIT 5",
    "SELECT * FROM pg_catalog.pg_authid LIMIT 5",
    "SELECT * FROM information_schema.tables LIMIT 5",
    f"{V} SELECT * FROM analytics_orders",
    f"{V} SELECT * FROM analytics_orders LIMIT {MAX_ROWS + 1}",
    f"{V} SELECT * FROM analytics_orders LIMIT 5; DROP TABLE orders",
    f"{V} SELECT * FROM analytics_orders LIMIT 5; SELECT 1",
    f"{V} SELECT recipient_phone FROM orders LIMIT 5",
    f"{V} SELECT (SELECT recipient_phone FROM orders LIMIT 1) FROM analytics_orders LIMIT 5",
    f"{V} SELECT * FROM analytics_orders WHERE order_id IN (SELECT id FROM orders) LIMIT 5",
    f"{V} SELECT * FROM analytics_orders JOIN api_keys ON 1 = 1 LIMIT 5",
    f"{V} SELECT * FROM analytics_orders UNION SELECT * FROM orders LIMIT 5",
    "WITH analytics_orders AS (SELECT * FROM orders) SELECT * FROM analytics_orders LIMIT 5",
    "WITH x AS (SELECT * FROM orders) SELECT * FROM x LIMIT 5",
    "WITH x AS (DELETE FROM orders RETURNING *) SELECT * FROM x LIMIT 5",
    f"{V} SELECT pg_sleep(10) FROM analytics_orders LIMIT 1",
    f"{V} SELECT load_extension('/tmp/evil') FROM analytics_orders LIMIT 1",
    f"{V} SELECT readfile('/etc/passwd') FROM analytics_orders LIMIT 1",
    f"{V} SELECT pg_read_file('/etc/passwd') FROM analytics_orders LIMIT 1",
    f"{V} SELECT current_setting('data_directory') FROM analytics_orders LIMIT 1",
    f"{V} SELECT version() FROM analytics_orders LIMIT 1",
    f"{V} SELECT lo_import('/etc/passwd') FROM analytics_orders LIMIT 1",
    f"{V} SELECT dblink('host=evil', 'select 1') FROM analytics_orders LIMIT 1",
    f"{V} SELECT randomblob(1000000000) FROM analytics_orders LIMIT 1",
    f"{V} SELECT * INTO stolen FROM analytics_orders LIMIT 1",
    f"{V} SELECT * FROM analytics_orders LIMIT (SELECT 5)",
    f"{V} SELECT * FROM analytics_orders FOR UPDATE LIMIT 5",
    "SELECT * FROM analytics_facts LIMIT 5",
    "SELECT * FROM analytics_daily LIMIT 5",
    f"{V} SELECT * FROM analytics_orders JOIN analytics_daily ON 1 = 1 LIMIT 5",
    f"{D} SELECT * FROM analytics_days JOIN analytics_facts ON 1 = 1 LIMIT 5",
    f"{D} SELECT (SELECT recipient_phone FROM orders LIMIT 1) FROM analytics_days LIMIT 5",
    "WITH analytics_days AS (SELECT * FROM orders) SELECT * FROM analytics_days LIMIT 5",
    "WITH analytics_days AS (SELECT basis FROM analytics_daily WHERE 1 = 1) "
    "SELECT * FROM analytics_days LIMIT 5",
    "WITH analytics_orders AS (SELECT order_id FROM analytics_daily) SELECT * FROM analytics_orders LIMIT 5",
    "SELECT 1 /* ; DROP TABLE orders */ LIMIT 1; DROP TABLE orders",
    "not sql at all",
    "",
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("sql", HOSTILE)
def test_hostile_statements_are_refused(sql: str, dialect: str) -> None:
    with pytest.raises(UnsafeQuery):
        check(sql, dialect)


def test_the_shipped_views_pass_when_read_as_shipped() -> None:
    check(f"{D} SELECT SUM(orders) FROM analytics_days WHERE basis = 'placed_at_ns' LIMIT 5", "sqlite")
    check(f"{V} SELECT COUNT(*) FROM analytics_orders LIMIT 5", "postgresql")


@pytest.mark.parametrize("since", [0, MIDNIGHT], ids=["facts", "days"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_generated_statement_passes(dialect: str, since: int) -> None:
    rng = random.Random(5)
    dims = sorted(DIMENSION_COLUMNS)
    for metric in default_catalog().metrics.values():
        for _ in range(5):
            q = MetricQuery(
                numerator=metric.numerator,
                denominator=metric.denominator,
                time_column=metric.time,
                since_ns=since,
                until_ns=since + 86_400 * 10**9 * 30,
                dimensions=tuple(rng.sample(dims, rng.randint(0, 2))),
                filters=(("province", ("广东省", "'; DROP TABLE orders; --")),),
                channels=frozenset({"tmall"}),
            )
            sql, params = compile_query(q)
            check(sql, dialect)
            assert "DROP" not in sql and "'; DROP TABLE orders; --" in params.values()
            # Whole days and at most two dimensions named read the day sums, the rest the facts.
            assert ("analytics_days" in sql) == (
                since == MIDNIGHT and len({*q.dimensions} - {"day"} | {"province", "channel"}) <= 2
            )


@pytest.mark.parametrize("since", [0, MIDNIGHT], ids=["facts", "days"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_random_mutations_of_a_good_statement_never_widen_what_it_reads(dialect: str, since: int) -> None:
    """Splice hostile fragments into a generated statement at random places: each result is
    either refused or still a bounded read of the view (the gate's two outcomes)."""
    good, _ = compile_query(
        MetricQuery("COUNT(*)", None, "placed_at_ns", since, since + 86_400 * 10**9, ("channel",))
    )
    fragments = [
        "; DROP TABLE orders",
        " UNION SELECT * FROM api_keys",
        ", (SELECT key_hash FROM api_keys)",
        " JOIN users ON 1=1",
        " pg_sleep(5)",
        "/*",
        "--",
        " LIMIT 100000",
        ")",
        "'",
    ]
    rng = random.Random(11)
    for _ in range(300):
        at = rng.randrange(len(good))
        mutated = good[:at] + rng.choice(fragments) + good[at:]
        try:
            check(mutated, dialect)
        except UnsafeQuery:
            continue
        # Passed: the fragment landed in a string or a comment. What it reads is what it read.
        tree = sqlglot.parse_one(mutated, read="postgres" if dialect == "postgresql" else "sqlite")
        assert {t.name for t in tree.find_all(exp.Table)} <= {
            *BASE_TABLES,
            "analytics_orders",
            "analytics_days",
        }
        assert not list(tree.find_all(exp.Anonymous))
