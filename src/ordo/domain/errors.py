"""Ordo's error tree, with stable codes. Every error a caller can see lives here.

    OrdoError                       code
    ├── ValidationError             validation_failed   (bad input; names the field)
    │   └── UnknownSku              unknown_sku
    ├── NotFound                    not_found
    ├── Conflict                    conflict            (idempotency key reused, dup)
    ├── LifecycleViolation          one code per rule   (impossible milestone update)
    ├── PermissionDenied            forbidden
    ├── Unauthenticated             unauthenticated
    └── StoreError                  store_error         (wrapped driver errors)
        ├── StoreUnavailable        store_unavailable
        └── StoreConflict           store_conflict      (deadlock / serialization; retry)

Messages are bilingual (English / Chinese) because operators read them.
This module must never import a driver or a framework.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class OrdoError(Exception):
    """Base of every error Ordo raises on purpose."""

    code = "ordo_error"
    http_status = 500

    def __init__(self, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "details": self.details}


class ValidationError(OrdoError):
    """Input that can never be valid. ``field`` names where, as a dotted path."""

    code = "validation_failed"
    http_status = 422

    def __init__(self, field: str, message: str, *, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message, details={"field": field, **(details or {})})
        self.field = field


class UnknownSku(ValidationError):
    code = "unknown_sku"


class NotFound(OrdoError):
    code = "not_found"
    http_status = 404


class Conflict(OrdoError):
    code = "conflict"
    http_status = 409


class LifecycleViolation(OrdoError):
    """An impossible milestone update; the code says which rule it broke."""

    http_status = 409

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message, details=details)
        self.code = code


class PermissionDenied(OrdoError):
    code = "forbidden"
    http_status = 403


class UnsafeQuery(OrdoError):
    """An analytics statement the gate refused: not one read-only SELECT over the allowed
    tables with a row limit. Nothing ran."""

    code = "unsafe_query"
    http_status = 422


class Unauthenticated(OrdoError):
    code = "unauthenticated"
    http_status = 401


class StoreError(OrdoError):
    code = "store_error"
    http_status = 503


class StoreUnavailable(StoreError):
    code = "store_unavailable"


class StoreConflict(StoreError):
    """A transaction lost a race (deadlock, serialization failure); safe to retry."""

    code = "store_conflict"
