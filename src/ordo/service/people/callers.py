"""Who is calling: the person (or integration) behind a key or a signed-in session.

A :class:`Caller` is what authentication yields and what every use case needs to name the
actor: the role and scope it acts with, the name an audit row shows, and ``person``, the
one identity approval separation compares (two keys of one user are one person).
"""

from __future__ import annotations

from dataclasses import dataclass

from ordo.domain.access import UNBOUND, Role, Scope

#: Longest name kept in an audit row or a ``source`` column.
MAX_NAME = 64


@dataclass(frozen=True, slots=True)
class Caller:
    role: Role
    #: How audit rows name the caller: a user's display name, or the key's name.
    name: str
    #: The identity approval separation compares: ``user:<id>`` or ``key:<key id>``.
    person: str
    #: The key used, or None for a browser session.
    key_id: str | None = None
    user_id: str | None = None
    login: str | None = None
    scope: Scope = UNBOUND

    @property
    def label(self) -> str:
        """Short and stable, for ``source`` columns: the login, else the key's name."""
        return self.login or self.name


def user_person(user_id: str) -> str:
    return f"user:{user_id}"


def key_person(key_id: str) -> str:
    return f"key:{key_id}"
