"""What every ``ordo`` command module shares: opening Ordo on a database and printing JSON."""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from ordo.clock import Clock
    from ordo.service.runtime.app import Ordo

DbOption = Annotated[
    str | None, typer.Option("--db", help="Database URL (default: $ORDO_DATABASE_URL or sqlite:///ordo.db)")
]


def open_ordo(db: str | None = None, *, clock: Clock | None = None) -> Ordo:
    """Ordo on ``db`` (or the configured database), with the settings from the environment.

    Built by :func:`ordo.bootstrap.bootstrap` like every Ordo; its background jobs are not
    started (``ordo.background.start()``: ``serve``, ``demo`` and ``relay`` do).
    """
    from ordo.bootstrap import bootstrap
    from ordo.config import Settings

    settings = Settings.from_env()
    if db:
        settings = dataclasses.replace(settings, database_url=db)
    return bootstrap(settings, clock=clock)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")
