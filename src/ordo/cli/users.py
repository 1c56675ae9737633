"""``ordo users …``: the people who sign in to the dashboard, added, listed, re-passworded, disabled.

Passwords are read from a prompt (hidden, asked twice) or, for scripts, from the
``ORDO_PASSWORD`` environment variable; never from a command-line argument, which other
users of the machine could read in the process list.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.console import Console

from ordo.cli.common import DbOption, open_ordo, print_json

console = Console(stderr=True)

users_app = typer.Typer(help="Users who sign in / 登录用户", no_args_is_help=True)


def _password() -> str:
    given = os.environ.get("ORDO_PASSWORD")
    if given:
        return given
    return str(typer.prompt("password / 密码", hide_input=True, confirmation_prompt=True))


def _fail(message: str) -> typer.Exit:
    console.print(message)
    return typer.Exit(1)


@users_app.command("add")
def users_add(
    login: str,
    role: Annotated[str, typer.Option(help="admin, ops, finance, risk, viewer or integration")],
    name: Annotated[str, typer.Option("--name", help="Display name / 显示名称")],
    channel: Annotated[
        list[str] | None, typer.Option(help="Bind to this channel (repeatable) / 限定渠道")
    ] = None,
    no_password: Annotated[bool, typer.Option(help="Keys only, no sign-in / 仅用密钥，不可登录")] = False,
    db: DbOption = None,
) -> None:
    """Add a user (the password is asked for, or read from ORDO_PASSWORD)."""
    from ordo.domain.access import Role, Scope
    from ordo.domain.errors import OrdoError
    from ordo.service.people import add_user

    try:
        chosen = Role(role)
    except ValueError:
        raise typer.BadParameter(f"unknown role {role!r}; one of {[r.value for r in Role]}") from None
    password = None if no_password else _password()
    try:
        user = add_user(open_ordo(db), login, name, chosen, password, Scope(frozenset(channel or ())))
    except OrdoError as exc:
        raise _fail(exc.message) from None
    console.print(f"added {user['login']} ({user['role']}) / 已添加用户")
    print_json(user)


@users_app.command("list")
def users_list(db: DbOption = None) -> None:
    """List users (never a password hash)."""
    from ordo.service.people import list_users

    print_json(list_users(open_ordo(db)))


@users_app.command("passwd")
def users_passwd(login: str, db: DbOption = None) -> None:
    """Set a new password for LOGIN; their open sessions end."""
    from ordo.domain.errors import OrdoError
    from ordo.service.people import set_password

    try:
        set_password(open_ordo(db), login, _password())
    except OrdoError as exc:
        raise _fail(exc.message) from None
    console.print(f"password changed for {login} / 密码已更新")


@users_app.command("set")
def users_set(
    login: str,
    role: Annotated[
        str | None, typer.Option(help="New role: admin, ops, finance, risk, viewer or integration / 角色")
    ] = None,
    channel: Annotated[
        list[str] | None,
        typer.Option(help="Bind to this channel (repeatable; replaces the scope) / 限定渠道"),
    ] = None,
    shop: Annotated[
        list[str] | None, typer.Option(help="Bind to this platform shop (repeatable) / 限定店铺")
    ] = None,
    unbound: Annotated[
        bool, typer.Option("--all-channels", help="Remove the scope: every channel / 取消范围限制")
    ] = False,
    by: Annotated[
        str | None, typer.Option(help="Who makes the change, for the audit (default: the OS user)")
    ] = None,
    db: DbOption = None,
) -> None:
    """Change LOGIN's role and/or channel/shop scope (audited, with before and after)."""
    import getpass

    from ordo.domain.access import UNBOUND, Role, Scope
    from ordo.domain.errors import OrdoError
    from ordo.service.people import set_access

    try:
        chosen = Role(role) if role is not None else None
    except ValueError:
        raise typer.BadParameter(f"unknown role {role!r}; one of {[r.value for r in Role]}") from None
    if unbound and (channel or shop):
        raise typer.BadParameter("--all-channels and --channel/--shop together / 不能同时指定")
    scope = UNBOUND if unbound else (
        Scope(frozenset(channel or ()), shops=frozenset(shop or ())) if channel or shop else None
    )  # fmt: skip
    who = by or f"cli:{getpass.getuser()}"
    try:
        user = set_access(open_ordo(db), login, role=chosen, scope=scope, by=who)
    except OrdoError as exc:
        raise _fail(exc.message) from None
    console.print(f"{login}: role {user['role']}, scope {user.get('scope')} / 已更新角色与范围")
    print_json(user)


@users_app.command("disable")
def users_disable(login: str, db: DbOption = None) -> None:
    """Disable LOGIN: no more sign-in, sessions end, the user's keys stop working."""
    from ordo.domain.errors import OrdoError
    from ordo.service.people import disable

    try:
        disable(open_ordo(db), login)
    except OrdoError as exc:
        raise _fail(exc.message) from None
    console.print(f"disabled {login} / 已停用")
