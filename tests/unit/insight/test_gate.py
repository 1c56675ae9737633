"""The analytics gate: every statement that is not one bounded read of the shipped view is
refused, whichever way it is dressed; the statements Ordo generates pass."""

from __future__ import annotations

import random

import pytest
import sqlglot
from sqlglot import exp

from ordo.adapters.store.analytics.gate import MAX_ROWS, check
from ordo.adapters.store.analytics.run import compile_query
from ordo.adapters.store.analytics.view import BASE_TABLES, VIEW_SQL
from ordo.domain.errors import UnsafeQuery
from ordo.service.insight.catalog import default_catalog
from ordo.service.ports.insight import DIMENSION_COLUMNS, MetricQuery

DIALECTS = ("sqlite", "postgresql")
V = f"WITH analytics_orders AS ({VIEW_SQL})"

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
    "SELECT 1 /* ; DROP TABLE orders */ LIMIT 1; DROP TABLE orders",
    "not sql at all",
    "",
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("sql", HOSTILE)
def test_hostile_statements_are_refused(sql: str, dialect: str) -> None:
    with pytest.raises(UnsafeQuery):
        check(sql, dialect)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_every_generated_statement_passes(dialect: str) -> None:
    rng = random.Random(5)
    dims = sorted(DIMENSION_COLUMNS)
    for metric in default_catalog().metrics.values():
        for _ in range(5):
            q = MetricQuery(
                numerator=metric.numerator,
                denominator=metric.denominator,
                time_column=metric.time,
                since_ns=0,
                until_ns=10**18,
                dimensions=tuple(rng.sample(dims, rng.randint(0, 2))),
                filters=(("province", ("广东省", "'; DROP TABLE orders; --")),),
                channels=frozenset({"tmall"}),
            )
            sql, params = compile_query(q)
            check(sql, dialect)
            assert "DROP" not in sql and "'; DROP TABLE orders; --" in params.values()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_random_mutations_of_a_good_statement_never_widen_what_it_reads(dialect: str) -> None:
    """Splice hostile fragments into a generated statement at random places: each result is
    either refused or still a bounded read of the view (the gate's two outcomes)."""
    good, _ = compile_query(MetricQuery("COUNT(*)", None, "placed_at_ns", 0, 1, ("channel",)))
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
        assert {t.name for t in tree.find_all(exp.Table)} <= {*BASE_TABLES, "analytics_orders"}
        assert not list(tree.find_all(exp.Anonymous))
