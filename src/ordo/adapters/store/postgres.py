"""PostgreSQL backend (psycopg 3). READ COMMITTED plus row locks taken in a fixed order.

Stock and order rows are locked with ``SELECT … ORDER BY key FOR UPDATE`` so two
transactions touching the same rows always queue in the same order and never
deadlock; the conditional UPDATE is the second guard.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def normalise_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_engine(url: str) -> sa.Engine:
    return sa.create_engine(
        normalise_url(url),
        json_serializer=_dumps,
        json_deserializer=orjson.loads,
        pool_size=10,
        max_overflow=10,
        pool_pre_ping=True,
    )
