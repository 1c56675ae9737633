"""The error tree's stable codes and HTTP statuses, and role permissions as data."""

from __future__ import annotations

import pytest

from ordo.domain import errors as e
from ordo.domain.access import PERMISSIONS, Perm, Role, allowed, require


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (e.ValidationError("lines", "bad"), "validation_failed", 422),
        (e.UnknownSku("lines[0].sku", "bad"), "unknown_sku", 422),
        (e.NotFound("gone"), "not_found", 404),
        (e.Conflict("again"), "conflict", 409),
        (e.LifecycleViolation("order_cancelled", "no"), "order_cancelled", 409),
        (e.PermissionDenied("no"), "forbidden", 403),
        (e.Unauthenticated("who"), "unauthenticated", 401),
        (e.StoreError("db"), "store_error", 503),
        (e.StoreUnavailable("down"), "store_unavailable", 503),
        (e.StoreConflict("race"), "store_conflict", 503),
    ],
)
def test_every_error_has_a_stable_code_and_http_status(error, code, status):
    assert isinstance(error, e.OrdoError)
    assert error.code == code
    assert error.http_status == status
    assert error.as_dict()["error"] == code


def test_store_errors_share_one_base_so_callers_catch_one_type():
    assert issubclass(e.StoreUnavailable, e.StoreError)
    assert issubclass(e.StoreConflict, e.StoreError)
    assert issubclass(e.UnknownSku, e.ValidationError)


def test_a_lifecycle_violation_keeps_its_details():
    error = e.LifecycleViolation("already_shipped", "msg", milestone="cancelled")
    assert error.as_dict() == {
        "error": "already_shipped",
        "message": "msg",
        "details": {"milestone": "cancelled"},
    }


def test_an_admin_may_do_everything_and_a_viewer_only_read():
    assert all(allowed(Role.ADMIN, p) for p in Perm)
    assert [p for p in Perm if allowed(Role.VIEWER, p)] == [Perm.READ]


def test_an_integration_writes_orders_but_never_sees_personal_data():
    assert allowed(Role.INTEGRATION, Perm.ORDERS_WRITE)
    assert not allowed(Role.INTEGRATION, Perm.READ_PII)


def test_every_role_has_a_permission_set():
    assert set(PERMISSIONS) == set(Role)


def test_require_refuses_with_the_role_and_permission_named():
    with pytest.raises(e.PermissionDenied) as info:
        require(Role.FINANCE, Perm.ORDERS_CANCEL)
    assert info.value.details == {"role": "finance", "permission": "orders_cancel"}
    require(Role.RISK, Perm.ORDERS_CANCEL)  # allowed: no error
