"""SQLite backend: WAL, one writer at a time (BEGIN IMMEDIATE), readers never blocked.

Taking the write lock at BEGIN (not at the first write) is what makes "read stock,
decide, reserve" atomic across processes: no other writer can slip in between.
"""

from __future__ import annotations

import random
import sqlite3
import time
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event

BUSY_TIMEOUT_MS = 30_000
#: SQLite's default page cache is 2 MB; with a few hundred MB of orders the random
#: inserts into the (channel, external_id) and other indexes then miss it on every
#: batch. 64 MB of cache per connection and memory-mapped reads keep intake flat as the
#: file grows (the raw-SQLite baseline of `ordo bench intake` uses the same settings).
#: Checkpointing the WAL every 1,000 pages (the default) meant a checkpoint, with its
#: fsync, after nearly every intake batch; every 10,000 pages (40 MB) keeps them rare.
TUNING = (
    "PRAGMA cache_size=-65536",
    "PRAGMA mmap_size=268435456",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA wal_autocheckpoint=10000",
)


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def create_engine(url: str) -> sa.Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = sa.create_engine(
        url,
        json_serializer=_dumps,
        json_deserializer=orjson.loads,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        # A file database: one connection per server thread that may hold one (the API's
        # 40 worker threads and the batchers). A smaller pool closes and reopens
        # overflow connections — and re-runs the PRAGMAs below — on every busy second.
        **({} if memory else {"pool_size": 32, "max_overflow": 16}),
        **({"poolclass": sa.StaticPool} if memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is deferred).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not memory:
            _ensure_wal(cur)
        cur.execute("PRAGMA synchronous=NORMAL")
        for pragma in TUNING:
            cur.execute(pragma)
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        read_only = conn.get_execution_options().get("ordo_read_only", False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _ensure_wal(cur: sqlite3.Cursor) -> None:
    """Switch the file to WAL once; it stays WAL for every later connection.

    Changing the journal mode needs the file to itself, and SQLite answers "database
    is locked" at once — without its busy handler — when another process is opening
    the same fresh file at that moment. So read the mode first (the common case: it is
    already WAL) and retry the switch for a while instead of failing a connection.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cur.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01 + random.random() * 0.05)
