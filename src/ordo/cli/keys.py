"""``ordo keys …``: API keys for the HTTP API, created, listed and revoked."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from ordo.cli.common import DbOption, open_ordo, print_json

console = Console(stderr=True)

keys_app = typer.Typer(help="API keys / 接口密钥", no_args_is_help=True)


@keys_app.command("create")
def keys_create(
    role: Annotated[
        str | None, typer.Option(help="admin, ops, finance, risk, viewer or integration (not with --user)")
    ] = None,
    name: Annotated[str, typer.Option(help="Who or what uses the key")] = "cli",
    user: Annotated[str | None, typer.Option(help="The user (login) the key acts for / 密钥所属用户")] = None,
    channel: Annotated[
        list[str] | None, typer.Option(help="Integration key: bind to this channel (repeatable) / 限定渠道")
    ] = None,
    shop: Annotated[
        list[str] | None,
        typer.Option(help="Integration key: bind to this platform shop (repeatable) / 限定店铺"),
    ] = None,
    operation: Annotated[
        list[str] | None,
        typer.Option(help="Integration key: allow only this permission, e.g. orders_write (repeatable)"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create an API key; the key is printed once and stored only as a hash.

    With --user the key acts as that person (their role, scope and name in audit rows);
    otherwise it is an integration key of --role, optionally bound to channels and operations.
    """
    from ordo.domain.access import Perm, Role, Scope
    from ordo.domain.errors import OrdoError
    from ordo.service.runtime.keys import create_key

    chosen = None
    if role is not None:
        try:
            chosen = Role(role)
        except ValueError:
            raise typer.BadParameter(f"unknown role {role!r}; one of {[r.value for r in Role]}") from None
    elif user is None:
        raise typer.BadParameter("give --role (an integration key) or --user / 请指定 --role 或 --user")
    try:
        ops = None if not operation else frozenset(Perm(o) for o in operation)
    except ValueError:
        raise typer.BadParameter(
            f"unknown operation in {operation}; one of {[p.value for p in Perm]}"
        ) from None
    scope = Scope(frozenset(channel or ()), ops, frozenset(shop or ()))
    try:
        token = create_key(open_ordo(db), chosen, name, user=user, scope=scope)
    except OrdoError as exc:
        console.print(exc.message)
        raise typer.Exit(1) from None
    sys.stdout.write(token + "\n")


@keys_app.command("list")
def keys_list(db: DbOption = None) -> None:
    """List API keys (never their secrets)."""
    from ordo.service.runtime.keys import list_keys

    print_json(list_keys(open_ordo(db)))


@keys_app.command("revoke")
def keys_revoke(key_id: str, db: DbOption = None) -> None:
    """Revoke an API key by its id."""
    from ordo.domain.errors import NotFound
    from ordo.service.runtime.keys import revoke_key

    try:
        revoke_key(open_ordo(db), key_id)
    except NotFound as exc:
        console.print(exc.message)
        raise typer.Exit(1) from None
    console.print(f"revoked {key_id} / 已吊销")
