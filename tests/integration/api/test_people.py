"""People over HTTP: sign-in with a password, sessions and CSRF, keys that belong to people,
audit rows that name them, the sign-in limit, and pages refused outside the role."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from ordo.api import create_app
from ordo.clock import ManualClock
from ordo.config import Settings
from ordo.domain.access import Role, Scope
from ordo.service.people import add_user, disable, list_users, set_password
from ordo.service.people.sessions import FAILURE_WINDOW_S, MAX_FAILURES, SESSION_TTL_S
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.keys import create_key
from tests.conftest import T0
from tests.integration.api.conftest import TestClient

Headers = dict[str, str]
PASSWORD = "correct horse battery"


@pytest.fixture
def wall(world: Ordo) -> ManualClock:
    """Session expiry and the sign-in window run on the Ordo's wall clock: a manual one here."""
    clock = ManualClock(T0)
    world.wall = clock
    return clock


@pytest.fixture
def people(world: Ordo, wall: ManualClock) -> Callable[..., dict[str, object]]:
    def make(login: str, role: Role, name: str | None = None, **kw: object) -> dict[str, object]:
        return add_user(world, login, name or login.title(), role, PASSWORD, **kw)  # type: ignore[arg-type]

    return make


def _sign_in(client: TestClient, login: str, password: str = PASSWORD) -> str:
    r = client.post("/api/v1/session", json={"login": login, "password": password})
    assert r.status_code == 200, r.text
    token: str = r.json()["csrf_token"]
    return token


