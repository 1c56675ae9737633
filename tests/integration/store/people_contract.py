"""People through the store on one backend (subclassed per backend): users, keys that belong
to them, sessions, the sign-in limit, scope lookups and rollback requests.

``PeopleContract`` is abstract: a backend's module subclasses it and provides ``url``, an
empty database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ordo.clock import ManualClock
from ordo.domain.access import Perm, Role, Scope
from ordo.domain.errors import Conflict, NotFound, Unauthenticated, ValidationError
from ordo.service import people
from ordo.service import rules as R
from ordo.service.channels.receive import receive
from ordo.service.orders.intake import intake
from ordo.service.people.scope import dead_letter_channels, order_channels
from ordo.service.people.sessions import FAILURE_WINDOW_S, MAX_FAILURES, TooManyAttempts
from ordo.service.runtime import keys
from ordo.service.runtime.app import Ordo
from tests.conftest import T0, make_app, new_order, seed_tiny_world

PASSWORD = "a long enough password"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "channels"


class PeopleContract:
    @pytest.fixture
    def url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def world(self, url: str, clock: ManualClock) -> Iterator[Ordo]:
        app = make_app(url, clock)
        app.wall = ManualClock(T0)
        seed_tiny_world(app)
        yield app
        app.store.dispose()

    def test_a_user_is_stored_with_a_hash_never_the_password_and_logins_are_unique(self, world):
        user = people.add_user(world, "li.lei", "李雷", Role.OPS, PASSWORD, Scope(frozenset({"jd"})))
        assert user["created_at_ns"] == world.clock.now_ns() and user["disabled"] is False
        with world.store.uow(read_only=True) as uow:
            row = uow.people.user_by_login("li.lei")
        assert row is not None and row["password_hash"].startswith("$argon2id$")
        assert PASSWORD not in str(row)
        with pytest.raises(Conflict):
            people.add_user(world, "li.lei", "another", Role.VIEWER, PASSWORD)
        for bad in ("Li", "x", "1abc", "a b", "a" * 33):
            with pytest.raises(ValidationError):
                people.add_user(world, bad, "n", Role.VIEWER, PASSWORD)
        with pytest.raises(ValidationError):
            people.add_user(world, "short.pw", "n", Role.VIEWER, "1234567")
        assert [u["login"] for u in people.list_users(world)] == ["li.lei"]
        assert people.list_users(world)[0]["scope"] == {"channels": ["jd"], "shops": [], "operations": None}

    def test_a_session_names_its_user_expires_and_ends(self, world):
        people.add_user(world, "han.mei", "韩梅梅", Role.VIEWER, PASSWORD)
        done = people.sign_in(world, "han.mei", PASSWORD)
        assert done.caller.name == "韩梅梅" and done.caller.role is Role.VIEWER
        caller, csrf = people.session_caller(world, done.token, csrf=None, write=False)
        assert caller.login == "han.mei" and csrf == done.csrf_token
        with pytest.raises(people.CsrfRefused):
            people.session_caller(world, done.token, csrf="nope", write=True)
        people.session_caller(world, done.token, csrf=done.csrf_token, write=True)
        with world.store.uow(read_only=True) as uow:
            stored = uow.people.session(done.token)
        assert stored is None  # only a hash of the token is a key
        people.sign_out(world, done.token)
        with pytest.raises(Unauthenticated):
            people.session_caller(world, done.token, csrf=None, write=False)
        later = people.sign_in(world, "han.mei", PASSWORD)
        world.wall.advance(13 * 3600)
        with pytest.raises(Unauthenticated):
            people.session_caller(world, later.token, csrf=None, write=False)
        people.sign_in(world, "han.mei", PASSWORD)  # the ended and the expired rows go
        with world.store.uow(read_only=True) as uow:
            assert uow.connection.exec_driver_sql("SELECT count(*) FROM sessions").scalar() == 1

    def test_failed_sign_ins_are_counted_per_login_and_a_success_clears_them(self, world):
        people.add_user(world, "zhang.san", "张三", Role.VIEWER, PASSWORD)
        for _ in range(MAX_FAILURES - 1):
            with pytest.raises(Unauthenticated):
                people.sign_in(world, "zhang.san", "wrong password")
        people.sign_in(world, "zhang.san", PASSWORD)
        with world.store.uow(read_only=True) as uow:
            assert uow.people.failures("zhang.san") is None
        for _ in range(MAX_FAILURES):
            with pytest.raises(Unauthenticated):
                people.sign_in(world, "zhang.san", "wrong password")
        with pytest.raises(TooManyAttempts):
            people.sign_in(world, "zhang.san", PASSWORD)
        # Sprayed names leave a row each only while their window lasts.
        with pytest.raises(Unauthenticated):
            people.sign_in(world, "no.such.one", "whatever it is")
        world.wall.advance(FAILURE_WINDOW_S + 1)
        with pytest.raises(Unauthenticated):
            people.sign_in(world, "another.one", "whatever it is")
        with world.store.uow(read_only=True) as uow:
            assert uow.people.failures("no.such.one") is None and uow.people.failures("zhang.san") is None
            assert uow.people.failures("another.one") is not None

    def test_a_users_keys_act_as_the_user_and_die_with_the_account(self, world):
        people.add_user(world, "wang.wu", "王五", Role.RISK, PASSWORD)
        token = keys.create_key(world, None, "laptop", user="wang.wu")
        other = keys.create_key(world, Role.RISK, "laptop", user="wang.wu")
        a, b = keys.authenticate(world, token), keys.authenticate(world, other)
        assert a.person == b.person and a.key_id != b.key_id and a.name == "王五" and a.role is Role.RISK
        with pytest.raises(ValidationError):
            keys.create_key(world, Role.ADMIN, "escalate", user="wang.wu")
        with pytest.raises(NotFound):
            keys.create_key(world, None, "x", user="nobody")
        listed = {k["id"]: k for k in keys.list_keys(world)}
        assert listed[a.key_id]["user_id"] == a.user_id
        people.disable(world, "wang.wu")
        with pytest.raises(Unauthenticated):
            keys.authenticate(world, token)

    def test_an_integration_key_keeps_its_own_scope(self, world):
        scope = Scope(frozenset({"jd"}), frozenset({Perm.ORDERS_WRITE}))
        caller = keys.authenticate(world, keys.create_key(world, Role.INTEGRATION, "jd shop", scope=scope))
        assert caller.scope == scope and caller.name == "jd shop" and caller.user_id is None
        plain = keys.authenticate(world, keys.create_key(world, Role.OPS, "old key"))
        assert plain.scope.unbound and plain.person == f"key:{plain.key_id}"

    def test_scope_lookups_find_the_channel_of_orders_and_dead_letters(self, world):
        [r] = intake(world, [new_order("PC-1", channel="jd")])
        assert order_channels(world, [r.order_id, r.order_id, "ORnope"]) == {r.order_id: "jd"}
        dl = receive(world, "taobao", (FIXTURES / "taobao" / "create.json").read_bytes()).dead_letter_id
        assert dl is not None
        assert dead_letter_channels(world, [dl]) == {dl: "taobao"}
        assert dead_letter_channels(world, None) == {dl: "taobao"}

    def test_a_rollback_request_waits_then_a_second_person_carries_it_out(self, world):
        ann, bob = R.Actor("ann", Role.FINANCE), R.Actor("bob", Role.OPS)
        versions = []
        for text, approver in (
            ("满1000减10", None),
            ('满1000减10\n当 订单金额 > 500 时 转人工审核 原因 "大额"', bob),
        ):
            d = R.create_draft(world, ann, note="n", text=text)
            R.backtest_draft(world, ann, d["id"])
            R.submit(world, ann, d["id"], note="s")
            if approver:
                R.approve(world, approver, d["id"], note="ok")
            versions.append(R.publish(world, ann, d["id"], note="go")["version"])
        asked = R.rollback(world, ann, versions[0], note="undo")
        assert asked["status"] == "pending" and R.history(world)["state"]["active_version"] == versions[1]
        [pending] = R.rollback_requests(world)
        assert (pending["id"], pending["tier"], pending["requested_by"]) == (asked["request_id"], "L2", "ann")
        R.approve_rollback(world, bob, asked["request_id"], note="agreed")
        assert R.history(world)["state"]["active_version"] == versions[0]
        assert R.rollback_requests(world) == [] and R.rollback_requests(world, None)[0]["approver"] == "bob"
