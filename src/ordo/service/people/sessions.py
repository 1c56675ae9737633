"""Dashboard sign-in: sessions kept server-side, CSRF tokens, and a limit on failed sign-ins.

A session is a random token in an HttpOnly cookie; the store keeps only its SHA-256, the
user it belongs to, when it expires (wall time: a security window, like webhook
signatures) and the CSRF token every write through the cookie must echo in
``X-CSRF-Token``. Signing out ends the row, so a copied cookie is dead too. Failed
sign-ins are counted per login and per client address; past :data:`MAX_FAILURES` for a
login, or :data:`MAX_ADDRESS_FAILURES` from one address, in :data:`FAILURE_WINDOW_S`,
sign-ins are refused (429) until the window ends, whether the password is right or not.

A password hash costs a core for tens of milliseconds and 64 MiB: the caller passes a
:class:`SignInGate` (one per process, sized to the cores) and a sign-in that finds every
slot taken is refused at once (503 with Retry-After) instead of queueing more hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ordo.domain.errors import OrdoError, PermissionDenied, Unauthenticated
from ordo.service.people.callers import Caller
from ordo.service.people.users import caller_of, verify

if TYPE_CHECKING:
    from ordo.service.ports import UnitOfWork
    from ordo.service.runtime.app import Ordo

#: A session lasts this long from sign-in.
SESSION_TTL_S = 12 * 3600
MAX_FAILURES = 5
#: From one client address (an office behind one NAT is many people): more than one login's.
MAX_ADDRESS_FAILURES = 30
FAILURE_WINDOW_S = 15 * 60
MAX_TOKEN = 100
S = 1_000_000_000


class TooManyAttempts(OrdoError):
    code = "too_many_attempts"
    http_status = 429


class CsrfRefused(PermissionDenied):
    code = "csrf_failed"


class SignInBusy(OrdoError):
    code = "sign_in_busy"
    http_status = 503


class SignInGate:
    """At most ``slots`` sign-ins verify a password at once in this process (default: one per
    core); :meth:`enter` refuses, rather than waits, when they are all taken."""

    def __init__(self, slots: int | None = None) -> None:
        self.slots = max(1, slots if slots is not None else (os.cpu_count() or 1))
        self._free = threading.BoundedSemaphore(self.slots)

    def enter(self) -> None:
        if not self._free.acquire(blocking=False):
            raise SignInBusy(
                f"{self.slots} sign-ins are being checked; try again in a second "
                f"/ 正在验证的登录已达 {self.slots} 个，请一秒后再试",
                details={"slots": self.slots, "retry_after_s": 1},
            )

    def leave(self) -> None:
        self._free.release()


def address_key(client: str) -> str:
    """The failure counter of a client address: '@' and a digest (no login starts with '@',
    and an IPv6 address does not fit the 32 characters of a login)."""
    return "@" + hashlib.sha256(client.encode("utf-8")).hexdigest()[:31]


@dataclass(frozen=True, slots=True)
class SignedIn:
    token: str
    csrf_token: str
    expires_at_ns: int
    caller: Caller


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _bad_login() -> Unauthenticated:
    return Unauthenticated("wrong login or password / 登录名或密码错误")


def sign_in(
    app: Ordo, login: str, password: str, *, client: str | None = None, gate: SignInGate | None = None
) -> SignedIn:
    """A new session for a matching, enabled user; 401 otherwise, 429 past the failure limit
    of the login or of the ``client`` address, 503 when ``gate`` has no free slot."""
    now = app.wall.now_ns()
    key = (login or "")[:32]
    limits = {key: MAX_FAILURES} | ({address_key(client): MAX_ADDRESS_FAILURES} if client else {})
    with app.store.uow(read_only=True) as uow:
        seen_all = {k: uow.people.failures(k) for k in limits}
    for k, most in limits.items():
        row = seen_all[k]
        if row and now - row["window_start_ns"] < FAILURE_WINDOW_S * S and row["failures"] >= most:
            retry_s = (row["window_start_ns"] + FAILURE_WINDOW_S * S - now) // S + 1
            which = {"login": key} if k == key else {"client": "address"}
            raise TooManyAttempts(
                f"too many failed sign-ins {'for ' + repr(key) if k == key else 'from this address'}; "
                f"try again in {retry_s} s / 登录失败次数过多，请 {retry_s} 秒后再试",
                details={**which, "retry_after_s": int(retry_s)},
            )
    seen = seen_all[key]
    if gate is not None:
        gate.enter()
    try:
        user = verify(app, login, password)
    finally:
        if gate is not None:
            gate.leave()
    with app.store.uow() as uow:
        if user is None:
            for k, row in seen_all.items():
                if row is None or now - row["window_start_ns"] >= FAILURE_WINDOW_S * S:
                    failures, start = 1, now
                else:
                    failures, start = int(row["failures"]) + 1, int(row["window_start_ns"])
                uow.people.set_failures(k, failures, start)
            # Windows that ended count for nothing: the table holds the logins tried lately only,
            # however many names a stranger sprays (each try also costs them a password hash).
            uow.people.prune_failures(now - FAILURE_WINDOW_S * S)
            uow.commit()
            raise _bad_login()
        if seen is not None:
            uow.people.clear_failures(key)
        signed = _open(uow, user, now)
        uow.commit()
    return signed


def _open(uow: UnitOfWork, user: dict[str, Any], now: int) -> SignedIn:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    expires = now + SESSION_TTL_S * S
    uow.people.prune_sessions(user["id"], now)  # a user's rows stay as many as their live sessions
    uow.people.add_session(
        token_hash=_hash(token), user_id=user["id"], csrf_token=csrf,
        created_at_ns=now, expires_at_ns=expires, ended_at_ns=None,
    )  # fmt: skip
    return SignedIn(token, csrf, expires, caller_of(user))


def open_session(app: Ordo, user: dict[str, Any]) -> SignedIn:
    """A session for ``user``, who proved who they are elsewhere (an OIDC provider's ID token)."""
    if user["disabled"]:
        raise _bad_login()
    with app.store.uow() as uow:
        signed = _open(uow, user, app.wall.now_ns())
        uow.commit()
    return signed


def _refused() -> Unauthenticated:
    return Unauthenticated("not signed in, or the session ended / 未登录或会话已结束")


def session_caller(app: Ordo, token: str, *, csrf: str | None, write: bool) -> tuple[Caller, str]:
    """The caller of a live session and its CSRF token; a write must echo that token (403)."""
    if not token or len(token) > MAX_TOKEN:
        raise _refused()
    with app.store.uow(read_only=True) as uow:
        row = uow.people.session(_hash(token))
        user = uow.people.user(row["user_id"]) if row else None
    now = app.wall.now_ns()
    if row is None or user is None or row["ended_at_ns"] is not None or row["expires_at_ns"] <= now:
        raise _refused()
    if user["disabled"]:
        raise _refused()
    if write and not (csrf and hmac.compare_digest(csrf, row["csrf_token"])):
        raise CsrfRefused(
            "a write through a signed-in session needs its X-CSRF-Token header / "
            "通过登录会话的写操作须带 X-CSRF-Token 请求头",
            details={"header": "X-CSRF-Token"},
        )
    return caller_of(user), str(row["csrf_token"])


def sign_out(app: Ordo, token: str) -> None:
    """End the session (a no-op for one already ended or unknown)."""
    if not token or len(token) > MAX_TOKEN:
        return
    with app.store.uow() as uow:
        uow.people.end_session(_hash(token), app.wall.now_ns())
        uow.commit()