def test_a_user_signs_in_sees_who_they_are_and_signs_out(client: TestClient, people) -> None:
    people("li.lei", Role.OPS, "李雷")
    r = client.post("/api/v1/session", json={"login": "li.lei", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert (body["name"], body["login"], body["role"], body["session"]) == ("李雷", "li.lei", "ops", True)
    assert body["csrf_token"] and body["key_id"] is None
    cookie = r.headers["set-cookie"]
    assert "ordo_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # served over plain http here ("auto")
    assert body["csrf_token"] not in cookie
    me = client.get("/api/v1/session")
    assert (
        me.status_code == 200
        and me.json()["name"] == "李雷"
        and me.json()["csrf_token"] == body["csrf_token"]
    )
    assert client.get("/api/v1/orders").status_code == 200  # the cookie reads like a key
    out = client.delete("/api/v1/session", headers={"X-CSRF-Token": body["csrf_token"]})
    assert out.status_code == 204 and 'ordo_session=""' in out.headers["set-cookie"]
    assert client.get("/api/v1/session").status_code == 401


def test_a_copied_cookie_is_dead_after_sign_out_and_after_it_expires(
    client: TestClient, people, wall: ManualClock
) -> None:
    people("han.mei", Role.VIEWER)
    csrf = _sign_in(client, "han.mei")
    stolen = client.cookies.get("ordo_session")
    assert stolen
    client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    client.cookies.set("ordo_session", stolen)
    assert client.get("/api/v1/orders").status_code == 401
    client.cookies.clear()
    _sign_in(client, "han.mei")
    wall.advance(SESSION_TTL_S - 1)
    assert client.get("/api/v1/orders").status_code == 200
    wall.advance(2)
    r = client.get("/api/v1/orders")
    assert r.status_code == 401 and "会话" in r.json()["message"]


def test_a_cookie_write_needs_the_csrf_token_and_a_key_write_does_not(
    client: TestClient, people, auth: Callable[[Role], Headers], world: Ordo
) -> None:
    people("ops.one", Role.OPS)
    csrf = _sign_in(client, "ops.one")
    body = {"platform_sku": "P-1", "ordo_sku": "SKU-TEA"}
    refused = client.post("/api/v1/channels/jd/sku-map", json=body)
    assert refused.status_code == 403 and refused.json()["error"] == "csrf_failed"
    assert "X-CSRF-Token" in refused.json()["message"]
    wrong = client.post("/api/v1/channels/jd/sku-map", json=body, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    ok = client.post("/api/v1/channels/jd/sku-map", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200
    client.cookies.clear()
    keyed = client.post("/api/v1/channels/jd/sku-map", json=body, headers=auth(Role.OPS))
    assert keyed.status_code == 200  # API keys are exempt: a browser never sends one by itself


def test_wrong_passwords_are_limited_per_login_then_the_window_passes(
    client: TestClient, people, wall: ManualClock
) -> None:
    people("zhang.san", Role.VIEWER)
    people("li.si", Role.VIEWER)
    for _ in range(MAX_FAILURES):
        r = client.post("/api/v1/session", json={"login": "zhang.san", "password": "guess-guess"})
        assert r.status_code == 401 and r.json()["error"] == "unauthenticated"
    locked = client.post("/api/v1/session", json={"login": "zhang.san", "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["error"] == "too_many_attempts"
    assert locked.json()["details"]["retry_after_s"] > 0 and "登录失败" in locked.json()["message"]
    assert client.post("/api/v1/session", json={"login": "li.si", "password": PASSWORD}).status_code == 200
    wall.advance(FAILURE_WINDOW_S + 1)
    assert (
        client.post("/api/v1/session", json={"login": "zhang.san", "password": PASSWORD}).status_code == 200
    )


def test_an_unknown_login_and_a_disabled_user_get_the_same_401(
    client: TestClient, people, world: Ordo
) -> None:
    people("gone", Role.OPS)
    disable(world, "gone")
    a = client.post("/api/v1/session", json={"login": "gone", "password": PASSWORD})
    b = client.post("/api/v1/session", json={"login": "nobody", "password": PASSWORD})
    assert a.status_code == b.status_code == 401 and a.json() == b.json()


def test_disabling_a_user_ends_their_session_and_stops_their_keys(
    client: TestClient, people, world: Ordo
) -> None:
    people("wang.wu", Role.OPS)
    key = create_key(world, None, "wang's laptop", user="wang.wu")
    assert client.get("/api/v1/orders", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    _sign_in(client, "wang.wu")
    disable(world, "wang.wu")
    assert client.get("/api/v1/orders").status_code == 401
    client.cookies.clear()
    assert client.get("/api/v1/orders", headers={"Authorization": f"Bearer {key}"}).status_code == 401


def test_a_new_password_ends_the_old_sessions(client: TestClient, people, world: Ordo) -> None:
    people("zhao.liu", Role.VIEWER)
    _sign_in(client, "zhao.liu")
    set_password(world, "zhao.liu", "another good one")
    assert client.get("/api/v1/orders").status_code == 401
    assert client.post("/api/v1/session", json={"login": "zhao.liu", "password": PASSWORD}).status_code == 401
    _sign_in(client, "zhao.liu", "another good one")


def test_a_users_key_takes_the_users_role_and_name(client: TestClient, people, world: Ordo) -> None:
    people("fin.one", Role.FINANCE, "财务一号")
    key = create_key(world, None, "fin laptop", user="fin.one")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).json()
    assert (me["role"], me["name"], me["login"]) == ("finance", "财务一号", "fin.one")
    assert me["person"].startswith("user:")
    listed = {u["login"]: u for u in list_users(world)}
    assert "password_hash" not in listed["fin.one"] and PASSWORD not in str(listed)


def test_a_page_outside_the_role_is_refused_with_403(client: TestClient, people) -> None:
    people("viewer.one", Role.VIEWER)
    people("boss", Role.ADMIN)
    _sign_in(client, "viewer.one")
    r = client.get("/api/v1/users")
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert "角色" in r.json()["message"] and "may not" in r.json()["message"]
    client.cookies.clear()
    _sign_in(client, "boss")
    users = client.get("/api/v1/users").json()["users"]
    assert {u["login"] for u in users} == {"viewer.one", "boss"}


def test_an_admin_adds_a_user_through_the_api_with_a_channel_scope(client: TestClient, people) -> None:
    people("boss", Role.ADMIN)
    csrf = _sign_in(client, "boss")
    body = {
        "login": "jd.ops",
        "display_name": "京东运营",
        "role": "ops",
        "password": PASSWORD,
        "channels": ["jd"],
    }
    r = client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201 and r.json()["scope"]["channels"] == ["jd"]
    again = client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": csrf})
    assert again.status_code == 409


def test_every_rule_audit_row_names_the_person(client: TestClient, people, world: Ordo) -> None:
    people("fin.two", Role.FINANCE, "钱二")
    csrf = _sign_in(client, "fin.two")
    h = {"X-CSRF-Token": csrf}
    d = client.post("/api/v1/rules/drafts", json={"text": "满1000减10", "note": "promo"}, headers=h)
    assert d.status_code == 201, d.text
    assert d.json()["author"] == "fin.two"
    entries = client.get("/api/v1/rules/audit").json()["entries"]
    assert entries[0]["actor"] == "钱二"


def test_a_key_without_a_user_still_works_and_is_named_by_its_key_name(
    client: TestClient, auth: Callable[[Role], Headers]
) -> None:
    me = client.get("/api/v1/me", headers=auth(Role.OPS)).json()
    assert me["role"] == "ops" and me["name"] == "test ops" and me["login"] is None
    d = client.post(
        "/api/v1/rules/drafts", json={"text": "满1000减10", "note": "n"}, headers=auth(Role.FINANCE)
    )
    assert d.status_code == 201
    entries = client.get("/api/v1/rules/audit", headers=auth(Role.VIEWER)).json()["entries"]
    assert entries[0]["actor"] == "test finance"


def test_user_scope_is_stored_and_shown(world: Ordo, people) -> None:
    user = people("tmall.ops", Role.OPS, scope=Scope(frozenset({"tmall"})))
    assert user["scope"] == {"channels": ["tmall"], "shops": [], "operations": None}


def test_the_cookie_is_secure_when_configured_so_or_served_over_https(
    world: Ordo, settings: Settings, people
) -> None:
    people("sec.one", Role.VIEWER)
    login = {"login": "sec.one", "password": PASSWORD}
    always = create_app(world, dataclasses.replace(settings, cookie_secure="always"))
    with TestClient(always) as c:
        assert "Secure" in c.post("/api/v1/session", json=login).headers["set-cookie"]
    with TestClient(create_app(world, settings), base_url="https://ordo.example") as c:
        assert "Secure" in c.post("/api/v1/session", json=login).headers["set-cookie"]
    never = create_app(world, dataclasses.replace(settings, cookie_secure="never"))
    with TestClient(never, base_url="https://ordo.example") as c:
        assert "Secure" not in c.post("/api/v1/session", json=login).headers["set-cookie"]
