"""Bounded sign-in cost: password checks at once never exceed the process's slots (503 with
Retry-After beyond them), and failures are limited per client address as well as per login."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI

from ordo.domain.access import Role
from ordo.service.people import add_user, sessions
from ordo.service.people.sessions import SignInGate
from ordo.service.runtime.app import Ordo
from tests.integration.api.conftest import TestClient

PASSWORD = "correct horse battery staple"


def test_concurrent_sign_ins_never_check_more_passwords_at_once_than_the_slots(
    api: FastAPI, client: TestClient, world: Ordo, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(world, "li.lei", "李雷", Role.OPS, PASSWORD)
    api.state.sign_in_gate = SignInGate(2)
    lock, inside, most = threading.Lock(), [0], [0]
    real = sessions.verify  # type: ignore[attr-defined]

    def counted(app: Ordo, login: str, password: str) -> Any:
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        try:
            time.sleep(0.05)  # hold the slot long enough for the others to pile up
            return real(app, login, password)
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(sessions, "verify", counted)

    def attempt(_: int) -> Any:
        return client.post("/api/v1/session", json={"login": "li.lei", "password": PASSWORD})

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(attempt, range(48)))
    codes = [r.status_code for r in answers]
    assert set(codes) <= {200, 503} and 200 in codes, codes
    assert 1 <= most[0] <= 2, most[0]  # never more hashes at once than the slots
    busy = next(r for r in answers if r.status_code == 503)
    assert busy.headers["Retry-After"] == "1" and busy.json()["error"] == "sign_in_busy"
    assert "请" in busy.json()["message"]


def test_failures_are_limited_per_client_address_across_logins(
    client: TestClient, world: Ordo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sessions, "MAX_ADDRESS_FAILURES", 3)
    add_user(world, "han.mei", "韩梅梅", Role.OPS, PASSWORD)
    for login in ("ann", "bob", "cat"):  # a spray: one try per name, each under its login's limit
        assert client.post("/api/v1/session", json={"login": login, "password": "x"}).status_code == 401
    # The address is now over its limit: even the right password of another login waits.
    r = client.post("/api/v1/session", json={"login": "han.mei", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["details"]["client"] == "address", r.text
    assert int(r.headers["Retry-After"]) > 0 and "秒后再试" in r.json()["message"]
    with world.store.uow(read_only=True) as uow:  # the login's own counter was not touched
        assert uow.people.failures("han.mei") is None
