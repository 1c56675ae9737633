"""User accounts: add, list, change a password, disable; check a login and password.

Passwords are stored only as argon2id hashes (``argon2-cffi``); this module never logs,
returns or stores a plaintext password. A disabled user's sessions end and their keys stop
working at once in this process (other processes: within the key cache's TTL).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ordo.domain.access import UNBOUND, Role, Scope
from ordo.domain.errors import Conflict, NotFound, ValidationError
from ordo.service.people.callers import MAX_NAME, Caller, user_person

if TYPE_CHECKING:
    from ordo.service.runtime.app import Ordo

LOGIN = re.compile(r"^[a-z][a-z0-9._-]{1,31}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 256
#: Verified in place of a missing user, so an unknown login costs what a wrong password does.
_DUMMY = "$argon2id$v=19$m=65536,t=3,p=4$SKCzedgwA7OWcKfjiDbv2A$8s+m7XOCcLUHPgIWC9Q70fjCuo4NX7zmTivvm7VObmY"


def hasher() -> PasswordHasher:
    """argon2id with the library's current defaults (RFC 9106's second recommendation)."""
    return PasswordHasher()


def check_login(login: str) -> str:
    if not LOGIN.match(login or ""):
        raise ValidationError(
            "login",
            "a login is 2–32 characters: a–z first, then a–z, 0–9, '.', '_' or '-' / "
            "登录名为 2–32 个字符：以小写字母开头，其后为小写字母、数字、点、下划线或连字符",
        )
    return login


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password or "") <= MAX_PASSWORD:
        raise ValidationError(
            "password",
            f"a password is {MIN_PASSWORD}–{MAX_PASSWORD} characters "
            f"/ 密码长度须为 {MIN_PASSWORD}–{MAX_PASSWORD} 个字符",
            details={"min": MIN_PASSWORD, "max": MAX_PASSWORD},
        )
    return password


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k != "password_hash"}
    out["scope"] = Scope.from_dict(row.get("scope")).as_dict()
    out["disabled"] = bool(row["disabled"])
    return out


def add_user(
    app: Ordo, login: str, display_name: str, role: Role, password: str | None, scope: Scope = UNBOUND
) -> dict[str, Any]:
    """A new user; Conflict if the login is taken. ``password`` None: keys only, no sign-in."""
    login = check_login(login)
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 100:
        raise ValidationError(
            "display_name", "a display name of 1–100 characters / 显示名称须为 1–100 个字符"
        )
    hashed = hasher().hash(check_password(password)) if password is not None else None
    user_id = secrets.token_hex(6)
    with app.store.uow() as uow:
        if uow.people.user_by_login(login) is not None:
            raise Conflict(f"login {login!r} is taken / 登录名「{login}」已被使用", details={"login": login})
        uow.people.add_user(
            id=user_id, login=login, display_name=display_name, role=role.value,
            scope=None if scope.unbound else scope.as_dict(), password_hash=hashed,
            disabled=False, created_at_ns=app.clock.now_ns(),
        )  # fmt: skip
        row = uow.people.user(user_id)
        uow.commit()
    assert row is not None
    return _shown(row)


def list_users(app: Ordo) -> list[dict[str, Any]]:
    with app.store.uow(read_only=True) as uow:
        return [_shown(r) for r in uow.people.users()]


def _user(app: Ordo, login: str) -> dict[str, Any]:
    with app.store.uow(read_only=True) as uow:
        row = uow.people.user_by_login(login)
    if row is None:
        raise NotFound(f"no user {login!r} / 没有该用户", details={"login": login})
    return row


def assignable(app: Ordo, login: str) -> bool:
    """Whether work (an incident) may be given to ``login``: an enabled user."""
    with app.store.uow(read_only=True) as uow:
        row = uow.people.user_by_login(login)
    return row is not None and not row["disabled"]


def set_password(app: Ordo, login: str, password: str) -> None:
    """A new password; the user's open sessions end (whoever held them must sign in again)."""
    hashed = hasher().hash(check_password(password))
    row = _user(app, login)
    with app.store.uow() as uow:
        uow.people.update_user(row["id"], password_hash=hashed)
        uow.people.end_sessions_of(row["id"], app.wall.now_ns())
        uow.people.clear_failures(login)
        uow.commit()


