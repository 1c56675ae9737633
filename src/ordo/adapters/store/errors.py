"""Driver errors become Ordo's own: callers never catch sqlite3 or psycopg exceptions."""

from __future__ import annotations

import sqlalchemy.exc as sa_exc

from ordo.domain.errors import StoreConflict, StoreError, StoreUnavailable

# SQLSTATEs a caller may simply retry: serialization failure, deadlock, unique race.
_RETRYABLE_SQLSTATE = {"40001", "40P01", "23505"}


def translate(exc: BaseException) -> StoreError:
    """Map a SQLAlchemy/driver exception onto the Ordo error tree."""
    orig = getattr(exc, "orig", None)
    text = str(orig or exc).splitlines()[0][:300]
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(exc, sa_exc.IntegrityError) or sqlstate in _RETRYABLE_SQLSTATE:
        return StoreConflict(f"the store refused a concurrent write: {text}")
    if isinstance(exc, sa_exc.OperationalError):
        lowered = text.lower()
        if "locked" in lowered or "busy" in lowered:
            return StoreConflict(f"the store is busy: {text}")
        return StoreUnavailable(f"the store is unavailable: {text}")
    if isinstance(exc, sa_exc.InterfaceError):
        return StoreUnavailable(f"the store is unavailable: {text}")
    return StoreError(f"store error: {text}")
