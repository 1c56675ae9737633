"""``/livez`` and ``/readyz``: alive asks nothing; ready means the store takes a write and
every configured broker takes a connection. ``/healthz`` (a read) could stay 200 while
every write failed; ``/readyz`` cannot."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from ordo.adapters.store import Store
from ordo.api import create_app
from ordo.config import Settings
from ordo.service.runtime.app import Ordo
from ordo.service.runtime.health import PROBE_KEY
from tests.conftest import make_app
from tests.integration.api.conftest import TestClient


@pytest.fixture(autouse=True)
def no_brokers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORDO_NATS_URL", raising=False)
    monkeypatch.delenv("ORDO_MQTT_URL", raising=False)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def test_livez_answers_without_a_key_and_without_the_store(
    world: Ordo, settings: Settings, tmp_path: Path
) -> None:
    gone = dataclasses.replace(world, store=Store(f"sqlite:///{tmp_path}/no/such/dir/ordo.db"))
    with TestClient(create_app(gone, settings)) as client:
        assert client.get("/livez").json() == {"status": "ok"}
        r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["checks"]["store"]["ok"] is False
    assert "数据库无法写入" in r.json()["checks"]["store"]["message"]


def test_readyz_writes_to_the_store_and_is_ready(client: TestClient, world: Ordo) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json() == {"status": "ready", "checks": {"store": {"ok": True, "dialect": "sqlite"}}}
    with world.store.uow(read_only=True) as uow:
        assert uow.catalog.get_meta(PROBE_KEY) == str(world.clock.now_ns())


def test_readyz_is_503_when_postgresql_refuses_writes_though_reads_work(pg_url: str, clock: object) -> None:
    """A failover to a read-only server: reads pass (``/healthz`` 200), writes do not."""
    app = make_app(pg_url, clock)  # type: ignore[arg-type]
    name = pg_url.rsplit("/", 1)[1]
    try:
        with TestClient(create_app(app, Settings(database_url=pg_url))) as client:
            assert client.get("/readyz").status_code == 200
            with app.store.engine.connect() as conn:
                conn.execute(sa.text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
                conn.commit()
            app.store.engine.dispose()  # new connections take the setting
            assert client.get("/healthz").status_code == 200
            r = client.get("/readyz")
            assert r.status_code == 503, r.text
            store = r.json()["checks"]["store"]
            assert store["ok"] is False and store["dialect"] == "postgresql"
    finally:
        admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("SET default_transaction_read_only = off"))
            conn.execute(sa.text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
        admin.dispose()
        app.store.dispose()


def test_readyz_checks_each_configured_broker(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, listening: int
) -> None:
    monkeypatch.setenv("ORDO_NATS_URL", f"nats://127.0.0.1:{listening}")
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json()["checks"]["nats"] == {"ok": True, "address": f"127.0.0.1:{listening}"}

    closed = _closed_port()
    monkeypatch.setenv("ORDO_MQTT_URL", f"mqtt://user:secret@127.0.0.1:{closed}")
    r = client.get("/readyz")
    assert r.status_code == 503
    mqtt = r.json()["checks"]["mqtt"]
    assert mqtt["ok"] is False and mqtt["address"] == f"127.0.0.1:{closed}"
    assert "消息总线不可达" in mqtt["message"] and "secret" not in r.text
    assert r.json()["checks"]["nats"]["ok"] is True
