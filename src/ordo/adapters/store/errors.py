"""Driver errors become Ordo's own: callers never catch sqlite3 or psycopg exceptions.

Only errors a retry can cure become :class:`StoreConflict` (lost races: deadlock,
serialization failure, a unique key taken by a concurrent writer, a busy SQLite
file). A broken constraint (CHECK, foreign key, NOT NULL) or a bad statement fails
the same way every time, so it is a plain :class:`StoreError`; a server that cannot
be reached is :class:`StoreUnavailable`.
"""

from __future__ import annotations

import sqlalchemy.exc as sa_exc

from ordo.domain.errors import StoreConflict, StoreError, StoreUnavailable

# PostgreSQL SQLSTATEs a caller may simply retry: serialization failure, deadlock, unique race.
_RETRYABLE_SQLSTATE = {"40001", "40P01", "23505"}
# Connection exceptions (class 08), admin shutdown, cannot connect now.
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "57P")


def translate(exc: BaseException) -> StoreError:
    """Map a SQLAlchemy/driver exception onto the Ordo error tree."""
    orig = getattr(exc, "orig", None)
    text = str(orig or exc).splitlines()[0][:300]
    lowered = text.lower()
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate in _RETRYABLE_SQLSTATE:
        return StoreConflict(f"the store refused a concurrent write: {text}")
    if sqlstate and sqlstate.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES):
        return StoreUnavailable(f"the store is unavailable: {text}")
    if isinstance(exc, sa_exc.IntegrityError):
        if sqlstate is None and "unique constraint failed" in lowered:  # SQLite's unique race
            return StoreConflict(f"the store refused a concurrent write: {text}")
        return StoreError(f"the store refused the write (constraint): {text}")
    if isinstance(exc, sa_exc.OperationalError):
        if "locked" in lowered or "busy" in lowered:
            return StoreConflict(f"the store is busy: {text}")
        if sqlstate is None and ("no such" in lowered or "syntax error" in lowered):
            return StoreError(f"store error: {text}")
        return StoreUnavailable(f"the store is unavailable: {text}")
    if isinstance(exc, sa_exc.InterfaceError):
        return StoreUnavailable(f"the store is unavailable: {text}")
    return StoreError(f"store error: {text}")
