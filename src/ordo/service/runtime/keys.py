"""API keys and idempotency keys: who may call the API, and which requests it already answered.

A key reads ``ordo_<id>_<secret>``. The plaintext is returned once by :func:`create_key`;
the store keeps only the SHA-256 of the secret, so a leaked database does not leak keys.
The id is public; the secret is compared in constant time. This module must never log or
store a plaintext secret.

A key belongs to a user (``user_id``: it acts with the user's role, scope and name, and
stops working when the user is disabled) or to an integration (no user: its own role,
its own ``scope`` of channels and operations, named by the key's name). Keys made before
users existed are integrations with no scope: they work as they did.

Verified keys are remembered by the Ordo (``ordo.caches.keys``, a :class:`KeyCache`: a
``cachetools.TTLCache`` keyed by the SHA-256 of the whole token), so a request with a
known key does no read. A key revoked through this Ordo is refused at once; one revoked
by another process (a second API worker, ``ordo keys revoke``) is refused here within
:data:`KEY_TTL_S`. Failures are never cached: a new key works at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cachetools import TTLCache

from ordo.domain.access import UNBOUND, Role, Scope
from ordo.domain.errors import Conflict, NotFound, Unauthenticated, ValidationError
from ordo.service.people.callers import MAX_NAME, Caller, key_person
from ordo.service.people.users import caller_of

if TYPE_CHECKING:
    from ordo.service.runtime.app import Ordo

PREFIX = "ordo"
#: Hashed in place of a missing key so an unknown id costs the same time as a wrong secret.
_DUMMY_HASH = hashlib.sha256(b"ordo-no-such-key").hexdigest()
#: Longest token worth hashing; anything longer is not one of ours.
MAX_TOKEN = 200
#: How long another process's revocation may go unseen by this one.
KEY_TTL_S = 5.0
#: Verified keys remembered; past this the least recently used goes first.
MAX_CACHED = 10_000


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class KeyCache:
    """Tokens verified lately: SHA-256 of the token → its :class:`Caller`, for ``ttl_s`` seconds
    of ``now`` (monotonic wall time: revocations elsewhere are seen in real seconds)."""

    def __init__(
        self, ttl_s: float = KEY_TTL_S, now: Callable[[], float] = time.monotonic, limit: int = MAX_CACHED
    ) -> None:
        # TTLCache is not thread-safe (a read reorders its LRU links): every use takes the lock.
        self._lock = threading.Lock()
        self._seen: TTLCache[bytes, Caller] = TTLCache(maxsize=limit, ttl=ttl_s, timer=now)
        #: Bumped by every revocation: a read that began before one may not be remembered.
        self.generation = 0

    def get(self, digest: bytes) -> Caller | None:
        with self._lock:
            return self._seen.get(digest)

    def put(self, digest: bytes, caller: Caller, generation: int) -> None:
        """Remember a verified key, unless a key was revoked since ``generation`` was read."""
        with self._lock:
            if generation == self.generation:
                self._seen[digest] = caller

    def forget(self, key_id: str) -> None:
        with self._lock:
            self.generation += 1
            for digest in [d for d, v in self._seen.items() if v.key_id == key_id]:
                self._seen.pop(digest, None)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def create_key(
    app: Ordo, role: Role | None, name: str, *, user: str | None = None, scope: Scope = UNBOUND
) -> str:
    """Create a key; returns the plaintext, which is never shown again.

    With ``user`` (a login) the key acts for that user, with their role and scope (``role``
    must be None or theirs). Without, it is an integration key of ``role``, bound to ``scope``.
    """
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with app.store.uow() as uow:
        user_id = None
        if user is not None:
            row = uow.people.user_by_login(user)
            if row is None:
                raise NotFound(f"no user {user!r} / 没有该用户", details={"login": user})
            if role is not None and role.value != row["role"]:
                raise ValidationError(
                    "role", f"a key of {user!r} has the user's role {row['role']} / 用户密钥沿用用户的角色"
                )
            if not scope.unbound:
                raise ValidationError("scope", "a user's key has the user's scope / 用户密钥沿用用户的范围")
            role, user_id = Role(row["role"]), row["id"]
        if role is None:
            raise ValidationError("role", "an integration key needs a role / 集成密钥须指定角色")
        uow.access.add_key(
            key_id, name[:100], role.value, _hash(secret), app.clock.now_ns(),
            user_id=user_id, scope=None if scope.unbound else scope.as_dict(),
        )  # fmt: skip
        uow.commit()
    return f"{PREFIX}_{key_id}_{secret}"


def _refused() -> Unauthenticated:
    return Unauthenticated("invalid or revoked API key / API 密钥无效或已吊销")


def _parts(token: str) -> tuple[str, str]:
    """(key id, secret) of a token shaped like a key; Unauthenticated for anything else."""
    parts = token.split("_", 2) if len(token) <= MAX_TOKEN else []
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        raise _refused()
    return parts[1], parts[2]


def cached(app: Ordo, token: str) -> Caller | None:
    """The caller if this token was verified lately; None means "ask the store".

    Does no I/O, so the API calls it on the event loop and hops to a thread only on a miss.
    A token that cannot be a key at all is refused here, without a read.
    """
    _parts(token)
    return app.caches.keys.get(_digest(token))


def authenticate(app: Ordo, token: str) -> Caller:
    """The caller behind a valid, unrevoked key (of an enabled user); Unauthenticated otherwise."""
    key_id, secret = _parts(token)
    cache = app.caches.keys
    digest = _digest(token)
    found = cache.get(digest)
    if found is not None:
        return found
    generation = cache.generation
    with app.store.uow(read_only=True) as uow:
        row = uow.access.key(key_id)
        user = uow.people.user(row["user_id"]) if row and row.get("user_id") else None
    stored = row["key_hash"] if row else _DUMMY_HASH
    matches = hmac.compare_digest(stored, _hash(secret))
    if row is None or not matches or row["revoked_at_ns"] is not None:
        raise _refused()
    if row.get("user_id"):
        if user is None or user["disabled"]:
            raise _refused()
        caller = caller_of(user, key_id)
    else:
        caller = Caller(
            role=Role(row["role"]), name=str(row["name"])[:MAX_NAME] or key_id, person=key_person(key_id),
            key_id=key_id, scope=Scope.from_dict(row.get("scope")),
        )  # fmt: skip
    cache.put(digest, caller, generation)
    return caller


def revoke_key(app: Ordo, key_id: str) -> None:
    """Revoke a key at once; NotFound if there is no such (unrevoked) key."""
    with app.store.uow() as uow:
        done = uow.access.revoke_key(key_id, app.clock.now_ns())
        uow.commit()
    app.caches.keys.forget(key_id)
    if not done:
        raise NotFound(f"no active API key {key_id!r} / 没有该有效密钥", details={"key_id": key_id})


def list_keys(app: Ordo) -> list[dict[str, Any]]:
    """Every key's id, name, role and dates; never a hash or a secret."""
    with app.store.uow(read_only=True) as uow:
        return uow.access.keys()


# idempotency ----------------------------------------------------------------------------


def request_hash(canonical_body: bytes) -> str:
    """Fingerprint of a request, to tell a retry from a different request under the same key."""
    return hashlib.sha256(canonical_body).hexdigest()


def recall(app: Ordo, key: str, request_hash: str) -> tuple[int, Any] | None:
    """The stored (status, response) for this idempotency key, if it has one: the read that
    spares a retry the write path. The answer itself is stored by intake, in the transaction
    that writes the request's orders (``IntakeRequest.idempotency``).

    Conflict if the key was used before for a different request: replaying the old
    answer would silently drop the new request, running it would break the promise.
    """
    with app.store.uow(read_only=True) as uow:
        row = uow.access.idempotent(key)
    if row is None:
        return None
    if not hmac.compare_digest(row["request_hash"], request_hash):
        raise Conflict(
            "Idempotency-Key reused with a different request body / 幂等键已用于不同的请求内容",
            details={"header": "Idempotency-Key"},
        )
    return int(row["status_code"]), row["response"]
