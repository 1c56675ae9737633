"""``ordo users …`` and ``ordo keys create --user/--channel/--operation``: the first admin, and
keys for people and for scoped integrations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ordo.bootstrap import bootstrap
from ordo.cli import app
from ordo.config import Settings
from ordo.domain.access import Perm, Role
from ordo.domain.errors import Unauthenticated
from ordo.service import people
from ordo.service.runtime import keys

runner = CliRunner()
PASSWORD = "first admin password"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ordo.db'}"


def _run(*args: str, password: str | None = None) -> str:
    env = {"ORDO_PASSWORD": password} if password else {}
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_first_admin_is_added_signs_in_changes_password_and_is_disabled(db: str) -> None:
    out = _run("users", "add", "boss", "--role", "admin", "--name", "王总", "--db", db, password=PASSWORD)
    added = json.loads(out[out.index("{") :])
    assert added["login"] == "boss" and "password_hash" not in added and PASSWORD not in out
    [listed] = json.loads(_run("users", "list", "--db", db))
    assert (listed["login"], listed["display_name"], listed["role"]) == ("boss", "王总", "admin")
    ordo = bootstrap(Settings(database_url=db))
    try:
        assert people.sign_in(ordo, "boss", PASSWORD).caller.role is Role.ADMIN
        _run("users", "passwd", "boss", "--db", db, password="a brand new password")
        with pytest.raises(Unauthenticated):
            people.sign_in(ordo, "boss", PASSWORD)
        people.sign_in(ordo, "boss", "a brand new password")
        _run("users", "disable", "boss", "--db", db)
        with pytest.raises(Unauthenticated):
            people.sign_in(ordo, "boss", "a brand new password")
    finally:
        ordo.store.dispose()


def test_the_password_is_asked_twice_when_not_in_the_environment(db: str) -> None:
    r = runner.invoke(app, ["users", "add", "li", "--role", "ops", "--name", "李", "--db", db],
                      input=f"{PASSWORD}\n{PASSWORD}\n", env={"ORDO_PASSWORD": ""})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert PASSWORD not in r.stdout


def test_refusals_are_clear_and_exit_1(db: str) -> None:
    _run("users", "add", "li", "--role", "ops", "--name", "李", "--db", db, password=PASSWORD)
    again = runner.invoke(app, ["users", "add", "li", "--role", "ops", "--name", "李", "--db", db],
                          env={"ORDO_PASSWORD": PASSWORD})  # fmt: skip
    assert again.exit_code == 1 and "已被使用" in again.output
    bad = runner.invoke(app, ["users", "add", "x", "--role", "boss", "--name", "n", "--db", db])
    assert bad.exit_code != 0 and "unknown role" in bad.output
    gone = runner.invoke(app, ["users", "disable", "nobody", "--db", db])
    assert gone.exit_code == 1 and "没有该用户" in gone.output


def test_keys_for_a_user_and_for_a_scoped_integration(db: str) -> None:
    _run("users", "add", "fin", "--role", "finance", "--name", "财务", "--no-password", "--db", db)
    user_key = _run("keys", "create", "--user", "fin", "--name", "fin laptop", "--db", db).strip()
    shop_key = _run(
        "keys", "create", "--role", "integration", "--name", "jd shop", "--channel", "jd",
        "--operation", "orders_write", "--operation", "read", "--shop", "jd-flagship", "--db", db,
    ).strip()  # fmt: skip
    ordo = bootstrap(Settings(database_url=db))
    try:
        fin = keys.authenticate(ordo, user_key)
        assert (fin.role, fin.name, fin.login) == (Role.FINANCE, "财务", "fin")
        shop = keys.authenticate(ordo, shop_key)
        assert shop.scope.channels == {"jd"} and shop.scope.operations == {Perm.ORDERS_WRITE, Perm.READ}
        assert shop.scope.shops == {"jd-flagship"}
        with pytest.raises(Unauthenticated):
            people.sign_in(ordo, "fin", "anything at all")  # keys only: no sign-in
    finally:
        ordo.store.dispose()
    neither = runner.invoke(app, ["keys", "create", "--db", db])
    assert neither.exit_code != 0 and "--user" in neither.output
    stray = runner.invoke(app, ["keys", "create", "--role", "integration", "--operation", "fly", "--db", db])
    assert stray.exit_code != 0 and "unknown operation" in stray.output


def test_users_set_changes_role_and_scope_and_the_audit_names_who_and_what(db: str) -> None:
    _run("users", "add", "mei", "--role", "viewer", "--name", "韩梅梅", "--db", db, password=PASSWORD)
    out = _run("users", "set", "mei", "--role", "ops", "--channel", "jd", "--channel", "tmall",
               "--by", "boss", "--db", db)  # fmt: skip
    shown = json.loads(out[out.index("{") :])
    assert shown["role"] == "ops" and shown["scope"]["channels"] == ["jd", "tmall"]
    ordo = bootstrap(Settings(database_url=db))
    try:
        caller = people.sign_in(ordo, "mei", PASSWORD).caller
        assert caller.role is Role.OPS and caller.scope.channels == {"jd", "tmall"}
        with ordo.store.uow(read_only=True) as uow:
            [row] = [r for r in uow.rules.audit_log(limit=10) if r["action"] == "user_access_set"]
        assert row["actor"] == "boss" and row["details"]["before"]["role"] == "viewer"
        assert row["details"]["after"]["scope"]["channels"] == ["jd", "tmall"]
        _run("users", "set", "mei", "--all-channels", "--db", db)
        assert people.sign_in(ordo, "mei", PASSWORD).caller.scope.unbound
    finally:
        ordo.store.dispose()
    bad = runner.invoke(app, ["users", "set", "mei", "--role", "boss", "--db", db])
    assert bad.exit_code != 0
    nobody = runner.invoke(app, ["users", "set", "nobody", "--role", "ops", "--db", db])
    assert nobody.exit_code == 1 and "没有该用户" in nobody.output
    nothing = runner.invoke(app, ["users", "set", "mei", "--db", db])
    assert nothing.exit_code == 1 and "role" in nothing.output
