"""Leases: a background duty runs on one node of a deployment at a time.

PostgreSQL (N ``ordo serve`` nodes on one database): **session advisory locks held on a
dedicated connection** (``pg_try_advisory_lock(class, crc32(name))``), one connection per
node, outside the pool. Chosen over a lease table with expiry and fencing tokens because:

* a holder that dies (kill -9, OOM, machine gone) loses its locks when its connection
  ends — at once for a dead process (the kernel closes the socket and the backend exits),
  within the TCP keepalive bound set below (about 4 s) for a vanished machine — with
  no clock, no expiry to tune, no heartbeat write per second per duty;
* a lease table's fencing token only protects writes that check it, and Ordo's duties
  write through the ordinary service layer; making every such write compare a token is
  a larger change than the guarantee it buys here (see the limits below).

A contender polls (``try_acquire``) on its duty's idle period (at most 2 s), so a duty
moves to a survivor within about 2 s of its holder's death, well under 5 s.

The limits, said plainly: while it holds, a node re-checks its lease connection before
each round (one ``SELECT 1``); a node cut off from PostgreSQL stops its duties at its next
round, but a round already running when the connection broke finishes (its writes then
fail, since that node cannot reach the database either). A holder that is frozen (SIGSTOP)
keeps its locks until it is resumed or killed. The duties are written to tolerate a
second round: every one keeps its cursor or state in the store and commits it with its
work, so an overlapping round re-does work, never skips it.

SQLite (one machine): a ``flock`` on ``<database>.lease-<name>`` beside the database file
(released by the kernel when the process dies), or a lock in this process for an
in-memory database. The usual single ``ordo serve`` therefore always holds every lease,
as before; two servers on one file take turns instead of both running a duty.

Use: ``leases.try_acquire("pull")`` (sticky: true while held, kept until released or the
connection is lost), ``with leases.hold("pull", wait_s=5) as held: …`` for one-off work.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
import zlib
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa

from ordo.service.ports.leases import Leases

log = logging.getLogger(__name__)

#: The advisory-lock class (first key) of every lease: "ordl" in ASCII. The migration lock
#: uses the one-key form, a separate key space.
LEASE_CLASS = 0x6F72646C
#: TCP keepalive of the lease connection (seconds): idle, interval, probes.
KEEPALIVE = (2, 1, 2)
#: Seconds the count of nodes is trusted.
NODES_EVERY_S = 1.0


def lease_key(name: str) -> int:
    """The advisory lock's second key: crc32 of the name as a signed 32-bit int."""
    k = zlib.crc32(name.encode())
    return k - 2**32 if k >= 2**31 else k


class PostgresLeases:
    """Advisory locks on one connection of this node's own (see the module docstring)."""

    def __init__(self, url: sa.URL | str, node: str) -> None:
        u = sa.make_url(url) if isinstance(url, str) else url
        self._conninfo = u.set(drivername="postgresql").render_as_string(hide_password=False)
        self.node = node
        self._lock = threading.Lock()
        self._conn: Any = None
        self._held: set[str] = set()
        #: (count, read at): the nodes' lease connections, counted at most once a second.
        self._nodes: tuple[int, float] = (1, -1e9)

    def _connect(self) -> Any:
        import psycopg

        idle, interval, count = KEEPALIVE
        conn = psycopg.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=5,
            keepalives=1,
            keepalives_idle=idle,
            keepalives_interval=interval,
            keepalives_count=count,
            application_name=f"ordo-leases {self.node}"[:63],
        )
        # The server side notices a vanished client as fast as the client notices the server.
        conn.execute(f"SET tcp_keepalives_idle = {idle}")
        conn.execute(f"SET tcp_keepalives_interval = {interval}")
        conn.execute(f"SET tcp_keepalives_count = {count}")
        return conn

    def _lost(self, exc: Exception) -> None:
        if self._held:
            log.warning(
                "leases of %s lost with their connection: %s (%s)", self.node, sorted(self._held), exc
            )
        self._held.clear()
        with contextlib.suppress(Exception):
            self._conn.close()
        self._conn = None

    def try_acquire(self, name: str) -> bool:
        with self._lock:
            try:
                if self._conn is None:
                    self._held.clear()
                    self._conn = self._connect()
                if name in self._held:
                    self._conn.execute("SELECT 1")  # still connected, so still held
                    return True
                row = self._conn.execute(
                    "SELECT pg_try_advisory_lock(%s, %s)", (LEASE_CLASS, lease_key(name))
                ).fetchone()
            except Exception as exc:  # any driver error: the connection, and every lease, is gone
                self._lost(exc)
                return False
            if row and row[0]:
                self._held.add(name)
                log.info("node %s took the lease %s", self.node, name)
                return True
            return False

    def release(self, name: str) -> None:
        with self._lock:
            if name not in self._held:
                return
            self._held.discard(name)
            try:
                self._conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LEASE_CLASS, lease_key(name)))
            except Exception as exc:
                self._lost(exc)

    def held(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._held)

    def nodes(self) -> int:
        """The lease connections open on this database (one per node), read at most once a
        second; 1 while this node has no connection."""
        with self._lock:
            count, at = self._nodes
            now = time.monotonic()
            if self._conn is None or now - at < NODES_EVERY_S:
                return count if self._conn is not None else 1
            try:
                row = self._conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND application_name LIKE 'ordo-leases %%'"
                ).fetchone()
            except Exception as exc:
                self._lost(exc)
                return 1
            self._nodes = (max(1, int(row[0])), now)
            return self._nodes[0]

    def close(self) -> None:
        with self._lock:
            self._held.clear()
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    self._conn.close()
                self._conn = None


class LocalLeases:
    """One machine: ``flock`` beside the SQLite file, or a lock in this process (``:memory:``)."""

    def __init__(self, database: str | None, node: str) -> None:
        self.node = node
        self._dir = Path(database).parent if database else None
        self._base = Path(database).name if database else ""
        self._lock = threading.Lock()
        self._files: dict[str, IO[bytes]] = {}
        self._local: set[str] = set()

    def try_acquire(self, name: str) -> bool:
        with self._lock:
            if name in self._files or name in self._local:
                return True
            if self._dir is None:
                self._local.add(name)
                return True
            safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
            f = open(self._dir / f"{self._base}.lease-{safe}", "ab")  # noqa: SIM115 (kept open while held)
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                f.close()
                return False
            self._files[name] = f
            return True

    def release(self, name: str) -> None:
        with self._lock:
            self._local.discard(name)
            f = self._files.pop(name, None)
        if f is not None:
            f.close()  # closing the descriptor drops the flock

    def held(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._files) | frozenset(self._local)

    def nodes(self) -> int:
        return 1  # one machine: whoever holds the file locks, there is nothing to spread

    def close(self) -> None:
        for name in list(self.held()):
            self.release(name)


def open_leases(engine: sa.Engine, node: str | None = None) -> Leases:
    """The leases of the database behind ``engine``, for the node named ``node``
    (default ``ORDO_NODE`` or host:pid)."""
    import socket

    who = node or os.environ.get("ORDO_NODE") or f"{socket.gethostname()}:{os.getpid()}"
    if engine.dialect.name == "postgresql":
        return PostgresLeases(engine.url, who)
    db = engine.url.database
    return LocalLeases(db if db and db != ":memory:" else None, who)
