"""What every ``ordo`` command module shares: opening Ordo on a database and printing JSON."""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Annotated, Any

import typer

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $ORDO_DATABASE_URL or sqlite:///ordo.db)")
]


def open_ordo(db: str | None = None, *, clock: Any = None) -> Any:
    """Ordo on ``db`` (or the configured database), with the settings from the environment."""
    from ordo.config import Settings
    from ordo.service.runtime.app import bootstrap

    settings = Settings.from_env()
    if db:
        settings = dataclasses.replace(settings, database_url=db)
    return bootstrap(settings, clock=clock)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")