def disable(app: Ordo, login: str) -> None:
    """The user can no longer sign in; their sessions end and their keys stop working."""
    row = _user(app, login)
    with app.store.uow() as uow:
        uow.people.update_user(row["id"], disabled=True)
        uow.people.end_sessions_of(row["id"], app.wall.now_ns())
        key_ids = uow.people.keys_of(row["id"])
        uow.commit()
    for key_id in key_ids:
        app.caches.keys.forget(key_id)


def set_access(
    app: Ordo, login: str, *, role: Role | None = None, scope: Scope | None = None, by: str
) -> dict[str, Any]:
    """Change a user's role and/or scope (None: keep it), audited with who did it, before and
    after. Their sessions see it on the next request; their keys once this process forgets them
    (at once here, within the key cache's seconds elsewhere)."""
    row = _user(app, login)
    before = {"role": row["role"], "scope": Scope.from_dict(row.get("scope")).as_dict()}
    values: dict[str, Any] = {}
    if role is not None:
        values["role"] = role.value
    if scope is not None:
        values["scope"] = None if scope.unbound else scope.as_dict()
    if not values:
        raise ValidationError("role", "give a role or a scope to set / 请指定角色或范围")
    with app.store.uow() as uow:
        uow.people.update_user(row["id"], **values)
        after_row = uow.people.user(row["id"])
        assert after_row is not None
        after = {"role": after_row["role"], "scope": Scope.from_dict(after_row.get("scope")).as_dict()}
        uow.rules.audit(
            at_ns=app.clock.now_ns(), actor=by[:64], role="admin", action="user_access_set",
            note=f"{login}: {before['role']} → {after['role']}", details={"login": login, "before": before,
            "after": after},
        )  # fmt: skip
        key_ids = uow.people.keys_of(row["id"])
        uow.commit()
    for key_id in key_ids:
        app.caches.keys.forget(key_id)
    return _shown(after_row)


def oidc_login(issuer: str, subject: str) -> str:
    """The login of the person an OIDC provider calls ``subject``: derived from both, so no
    provider can claim an existing password user's login (or another provider's person)."""
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()
    return f"oidc-{digest[:27]}"


def oidc_user(app: Ordo, issuer: str, subject: str, display_name: str, role: Role) -> dict[str, Any]:
    """The user an OIDC provider signed in: found by (issuer, subject), or created on first
    sign-in with ``role`` (audited). Later sign-ins keep the stored role (``ordo users set``)."""
    login = oidc_login(issuer, subject)
    with app.store.uow(read_only=True) as uow:
        row = uow.people.user_by_login(login)
    if row is not None:
        return row
    name = (display_name or "").strip()[:100] or login
    with app.store.uow() as uow:
        user_id = secrets.token_hex(6)
        uow.people.add_user(
            id=user_id, login=login, display_name=name, role=role.value, scope=None, password_hash=None,
            disabled=False, created_at_ns=app.clock.now_ns(),
        )  # fmt: skip
        uow.rules.audit(
            at_ns=app.clock.now_ns(), actor=f"oidc:{issuer}"[:64], role=role.value, action="user_added_oidc",
            note=f"{name} signed in first through {issuer}"[:1000],
            details={"login": login, "issuer": issuer, "subject": subject[:200], "role": role.value},
        )  # fmt: skip
        row = uow.people.user(user_id)
        uow.commit()
    assert row is not None
    return row


def verify(app: Ordo, login: str, password: str) -> dict[str, Any] | None:
    """The user row if ``login`` and ``password`` match an enabled user, else None (same cost)."""
    row = None
    if LOGIN.match(login or "") and len(password or "") <= MAX_PASSWORD:
        with app.store.uow(read_only=True) as uow:
            row = uow.people.user_by_login(login)
    stored = row["password_hash"] if row and row["password_hash"] else _DUMMY
    ok: bool
    try:
        ok = hasher().verify(stored, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if row is None or not ok or row["disabled"] or not row["password_hash"]:
        return None
    return row


def caller_of(user: dict[str, Any], key_id: str | None = None) -> Caller:
    """The caller a user row acts as (through a session, or one of the user's keys)."""
    return Caller(
        role=Role(user["role"]),
        name=str(user["display_name"])[:MAX_NAME],
        person=user_person(user["id"]),
        key_id=key_id,
        user_id=user["id"],
        login=user["login"],
        scope=Scope.from_dict(user.get("scope")),
    )
