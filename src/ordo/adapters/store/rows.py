"""Small conversions shared by the repositories (sets as CSV text, chunked IN lists)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Bound parameters per IN list: safe for SQLite's and PostgreSQL's limits.
CHUNK = 900


def to_csv(values: Iterable[str]) -> str:
    return ",".join(sorted(values))


def from_csv(text: str) -> frozenset[str]:
    return frozenset(v for v in text.split(",") if v)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
