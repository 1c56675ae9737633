"""What a node says of itself in ``/healthz``: its workers and its background duties.

``ordo serve --workers N`` runs the background duties and supervises the worker processes
in one process, and the workers answer the requests: the supervisor writes its view to a
small JSON file (``ORDO_SUPERVISOR_STATE``, replaced atomically about once a second and
on every change) and a worker's ``/healthz`` reads it. With one process (no file) the
answer comes from the process itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson

from ordo.service.runtime.app import Ordo

#: The environment variable naming the supervisor's state file.
STATE_ENV = "ORDO_SUPERVISOR_STATE"


def write_state(path: str | Path, state: dict[str, Any]) -> None:
    """Replace the state file in one rename, so a reader never sees half of it."""
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    tmp.write_bytes(orjson.dumps(state))
    os.replace(tmp, p)


def read_state(path: str | Path) -> dict[str, Any] | None:
    try:
        found = orjson.loads(Path(path).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    return found if isinstance(found, dict) else None


def node_health(app: Ordo) -> dict[str, Any]:
    """``{"workers": {...}, "duties": {...}}`` as far as known: the supervisor's file when
    this is a worker of ``--workers N``, else this process's own duties."""
    path = os.environ.get(STATE_ENV)
    if path:
        state = read_state(path)
        if state is not None:
            return state
    return {"duties": app.background.duties()} if app.background.running else {}
