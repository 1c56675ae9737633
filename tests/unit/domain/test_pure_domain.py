"""The domain is pure at run time too: importing all of it loads no I/O, framework or rules.

import-linter checks the imports as written (``make check``); this checks what a fresh
interpreter actually loads, which also catches an import hidden behind a package's
``__init__`` or a third-party module that drags in another.
"""

from __future__ import annotations

import json
import subprocess
import sys

_IMPORT_ALL = """
import importlib, json, pkgutil, sys
import ordo.domain
names = [m.name for m in pkgutil.walk_packages(ordo.domain.__path__, "ordo.domain.")]
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names, "loaded": sorted(sys.modules)}))
"""

#: Packages whose presence would mean the domain reads files, talks to a store or a network,
#: parses rules, or is tied to a framework (or loads a solver before it is asked to solve).
_NEVER = (
    "lark",
    "sqlalchemy",
    "psycopg",
    "fastapi",
    "starlette",
    "httpx",
    "polars",
    "yaml",
    "ortools",
    "ordo.rules",
    "ordo.adapters",
    "ordo.service",
    "ordo.api",
    "ordo.cli",
)


def test_importing_every_domain_module_loads_no_io_framework_or_rule_language():
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL], capture_output=True, text=True, check=True, timeout=120
    )
    seen = json.loads(out.stdout)
    assert "ordo.domain.orders.sla" in seen["imported"] and "ordo.domain.routing.context" in seen["imported"]
    loaded = seen["loaded"]
    found = sorted(m for m in loaded for bad in _NEVER if m == bad or m.startswith(bad + "."))
    assert found == []
