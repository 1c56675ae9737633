"""Columnar reads: SELECTs straight into Polars frames, without a Python object per row.

Owns the fast path for bulk reads (backtests over a million stored orders). The queries
run in ConnectorX (Rust), which hands back Arrow columns:

* PostgreSQL: in this process, over its own connection;
* SQLite (a file): in a short-lived worker process, which writes each result as an Arrow
  IPC file for this process to load. Never in this process: ConnectorX carries its own
  SQLite library, and two SQLite libraries on one file in one process break each other's
  POSIX locks (closing its descriptor drops ours: "disk I/O error" on the next write).

ConnectorX takes no bound parameters, so statements are rendered with literal values by
SQLAlchemy's dialect (which quotes strings): use it only for statements built from typed
values, never raw text. Where it cannot run (an in-memory SQLite, another driver, the
package missing, any failure) :func:`read_frames` returns ``None`` and the caller reads
the plain way. It reads committed data, which is what a backtest wants; it never writes.

The figure it exists for: BENCHMARKS.md "Backtest" reads the 20 columns the rules use
from 1,000,000 stored orders in 2.56 s this way, inside a whole backtest of 3.46 s
(target 5 s).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
import sqlalchemy as sa

from ordo import extras

log = logging.getLogger(__name__)

Query = tuple[sa.Select[Any], dict[str, Any]]  # a statement and its columns' names and types

#: The SQLite worker: runs each query (two at a time) and writes ``<n>.arrow`` files.
_WORKER = """
import json, sys
from concurrent.futures import ThreadPoolExecutor
import connectorx as cx
job = json.load(sys.stdin)
def one(item):
    n, sql = item
    cx.read_sql(job["source"], sql, return_type="polars").write_ipc(job["dir"] + "/" + str(n) + ".arrow")
with ThreadPoolExecutor(2) as pool:
    list(pool.map(one, enumerate(job["sql"])))
"""
WORKER_TIMEOUT_S = 900


def _source(conn: sa.Connection) -> str | None:
    """The ConnectorX URI of the database behind ``conn``, or None if it cannot read it."""
    url = conn.engine.url
    backend = url.get_backend_name()
    if backend == "sqlite":
        path = url.database
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        # A relative path is relative to this process's directory, as SQLite opened it.
        return f"sqlite://{os.path.abspath(path)}"
    if backend == "postgresql":
        return url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    return None


def _have_connectorx() -> bool:
    """ConnectorX and the pyarrow it hands frames over with (the ordo[columnar] extra), found
    without importing them. Without them, reads go row by row: slower, never wrong."""
    return extras.available("columnar")


def _sql(conn: sa.Connection, stmt: sa.Select[Any]) -> str:
    return str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))


def _typed(frame: pl.DataFrame, dtypes: dict[str, Any]) -> pl.DataFrame:
    if frame.width != len(dtypes):
        raise ValueError(f"expected {len(dtypes)} columns, got {frame.width}")
    frame = frame.rename(dict(zip(frame.columns, dtypes, strict=True)))
    return frame.select(pl.col(name).cast(dtype) for name, dtype in dtypes.items())


def _in_worker(source: str, sqls: list[str]) -> list[pl.DataFrame]:
    with tempfile.TemporaryDirectory(prefix="ordo-columnar-") as tmp:
        job = json.dumps({"source": source, "sql": sqls, "dir": tmp})
        subprocess.run(
            [sys.executable, "-c", _WORKER],
            input=job,
            text=True,
            check=True,
            capture_output=True,
            timeout=WORKER_TIMEOUT_S,
        )
        return [pl.read_ipc(Path(tmp) / f"{n}.arrow") for n in range(len(sqls))]


def read_frames(conn: sa.Connection, queries: Sequence[Query]) -> list[pl.DataFrame] | None:
    """Each query's rows as a frame with its columns' names and types; None: read the plain way."""
    source = _source(conn)
    if source is None or not _have_connectorx():
        return None
    sqls = [_sql(conn, stmt) for stmt, _ in queries]
    try:
        if source.startswith("sqlite://"):
            raw = _in_worker(source, sqls)
        else:
            import connectorx as cx

            raw = [cx.read_sql(source, sql, return_type="polars") for sql in sqls]
        return [_typed(fr, dtypes) for fr, (_, dtypes) in zip(raw, queries, strict=True)]
    except subprocess.CalledProcessError as e:
        log.warning("columnar read failed, reading row by row: %s", (e.stderr or "").strip()[-500:])
    except Exception as e:  # any failure here has the plain read as its answer
        log.warning("columnar read failed, reading row by row: %s", e)
    return None
