"""People: user accounts, dashboard sessions, the caller behind a request, scope lookups.

Keys stay in :mod:`ordo.service.runtime.keys`; a key may belong to a user here, and then
acts with that user's role, scope and name.
"""

from __future__ import annotations

from ordo.service.people.callers import Caller, key_person, user_person
from ordo.service.people.sessions import (
    CsrfRefused,
    SignedIn,
    TooManyAttempts,
    open_session,
    session_caller,
    sign_in,
    sign_out,
)
from ordo.service.people.users import (
    add_user,
    caller_of,
    disable,
    list_users,
    oidc_user,
    set_access,
    set_password,
)

__all__ = [
    "Caller",
    "CsrfRefused",
    "SignedIn",
    "TooManyAttempts",
    "add_user",
    "caller_of",
    "disable",
    "key_person",
    "list_users",
    "oidc_user",
    "open_session",
    "session_caller",
    "set_access",
    "set_password",
    "sign_in",
    "sign_out",
    "user_person",
]
