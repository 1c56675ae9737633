"""The service layer reaches the store through the ports only.

Service modules talk to the repositories on a unit of work typed as
``ordo.service.ports.UnitOfWork``; SQL, SQLAlchemy and the table definitions stay in
``ordo.adapters.store``. These tests read the source, so a module that breaks the rule
fails here even if nothing runs it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import ordo.service

SERVICE = Path(ordo.service.__file__).parent
#: Inside the store package only ``ordo.adapters.store`` itself (``Store``, ``open_store``,
#: for the wiring) may be named by the service; its modules are the store's own business.
FORBIDDEN = ("sqlalchemy", "ordo.adapters.store.")


def _modules() -> list[Path]:
    found = sorted(SERVICE.rglob("*.py"))
    assert len(found) > 40  # the walk sees the package, not an empty folder
    return found


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
            # ``from ordo.adapters.store import schema`` names a store module too
            if node.module == "ordo.adapters.store":
                out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names if a.name.islower()]
    return out


def _breaks(name: str) -> bool:
    return name == "sqlalchemy" or any(name.startswith(prefix) for prefix in FORBIDDEN)


def test_no_service_module_imports_sqlalchemy_or_the_store_s_modules():
    offenders = [
        f"{path.relative_to(SERVICE.parent)}:{line} imports {name}"
        for path in _modules()
        for line, name in _imported(ast.parse(path.read_text(encoding="utf-8")))
        if _breaks(name)
    ]
    assert offenders == []


def test_no_service_module_reaches_through_a_unit_of_work_s_connection():
    offenders = [
        f"{path.relative_to(SERVICE.parent)}:{node.lineno} uses .{node.attr}"
        for path in _modules()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in ("connection", "exec_driver_sql")
    ]
    assert offenders == []


def test_the_checks_themselves_catch_what_they_are_for():
    source = "import sqlalchemy as sa\nfrom ordo.adapters.store import schema\nuow.connection.execute(q)\n"
    tree = ast.parse(source)
    found = [name for _, name in _imported(tree) if _breaks(name)]
    assert found == ["sqlalchemy", "ordo.adapters.store.schema"]
    assert [n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)] == ["execute", "connection"]
    assert not _breaks("ordo.adapters.store")  # Store and open_store, for the wiring


def test_the_ports_load_without_sqlalchemy():
    code = "import sys, ordo.service.ports; print('sqlalchemy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
