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
    role: Annotated[str, typer.Option(help="admin, ops, finance, risk, viewer or integration")],
    name: Annotated[str, typer.Option(help="Who or what uses the key")] = "cli",
    db: DbOption = None,
) -> None:
    """Create an API key; the key is printed once and stored only as a hash."""
    from ordo.domain.access import Role
    from ordo.service.runtime.keys import create_key

    try:
        chosen = Role(role)
    except ValueError:
        raise typer.BadParameter(f"unknown role {role!r}; one of {[r.value for r in Role]}") from None
    sys.stdout.write(create_key(open_ordo(db), chosen, name) + "\n")


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
